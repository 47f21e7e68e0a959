/**
 * Pool: CPython's own pool tests (Lib/test/_test_multiprocessing.py, classes _TestPool,
 * _TestPoolWorkerErrors and _TestPoolWorkerLifetime), each named after the test it comes from,
 * then what this library adds: errors that keep the worker's message and stack, a pool that keeps
 * its size when a task throws or its worker dies, results that cannot be sent, lazy imap input,
 * shared objects in items, output before results, and interrupts.
 *
 * Several tests depend on which worker runs what, and when: they assert only what holds in every
 * order (values and their order, errors, pool size), never a particular schedule.
 */
import { after, afterEach, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import { inspect } from "node:util";
import * as mp from "../dist";
import { useHost } from "../dist/host";
import { captureStdout, fails, until } from "./helpers/util";

after(() => mp.terminateAll());

/** CPython's `sqr(x, wait=0.0)`: sleeps `wait` seconds, returns x*x. */
function sqr(x: number, wait = 0): number {
  if (wait > 0) mp.sleep(wait);
  return x * x;
}

/** CPython's `mul(x, y)`. */
function mul(x: number, y: number): number {
  return x * y;
}

/** CPython's SayWhenError. */
class SayWhenError extends Error {
  override name = "SayWhenError";
}

/** CPython's `exception_throwing_generator(total, when)`. */
function* exceptionThrowingGenerator(total: number, when: number): Generator<number> {
  if (when === -1) throw new SayWhenError("Somebody said when");
  for (let i = 0; i < total; i++) {
    if (i === when) throw new SayWhenError("Somebody said when");
    yield i;
  }
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Ends `pool` whatever happens in the test. */
async function withPool<T>(pool: mp.Pool, body: (pool: mp.Pool) => Promise<T>): Promise<T> {
  try {
    return await body(pool);
  } finally {
    await pool.terminate();
  }
}

/** Collects an imap iterator's values one `next()` at a time, then the error it ends with (or null). */
async function drain<T>(it: mp.IMapIterator<T>, most = Infinity): Promise<{ values: T[]; error: unknown }> {
  const values: T[] = [];
  while (values.length < most) {
    try {
      const r = await it.next();
      if (r.done === true) break;
      values.push(r.value);
    } catch (error) {
      return { values, error };
    }
  }
  return { values, error: null };
}

describe("_TestPool (one pool of 4, as CPython's setUpClass)", () => {
  const pool = new mp.Pool(4);
  after(() => pool.terminate());

  test("test_apply", async () => {
    assert.equal(await pool.apply(sqr, [5]), 25);
  });

  test("test_map, with and without chunksize", async () => {
    assert.deepEqual(await pool.map(sqr, range(10)), range(10).map((x) => sqr(x)));
    assert.deepEqual(await pool.map(sqr, range(100), { chunksize: 20 }), range(100).map((x) => sqr(x)));
  });

  test("test_starmap and test_starmap_async", async () => {
    const tuples = range(10).map((i): [number, number] => [i, 9 - i]);
    assert.deepEqual(await pool.starmap(mul, tuples), tuples.map(([a, b]) => a * b));
    const long = range(100).map((i): [number, number] => [i, 99 - i]);
    assert.deepEqual(await pool.starmap(mul, long, { chunksize: 20 }), long.map(([a, b]) => a * b));
    assert.deepEqual(await pool.starmapAsync(mul, long).get(), long.map(([a, b]) => a * b));
  });

  test("test_map_async", async () => {
    assert.deepEqual(await pool.mapAsync(sqr, range(10)).get(), range(10).map((x) => sqr(x)));
  });

  test("test_map_unplicklable: an item that cannot be sent rejects the call, naming it; the pool goes on", async () => {
    const items: unknown[] = [1, 2, () => 3];
    await assert.rejects(pool.map((x: unknown) => x, items), fails(TypeError, "items[2] is a function"));
    assert.deepEqual(await pool.map(sqr, [3]), [9]);
  });

  test("test_map_chunksize: map over nothing with a chunksize does not stall", async () => {
    assert.deepEqual(await pool.mapAsync(sqr, [], { chunksize: 1 }).get({ timeout: 1 }), []);
  });

  test("test_map_handle_iterable_exception: the input's own error rejects map", async () => {
    await assert.rejects(pool.map(sqr, exceptionThrowingGenerator(1, -1), { chunksize: 1 }), SayWhenError);
    await assert.rejects(pool.map(sqr, exceptionThrowingGenerator(10, 3), { chunksize: 1 }), SayWhenError);
    const special: Iterable<number> = {
      [Symbol.iterator]: () => ({
        next: () => {
          throw new SayWhenError();
        },
      }),
    };
    await assert.rejects(pool.map(sqr, special, { chunksize: 1 }), SayWhenError);
  });

  test("test_async: applyAsync(...).get() waits for the value", async () => {
    const res = pool.applyAsync(sqr, [7, 0.1]);
    assert.equal(await res.get(), 49);
    assert.equal(res.ready(), true);
    assert.equal(res.successful(), true);
  });

  test("test_async_timeout: get({ timeout }) gives up with mp.TimeoutError, and the task goes on", async () => {
    const res = pool.applyAsync(sqr, [6, 1.1]);
    const t0 = performance.now();
    await assert.rejects(res.get({ timeout: 0.1 }), fails(mp.TimeoutError, "timed out after 0.1 s", "get() again"));
    assert.ok(performance.now() - t0 >= 95, "it gave up before its timeout");
    assert.equal(res.ready(), false);
    assert.throws(() => res.successful(), fails(mp.PoolStateError, "not ready yet"));
    await res.wait({ timeout: 0.01 });
    assert.equal(res.ready(), false);
    assert.equal(await res.get(), 36);
  });

  test("test_imap: in order, through for await and through next(); done after the last", async () => {
    const all: number[] = [];
    for await (const v of pool.imap(sqr, range(10))) all.push(v);
    assert.deepEqual(all, range(10).map((x) => x * x));
    const it = pool.imap(sqr, range(10));
    for (let i = 0; i < 10; i++) assert.deepEqual(await it.next(), { done: false, value: i * i });
    assert.deepEqual(await it.next(), { done: true, value: undefined });
    const big = pool.imap(sqr, range(1000), { chunksize: 100 });
    for (let i = 0; i < 1000; i++) assert.equal((await big.next()).value, i * i);
    assert.equal((await big.next()).done, true);
  });

  test("test_imap_handle_iterable_exception: the values before the chunk that failed to read, then the error", async () => {
    for (const [total, when, chunksize, before] of [
      [1, -1, 1, 0],
      [10, 3, 1, 3],
      [20, 7, 2, 6],
      [20, 7, 4, 4],
    ]) {
      const { values, error } = await drain(pool.imap(sqr, exceptionThrowingGenerator(total, when), { chunksize }));
      assert.deepEqual(values, range(before).map((x) => x * x), `total ${total}, when ${when}, chunksize ${chunksize}`);
      assert.ok(error instanceof SayWhenError);
    }
  });

  test("test_imap_unordered: every value, in some order", async () => {
    const got: number[] = [];
    for await (const v of pool.imapUnordered(sqr, range(10))) got.push(v);
    assert.deepEqual(got.sort((a, b) => a - b), range(10).map((x) => x * x));
    const many: number[] = [];
    for await (const v of pool.imapUnordered(sqr, range(1000), { chunksize: 100 })) many.push(v);
    assert.deepEqual(many.sort((a, b) => a - b), range(1000).map((x) => x * x));
  });

  test("test_imap_unordered_handle_iterable_exception: the error comes, and only right values before it", async () => {
    for (const [total, when, chunksize] of [
      [1, -1, 1],
      [10, 3, 1],
      [20, 7, 2],
    ]) {
      const { values, error } = await drain(pool.imapUnordered(sqr, exceptionThrowingGenerator(total, when), { chunksize }), total);
      assert.ok(error instanceof SayWhenError, `total ${total}, when ${when}: ${String(error)}`);
      for (const v of values) assert.ok(range(when).map((x) => x * x).includes(v));
    }
  });

  test("test_traceback / test_wrapped_exception: the worker's error name, message and stack", async () => {
    function raising(): never {
      throw new RangeError("123"); // some comment
    }
    const error = await pool.apply(raising).catch((e: unknown) => e);
    assert.ok(error instanceof mp.TaskError);
    assert.ok(error instanceof mp.MpError);
    assert.equal(error.remoteName, "RangeError");
    assert.equal(error.poolName, pool.name);
    assert.match(error.message, /raising\(\.\.\.args\) failed: RangeError: 123$/);
    assert.match(String(error.stack), new RegExp(`RangeError: 123\\n\\s+at raising \\(${pool.name}:\\d+:\\d+\\)`));
    assert.doesNotMatch(String(error.stack), /pool-worker/, "the library's frames are cut off");
    // An error of the input itself is the input's own, not wrapped.
    const own = await pool.map(sqr, exceptionThrowingGenerator(1, -1), { chunksize: 1 }).catch((e: unknown) => e);
    assert.ok(own instanceof SayWhenError);
    assert.equal((own as Error).cause, undefined);
  });

  test("test_map_no_failfast: map rejects with the first error and the pool still closes and joins", async () => {
    const p = new mp.Pool(2);
    await withPool(p, async () => {
      await assert.rejects(
        p.map((x: number) => {
          throw new Error(`x${x}`.repeat(1000));
        }, [0, 1]),
        fails(mp.TaskError, "failed: Error: x"),
      );
      p.close();
      await p.join();
    });
  });
});

describe("_TestPool, each with a pool of its own", () => {
  test("test_make_pool: 0 or fewer workers are refused; Pool(3) has 3", async () => {
    assert.throws(() => new mp.Pool(-1), fails(RangeError, "processes", "-1"));
    assert.throws(() => new mp.Pool(0), fails(RangeError, "processes", "0"));
    assert.throws(() => new mp.Pool(1.5), fails(TypeError, "whole number"));
    assert.throws(() => new mp.Pool("2" as never), fails(TypeError, '"2"'));
    assert.throws(() => new mp.Pool(2, { maxtasksperchild: 0 }), fails(RangeError, "maxtasksperchild"));
    const p = new mp.Pool(3);
    await withPool(p, async () => {
      assert.equal(p.pids.length, 3);
      assert.equal(p.processes, 3);
      assert.equal(inspect(p), `<Pool name='${p.name}' state=RUN pool_size=3>`);
    });
    assert.equal(new mp.Pool({ processes: 1 }).processes, 1);
    await mp.terminateAll();
  });

  test("test_terminate: terminate() with 10000 queued tasks ends in well under 2 s; the results reject", async () => {
    const p = new mp.Pool(4);
    const result = p.mapAsync((s: number) => mp.sleep(s), range(10000).map(() => 0.1), { chunksize: 1 });
    const t0 = performance.now();
    await p.terminate();
    await p.join();
    assert.ok(performance.now() - t0 < 2000);
    await assert.rejects(result.get(), fails(mp.PoolStateError, "terminated", "no result"));
    assert.deepEqual(p.pids, []);
  });

  test("test_empty_iterable: every call over nothing gives nothing", async () => {
    const p = new mp.Pool(1);
    assert.deepEqual(await p.map(sqr, []), []);
    const imapped: number[] = [];
    for await (const v of p.imap(sqr, [])) imapped.push(v);
    for await (const v of p.imapUnordered(sqr, [])) imapped.push(v);
    assert.deepEqual(imapped, []);
    assert.deepEqual(await p.mapAsync(sqr, []).get(), []);
    p.close();
    await p.join();
  });

  test("test_context: a closed or terminated pool refuses new work with a clear error", async () => {
    const p = new mp.Pool(2);
    assert.deepEqual(await p.mapAsync(sqr, range(10)).get(), range(10).map((x) => x * x));
    await assert.rejects(p.join(), fails(mp.PoolStateError, "still running", "close()"));
    p.close();
    assert.throws(() => p.mapAsync(sqr, [1]), fails(mp.PoolStateError, "is closed", "Pool not running"));
    await assert.rejects(p.map(sqr, [1]), fails(mp.PoolStateError, "is closed"));
    await p.join();
    await p.terminate();
    assert.throws(() => p.applyAsync(sqr, [1]), fails(mp.PoolStateError, "is terminated"));
    assert.throws(() => p.imap(sqr, [1]), fails(mp.PoolStateError, "is terminated"));
  });
});

describe("_TestPoolWorkerErrors", () => {
  test("test_async_error_callback: the task's error rejects get(); successful() is false", async () => {
    const p = new mp.Pool(2);
    await withPool(p, async () => {
      const res = p.applyAsync(() => {
        const e = new Error("'key'");
        e.name = "KeyError";
        throw e;
      });
      await assert.rejects(res.get(), (e: unknown) => e instanceof mp.TaskError && e.remoteName === "KeyError");
      assert.equal(res.ready(), true);
      assert.equal(res.successful(), false);
    });
  });

  test("test_unpickleable_result: a value that cannot be sent back is reported, 20 times over, and the pool goes on", async () => {
    const p = new mp.Pool(2);
    await withPool(p, async () => {
      const pids = p.pids;
      for (let i = 0; i < 20; i++) {
        const res = p.applyAsync(function unpickleableResult() {
          return () => 42;
        });
        await assert.rejects(res.get(), fails(mp.MaybeEncodingError, "unpickleableResult(...args)", "could not be cloned", "plain data"));
      }
      assert.deepEqual(await p.map(sqr, [1, 2, 3]), [1, 4, 9]);
      assert.deepEqual(p.pids, pids, "no worker was replaced");
    });
  });
});

describe("_TestPoolWorkerLifetime", () => {
  test("test_pool_worker_lifetime: maxtasksperchild replaces workers, the results stay right, the size stays 3", async () => {
    const p = new mp.Pool(3, { maxtasksperchild: 10 });
    await withPool(p, async () => {
      assert.equal(p.pids.length, 3);
      const original = p.pids;
      const results = range(100).map((i) => p.applyAsync(sqr, [i]));
      for (const [j, res] of results.entries()) assert.equal(await res.get(), sqr(j));
      await until(() => p.pids.length === 3, "the pool to have 3 workers again");
      assert.notDeepEqual([...p.pids].sort(), [...original].sort());
      p.close();
      await p.join();
    });
  });

  test("test_pool_worker_lifetime_early_close: close() with tasks still queued and maxtasksperchild 1 runs them all", async () => {
    const p = new mp.Pool(3, { maxtasksperchild: 1 });
    const results = range(6).map((i) => p.applyAsync(sqr, [i, 0.3]));
    p.close();
    await p.join();
    for (const [j, res] of results.entries()) assert.equal(await res.get(), sqr(j));
  });
});

describe("_TestInitializers", () => {
  afterEach(() => mp.terminateAll());

  test("test_pool_initializer: each worker calls it once with initargs, before its first task; a fresh worker calls it too", async () => {
    const started = mp.Value("i", 0);
    function setup(count: mp.Value, tag: string): void {
      mp.withLock(count.getLock(), () => (count.value += 1));
      (globalThis as unknown as { tag: string }).tag = `${tag}-${count.value}`;
    }
    const p = new mp.Pool(2, { initializer: setup, initargs: [started, "ready"] });
    const tags = await p.map(function tagged(x: number) {
      return `${(globalThis as unknown as { tag?: string }).tag ?? "no initializer"} ${x}`;
    }, range(8), { chunksize: 1 });
    assert.ok(tags.every((t, i) => /^ready-[12] \d$/.test(t) && t.endsWith(` ${i}`)), tags.join(", "));
    await until(() => started.value === 2, "both workers to have called the initializer");
    // maxtasksperchild: 1 gives each task a fresh worker, which calls it again.
    const fresh = mp.Value("i", 0);
    const q = new mp.Pool(1, { maxtasksperchild: 1, initializer: setup, initargs: [fresh, "again"] });
    assert.deepEqual(await q.map(sqr, [1, 2, 3], { chunksize: 1 }), [1, 4, 9]);
    assert.ok(fresh.value >= 3, `the initializer ran ${fresh.value} times for 3 tasks on fresh workers`);
  });

  test("an initializer that throws fails every task with its error, instead of starting workers for ever (Python hangs)", async () => {
    const p = new mp.Pool(1, {
      initializer: function setup() {
        throw new RangeError("no database");
      },
    });
    await assert.rejects(p.map(sqr, [1, 2]), fails(mp.TaskError, "the pool's initializer setup, so sqr(items[0]) could not run, failed: RangeError: no database", "make a new Pool"));
    await assert.rejects(p.apply(sqr, [3]), fails(mp.TaskError, "initializer setup, so sqr(...args) could not run"));
  });

  test("a bad initializer or initargs is refused when the pool is made, saying what was wrong (test_pool_initializer's TypeError)", () => {
    assert.throws(() => new mp.Pool(1, { initializer: 3 as never }), fails(TypeError, "initializer must be a function"));
    assert.throws(() => new mp.Pool(1, { initializer: () => 1, initargs: 5 as never }), fails(TypeError, "initargs must be an array", "5"));
    assert.throws(() => new mp.Pool(1, { initargs: [1] }), fails(TypeError, "initargs were given without an initializer"));
    const outside = 7;
    assert.throws(() => new mp.Pool(1, { initializer: () => outside }), fails(TypeError, "uses `outside`", "initargs"));
  });
});

describe("beyond CPython's tests", () => {
  afterEach(() => mp.terminateAll());

  test("a task that throws leaves the pool as it was: same workers, and they take the next tasks", async () => {
    const p = new mp.Pool(2);
    const pids = p.pids;
    await assert.rejects(
      p.map(function check(x: number) {
        if (x === 3) throw new TypeError(`bad item ${x}`);
        return x;
      }, range(6), { chunksize: 1 }),
      fails(mp.TaskError, `${p.name}: check(items[3]) failed: TypeError: bad item 3`),
    );
    assert.deepEqual(p.pids, pids);
    assert.deepEqual(await p.map(sqr, range(4)), [0, 1, 4, 9]);
  });

  test("a worker that ends in the middle of a task fails that task, and the pool starts a fresh one in its place", async () => {
    const p = new mp.Pool(2);
    const before = p.pids;
    await assert.rejects(
      p.apply(() => process.exit(3)),
      fails(mp.TaskError, "ended with exit code 3", "fresh worker"),
    );
    await until(() => p.pids.length === 2, "a replacement worker");
    assert.equal(p.pids.filter((pid) => before.includes(pid)).length, 1);
    assert.deepEqual(await p.map(sqr, range(4), { chunksize: 1 }), [0, 1, 4, 9]);
  });

  test("tasks sent ahead to a worker that ends are not lost: the one it ran fails, those waiting behind it run on the fresh worker", async () => {
    // Short tasks: after a few, the pool sends a worker many at a time (src/pool/pool-worker-slot.ts).
    const p = new mp.Pool(1);
    assert.deepEqual(await p.map(sqr, range(50), { chunksize: 1 }), range(50).map((x) => x * x));
    const results = range(12).map((x) =>
      p.applyAsync(function maybeExit(x: number) {
        if (x === 3) process.exit(4);
        return x;
      }, [x]),
    );
    const settled = await Promise.allSettled(results.map((r) => r.get({ timeout: 20 })));
    assert.deepEqual(settled.map((s) => (s.status === "fulfilled" ? s.value : "failed")), [0, 1, 2, "failed", 4, 5, 6, 7, 8, 9, 10, 11]);
    const [failed] = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    assert.match(String(failed.reason), /ended with exit code 4/);
    await p.terminate();
  });

  test("the function may use only its arguments and globals, as a Process's target", async () => {
    const p = new mp.Pool(1);
    const k = 3;
    await assert.rejects(p.map((x: number) => x * k, [1]), fails(TypeError, "uses `k`", "items or arguments"));
    assert.throws(() => p.applyAsync(Math.max, [1, 2]), fails(TypeError, "built-in"));
  });

  test("bad items and options are refused with what was wrong", async () => {
    const p = new mp.Pool(1);
    await assert.rejects(p.starmap(mul, [[1, 2], 3 as never]), fails(TypeError, "items[1] must be an array of arguments for mul", "3"));
    await assert.rejects(p.map(sqr, [1], { chunksize: 0 }), fails(RangeError, "chunksize", "0"));
    await assert.rejects(p.map(sqr, 5 as never), fails(TypeError, "items must be an iterable", "5"));
    assert.throws(() => p.applyAsync(sqr, 5 as never), fails(TypeError, "args must be an array"));
    const it = p.imap((s: number) => mp.sleep(s), [1]);
    await assert.rejects(it.next({ timeout: 0.05 }), fails(mp.TimeoutError, "next() timed out after 0.05 s"));
  });

  test("imap reads its input as workers become free: an endless generator works, and break stops the reading", async () => {
    const p = new mp.Pool(2);
    let read = 0;
    function* naturals(): Generator<number> {
      for (;;) yield read++;
    }
    const seen: number[] = [];
    for await (const v of p.imap(sqr, naturals())) {
      seen.push(v);
      if (seen.length === 20) break;
    }
    assert.deepEqual(seen, range(20).map((x) => x * x));
    const readAtBreak = read;
    await mp.sleepAsync(0.1);
    assert.equal(read, readAtBreak, "the input was read after break");
  });

  test("shared objects in items travel by memory: every task's update lands in one Value", async () => {
    const p = new mp.Pool(2);
    const total = mp.Value("i", 0);
    await p.map(
      ([v, n]: [mp.Value, number]) => {
        for (let i = 0; i < n; i++) mp.withLock(v.getLock(), () => (v.value += 1));
      },
      range(8).map((): [mp.Value, number] => [total, 100]),
      { chunksize: 1 },
    );
    assert.equal(total.value, 800);
  });

  test("what a task prints has all arrived when its call resolves", async () => {
    const p = new mp.Pool(2);
    const { result, text } = await captureStdout(() =>
      p.map((x: number) => {
        console.log(`item ${x}`);
        return x;
      }, range(20), { chunksize: 1 }),
    );
    assert.deepEqual(result, range(20));
    assert.deepEqual(text.trim().split("\n").sort(), range(20).map((x) => `item ${x}`).sort());
  });

  test("terminateAll() ends pools too, and their pending results reject", async () => {
    const p = new mp.Pool(2);
    const res = p.applyAsync((s: number) => mp.sleep(s), [30]);
    assert.equal(await mp.terminateAll(), 1);
    await assert.rejects(res.get(), fails(mp.PoolStateError, "terminated"));
    assert.throws(() => p.applyAsync(sqr, [1]), fails(mp.PoolStateError));
  });

  test("an interrupt in a notebook (the tslab host's SIGINT) ends the pool's workers as it ends a Process's", async () => {
    useHost("tslab");
    const otherListener = (): void => undefined; // the kernel's own listener, without which the host steps aside
    process.on("SIGINT", otherListener);
    try {
      const p = new mp.Pool(2);
      const res = p.mapAsync((s: number) => mp.sleep(s), [30, 30]);
      await until(() => process.listenerCount("SIGINT") === 2, "the host to listen for interrupts");
      const { text } = await captureStderr(async () => {
        process.emit("SIGINT");
        await assert.rejects(res.get(), fails(mp.PoolStateError, "terminated", "interrupt"));
        await p.join();
      });
      assert.match(text, new RegExp(`Interrupted: ending 1 running process \\(${p.name}\\)`));
      assert.deepEqual(p.pids, []);
      await until(() => process.listenerCount("SIGINT") === 1, "the host to stop listening");
    } finally {
      process.off("SIGINT", otherListener);
      useHost("plain");
    }
  });
});

/** What `fn` writes to stderr (the interrupt's note). */
async function captureStderr<T>(fn: () => Promise<T>): Promise<{ result: T; text: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let text = "";
  process.stderr.write = ((chunk: string | Uint8Array) => ((text += String(chunk)), true)) as typeof process.stderr.write;
  try {
    const result = await fn();
    await mp.sleepAsync(0.05);
    return { result, text };
  } finally {
    process.stderr.write = write;
  }
}
