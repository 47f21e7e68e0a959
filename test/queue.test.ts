/**
 * mp.Queue, mp.SimpleQueue and mp.JoinableQueue: the behaviours CPython's own tests check
 * (Lib/test/_test_multiprocessing.py, classes `_TestQueue` and `TestSimpleQueue`; each test names
 * the one it comes from), across real workers, plus this library's refusals.
 *
 * What these runs cover: each test's results hold whatever the order the OS ran the threads in
 * (the items are counted and compared, never timed against each other), but a run tries only the
 * interleavings that happened. Every wait on the main thread ends (a timeout, or a worker joined
 * with one), so a broken queue fails a test instead of hanging it. Every interleaving of small producer/consumer cases is explored in
 * test/explore-queue.test.ts.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { fails, finish, run } from "./helpers/util";

/** Awaits `promise`, failing (not hanging) after `seconds`. */
async function within<T>(promise: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${seconds} s`)), seconds * 1000)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Puts `items` from a worker, one blocking put each. */
function producer(q: mp.Queue, items: unknown[]): void {
  for (const item of items) q.put(item);
}

/** Puts `item(0)`, `item(1)`, … with `putNowait` until the queue is full; returns what went in. */
function fillUntilFull<T>(q: mp.Queue, item: (i: number) => T): T[] {
  const put: T[] = [];
  for (;;) {
    const next = item(put.length);
    try {
      q.putNowait(next);
    } catch (error) {
      assert.ok(error instanceof mp.Full, String(error));
      return put;
    }
    put.push(next);
  }
}

test("put with block/timeout fills the queue to maxsize, then Full; a worker gets them all in order (_TestQueue.test_put)", async () => {
  const q = new mp.Queue(6);
  q.putNowait(1);
  q.put(2, { block: false });
  await q.putAsync(3);
  await q.putAsync(4, { timeout: 1 });
  q.put(5, { block: false, timeout: 5 }); // Python ignores the timeout when not blocking
  q.putNowait(6);
  assert.equal(q.qsize(), 6);
  assert.equal(q.empty(), false);
  assert.equal(q.full(), true);
  // Each error names the call that was made.
  assert.throws(() => q.putNowait(7), fails(mp.Full, "Queue.putNowait(): the queue is full", "Nothing was put"));
  assert.throws(() => q.put(7, { block: false }), fails(mp.Full, "Queue.put(): the queue is full"));
  const began = performance.now();
  await assert.rejects(q.putAsync(7, { timeout: 0.1 }), mp.Full);
  assert.ok(performance.now() - began >= 95, "a timed put waits its timeout before Full");
  assert.ok(mp.Full.prototype instanceof mp.MpError && new mp.Full("x").name === "Full");
  const got = mp.Array("i", 6, { lock: false });
  await run((q: mp.Queue, got: mp.Array) => {
    for (let i = 0; i < 6; i++) got[i] = q.get() as number;
  }, [q, got]);
  assert.deepEqual(got.toArray(), [1, 2, 3, 4, 5, 6]);
  assert.equal(q.empty(), true);
  assert.equal(q.full(), false);
});

test("get with block/timeout takes what a worker put, then Empty; a timed get waits its timeout (_TestQueue.test_get, test_timeout)", async () => {
  const q = new mp.Queue();
  await run(producer, [q, [1, 2, 3, 4]]);
  assert.equal(await q.getAsync(), 1);
  assert.equal(await q.getAsync({ timeout: 1 }), 2);
  assert.equal(q.get({ block: false }), 3);
  assert.equal(q.getNowait(), 4);
  assert.equal(q.empty(), true);
  assert.throws(() => q.getNowait(), fails(mp.Empty, "Queue.getNowait(): the queue is empty", "Nothing was taken"));
  assert.throws(() => q.get({ block: false }), fails(mp.Empty, "Queue.get(): the queue is empty"));
  const began = performance.now();
  await assert.rejects(q.getAsync({ timeout: 0.2 }), mp.Empty);
  assert.ok(performance.now() - began >= 195, "getAsync waited its timeout");
  // The same in a worker, blocking: Empty after about the timeout.
  const waited = mp.Value("d", 0, { lock: false });
  await run((q: mp.Queue, waited: mp.Value) => {
    const began = performance.now();
    try {
      q.get({ timeout: 0.2 });
    } catch (error) {
      if (!(error instanceof mp.Empty)) throw error;
      waited.value = performance.now() - began;
    }
  }, [q, waited]);
  assert.ok(waited.value >= 195, `the worker's get gave up after ${waited.value} ms`);
});

test("items put in a worker arrive in order, and any structured-cloneable value travels as a copy (_TestQueue.test_fork)", async () => {
  const q = new mp.Queue();
  const values = [0, -1.5, "text", null, true, [1, [2]], { a: { b: "c" } }, new Map([["k", 1]]), new Set([1]), new Date(0), new Uint8Array([1, 2]), 10n, "x".repeat(1000)];
  await run(producer, [q, values]);
  const got: unknown[] = [];
  while (!q.empty()) got.push(q.getNowait());
  assert.deepEqual(got, values);
});

test("every item arrives as structured clone would copy it: fast-encoded values and v8.serialize's alike", async () => {
  const shared = { s: 1 };
  const cyclic: { self?: unknown; n: number } = { n: 1 };
  cyclic.self = cyclic;
  class Point {
    constructor(readonly x: number, readonly y: number) {}
  }
  const values: unknown[] = [
    -0, NaN, Infinity, -1.5e300, 2 ** 31, -(2 ** 31), 0x7fffffff, "", "é", "naïve ☃ 😀", "é".repeat(500), "x".repeat(70), "lone \ud800 surrogate", "\udc00".repeat(100),
    [1, [2, [3, []]]], new Array(2).fill(1, 1), { a: undefined, "b c": null, 3: "three" }, Object.assign(Object.create(null), { k: 1 }),
    [shared, shared], cyclic, new Point(1, 2), { when: new Date(5), tags: new Set(["a"]) }, [1n, new Float64Array([0.5])],
    // An own "__proto__" key stays an own key; non-ASCII keys; ASCII strings either side of the short-string cache's limit (24).
    JSON.parse('{"__proto__": {"x": 1}, "a": 2}'), { é: 1, "😀": [2] }, "y".repeat(24), "y".repeat(25),
    // More objects than the short list of objects met (16): the set takes over, and still finds one met twice.
    Array.from({ length: 20 }, (_, i) => ({ i })), [...Array.from({ length: 20 }, (_, i) => ({ i })), shared, shared],
  ];
  const q = new mp.Queue();
  for (const v of values) q.putNowait(v);
  const received = values.map(() => q.getNowait());
  // Compared once all were taken: an item's bytes are read into memory the next get reuses, and nothing received may point into it.
  values.forEach((v, i) => assert.deepStrictEqual(received[i], structuredClone(v), `item ${i} arrives as structuredClone copies it`));
  // Thousands of distinct short keys and values: the cache of short strings never gives one for another.
  const many = Array.from({ length: 3000 }, (_, i) => ({ [`k${i}`]: `v${i % 997}`, [`K${i * 7}`]: i }));
  for (const v of many) q.putNowait(v);
  for (const v of many) assert.deepStrictEqual(q.getNowait(), v);
  // Identity within an item is kept, as structured clone keeps it.
  q.putNowait([shared, shared]);
  const [a, b] = q.getNowait() as object[];
  assert.equal(a, b);
  q.putNowait(cyclic);
  const c = q.getNowait() as { self: unknown };
  assert.equal(c.self, c);
  // A key some code made enumerable on Object.prototype is not the item's own: it does not travel.
  Object.defineProperty(Object.prototype, "polluted", { value: 1, enumerable: true, configurable: true });
  try {
    q.putNowait({ own: 1 });
    assert.deepStrictEqual(Object.keys(q.getNowait() as object), ["own"]);
  } finally {
    delete (Object.prototype as { polluted?: number }).polluted;
  }
});

test("objects of one shape, again and again, arrive as they were put: shapes cached by their keys never mix up (src/queue/object-shapes.ts)", () => {
  const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key${i}`, i]));
  const values: unknown[] = [];
  for (let round = 0; round < 4; round++) {
    values.push(
      { a: round, b: "x" },
      { b: round, a: "y" }, // the same keys in another order: another shape
      { a: round, b: "x", c: null },
      { a: { a: round, b: "x" }, b: [{ a: 1, b: 2 }, { b: 3, a: 4 }] }, // nested, sharing shapes with the outer ones
      JSON.parse(`{"__proto__": ${round}, "p": 1}`), // a shape no object literal can make
      { 1: "one", 0: "zero", z: round }, // integer keys come first, as structured clone and Object.keys order them
      { é: round, ab: 1 }, // a non-ASCII key
      wide, // more keys than the caches keep
      {},
      { [`k${round}`]: round }, // a shape met once
      { ab: round, cd: 1 }, // these two keys' bytes differ only inside: the same slot of the shape caches
      { ax: round, cd: 1 },
    );
  }
  // A getter that deletes a key walked after it, in an object of the shape just written: the count of
  // keys written would be wrong, so it goes the slow way (structured clone skips the deleted key).
  values.push({ a: 0, b: 0 }, { get a() { delete (this as { b?: number }).b; return 1; }, b: 2 });
  const q = new mp.Queue();
  for (const v of values) q.putNowait(v);
  for (const v of values) {
    const got = q.getNowait();
    assert.deepStrictEqual(got, structuredClone(v));
    assert.deepStrictEqual(Object.keys(got as object), Object.keys(v as object), "keys in the same order");
  }
});

test("two getAsync calls on two queues in one thread, woken together, each get their own queue's item", async () => {
  // Each item is copied out of its ring into the thread's one scratch; one found after an await must
  // be decoded before the other get, which resumes in between, copies its own there.
  const q1 = new mp.Queue();
  const q2 = new mp.Queue();
  const got = Promise.all([q1.getAsync(), q2.getAsync()]);
  await new Promise((resolve) => setTimeout(resolve, 20)); // both sleep
  q1.putNowait({ from: "q1" });
  q2.putNowait({ from: "q2" });
  assert.deepStrictEqual(await got, [{ from: "q1" }, { from: "q2" }]);
});

test("objects of one shape still arrive in a process that may not make code from strings (node --disallow-code-generation-from-strings)", () => {
  const script = `
    const mp = require(${JSON.stringify(join(__dirname, "..", "dist"))});
    const q = new mp.Queue();
    for (let i = 0; i < 3; i++) q.putNowait({ id: i, tag: "item" });
    console.log(JSON.stringify([q.getNowait(), q.getNowait(), q.getNowait()]));`;
  const out = spawnSync(process.execPath, ["--disallow-code-generation-from-strings", "-e", script], { encoding: "utf8" });
  assert.equal(out.status, 0, out.stderr);
  assert.deepStrictEqual(JSON.parse(out.stdout), [0, 1, 2].map((id) => ({ id, tag: "item" })));
});

test("the counts of items and bytes wrap round 2³² without a change anyone can see (white-box: the cells of src/queue/channel.ts set near the wrap)", () => {
  /** A queue whose counts of items and bytes start a few short of wrapping, as after some 2³¹ puts. */
  const nearWrap = (maxsize: number): mp.Queue => {
    const q = new mp.Queue(maxsize, { bytes: 64 });
    const cells = new Int32Array(q.buffer, 0, 64);
    for (const i of [0, 3, 16, 19]) cells[i] = 0x7fffffff - 2; // PUTS, SEEN_GETS, GETS, SEEN_PUTS
    for (const i of [1, 4, 17]) cells[i] = 0x7fffffff - 25; // PUT_BYTES, SEEN_GET_BYTES, GET_BYTES
    return q;
  };
  // Bounded by maxsize: full at 3 across the wrap, and a place freed is a place to put.
  const q = nearWrap(3);
  assert.equal(q.empty(), true);
  for (let i = 0; i < 3; i++) q.putNowait(i);
  assert.equal(q.qsize(), 3);
  assert.equal(q.full(), true);
  assert.throws(() => q.putNowait(3), mp.Full);
  assert.equal(q.getNowait(), 0);
  q.putNowait(3);
  assert.deepStrictEqual([q.getNowait(), q.getNowait(), q.getNowait()], [1, 2, 3]);
  assert.equal(q.empty(), true);
  assert.throws(() => q.getNowait(), mp.Empty);
  // Bounded by bytes: as many items fit in the 64-byte ring as in a fresh one, again and again.
  const fill = (q: mp.Queue): number => fillUntilFull(q, (i) => i).length;
  const fits = fill(new mp.Queue(0, { bytes: 64 }));
  const wrapping = nearWrap(0);
  for (let round = 0; round < 4; round++) {
    assert.equal(fill(wrapping), fits, `round ${round}: as many items fit as in a fresh ring`);
    for (let i = 0; i < fits; i++) assert.equal(wrapping.getNowait(), i);
    assert.equal(wrapping.empty(), true);
  }
});

test("a long string is written straight into the ring, and where its most bytes might not fit so, put as bytes: as many fit, and each arrives as it was (src/queue/channel.ts, writeInPlace)", () => {
  // Records of 1 kB ASCII strings: a 4-byte header, then the codec's tag, the string's tag and
  // length and its bytes, padded to a multiple of 4 (src/queue/ring.ts).
  const record = 4 + Math.ceil((1 + 5 + 1024) / 4) * 4;
  const q = new mp.Queue(0, { bytes: 8192 });
  const fill = (text: (i: number) => string): string[] => fillUntilFull(q, text);
  // Written in place a string needs room for 3 bytes a character: a ring that has room for the
  // real bytes takes it all the same.
  for (let round = 0; round < 30; round++) {
    const put = fill((i) => `${round}:${i}:`.padEnd(1024, "x"));
    assert.equal(put.length, Math.floor(8192 / record), `round ${round}: as many 1 kB strings as fit by their bytes`);
    for (const s of put) assert.equal(q.getNowait(), s);
    // Half a ring more of puts and gets, so the ends go round the ring's end at another place each round.
    for (let i = 0; i < 3 + (round % 4); i++) {
      q.putNowait(`${i}`.padEnd(1024, "y"));
      assert.equal(q.getNowait(), `${i}`.padEnd(1024, "y"));
    }
  }
  // Strings of other characters, in place and across the ring's end: 2- and 4-byte UTF-8, and a
  // lone surrogate (UTF-8 cannot hold it: it goes by v8.serialize).
  const others = ["é".repeat(300), "😀".repeat(200), `${"\ud800".repeat(150)}x`, "a".repeat(127), "a".repeat(128), `${"a".repeat(999)}é`];
  for (let i = 0; i < 60; i++) {
    const s = others[i % others.length] + i;
    q.putNowait(s);
    assert.equal(q.getNowait(), s);
  }
  // A string whose most bytes would not fit the ring at all, though its real bytes do.
  const small = new mp.Queue(0, { bytes: 4096 });
  small.putNowait("z".repeat(2000));
  assert.equal(small.getNowait(), "z".repeat(2000));
  assert.throws(() => small.putNowait("z".repeat(5000)), fails(RangeError, "bytes serialized"));
});

test("items of every length from 0 to 300 bytes, each put where the last ended, so that records cross the ring's end at every place: each arrives as it was (src/queue/ring.ts copies words, then the last bytes)", () => {
  const q = new mp.Queue(0, { bytes: 1024 });
  // Strings under 128 characters are encoded, then copied in; arrays of numbers too; both a word
  // at a time up to 256 bytes, by Uint8Array.set above.
  const items: unknown[] = [];
  for (let n = 0; n < 120; n++) items.push("é".repeat(n % 7) + "abc".repeat(n).slice(0, n));
  for (let n = 0; n < 30; n++) items.push(Array.from({ length: n }, (_, i) => i * 1.5));
  for (let round = 0; round < 3; round++) {
    for (const item of items) {
      q.putNowait(item);
      assert.deepStrictEqual(q.getNowait(), item);
    }
    // Two at a time: the second record's place follows the first's.
    for (let i = 0; i + 1 < items.length; i += 2) {
      q.putNowait(items[i]);
      q.putNowait(items[i + 1]);
      assert.deepStrictEqual([q.getNowait(), q.getNowait()], [items[i], items[i + 1]]);
    }
  }
});

test("qsize counts what is in the queue (_TestQueue.test_qsize)", async () => {
  const q = new mp.Queue();
  q.putNowait(1);
  assert.equal(q.qsize(), 1);
  q.putNowait(5);
  assert.equal(q.qsize(), 2);
  q.getNowait();
  assert.equal(q.qsize(), 1);
  q.getNowait();
  assert.equal(q.qsize(), 0);
});

test("many producers and consumers in workers: every item arrives once, each producer's in order (_TestQueue.test_fork, scaled up)", async () => {
  const q = new mp.Queue(3, { bytes: 256 });
  const producers = [0, 1, 2].map((p) => new mp.Process({ target: producer, args: [q, Array.from({ length: 200 }, (_, i) => ({ p, i }))] }));
  const seen = mp.Array("i", 3 * 200, { lock: false });
  const order = mp.Array("i", 3, { lock: false }); // a consumer's check that each producer's items come in order
  const consumer = (q: mp.Queue, seen: mp.Array, order: mp.Array) => {
    const last = [-1, -1, -1];
    for (;;) {
      const item = q.get() as { p: number; i: number } | null;
      if (item === null) return;
      seen[item.p * 200 + item.i] += 1;
      if (item.i <= last[item.p]) order[item.p] = 1;
      last[item.p] = item.i;
    }
  };
  const consumers = [0, 1].map(() => new mp.Process({ target: consumer, args: [q, seen, order] }));
  for (const p of [...producers, ...consumers]) p.start();
  for (const p of producers) await finish(p, 30);
  await q.putAsync(null);
  await q.putAsync(null);
  for (const p of consumers) await finish(p, 30);
  assert.deepEqual(seen.toArray(), new Array(600).fill(1), "every item got exactly once");
  assert.deepEqual(order.toArray(), [0, 0, 0], "no consumer saw a producer's items out of order");
  assert.equal(q.qsize(), 0);
});

test("an item that cannot be copied is refused with a clear error, and the queue works on (_TestQueue.test_queue_feeder_donot_stop_onexc)", async () => {
  const q = new mp.Queue(0, { bytes: 64 });
  assert.throws(() => q.putNowait({ f: () => 1 }), fails(TypeError, "cannot be copied", "structured clone", "Nothing was sent"));
  assert.throws(() => q.putNowait(new mp.Lock()), fails(TypeError, "args"));
  assert.throws(() => q.putNowait("x".repeat(100)), fails(RangeError, "106 bytes", "64 bytes", "{ bytes: "));
  assert.equal(q.qsize(), 0);
  q.putNowait(true);
  assert.equal(await q.getAsync({ timeout: 1 }), true);
});

test("a closed queue refuses put and get (_TestQueue.test_closed_queue_put_get_exceptions); other threads' handles work on", async () => {
  for (const q of [new mp.Queue(), new mp.JoinableQueue()]) {
    q.putNowait("before");
    q.close();
    assert.equal(q.closed, true);
    assert.throws(() => q.putNowait("foo"), fails(mp.ClosedError, "is closed", "close()"));
    assert.throws(() => q.getNowait(), fails(mp.ClosedError, "closed"));
    await assert.rejects(q.getAsync(), mp.ClosedError);
    // Python's close() is for this process's handle: a worker still gets what was put.
    const got = mp.Value("i", 0, { lock: false });
    await run((q: mp.Queue, got: mp.Value) => {
      got.value = q.get() === "before" ? 1 : -1;
    }, [q, got]);
    assert.equal(got.value, 1);
  }
});

test("JoinableQueue: join returns once every item is done; too many taskDone is an error (_TestQueue.test_task_done)", async () => {
  const q = new mp.JoinableQueue();
  const done = mp.Array("i", 10, { lock: false });
  const worker = (q: mp.JoinableQueue, done: mp.Array) => {
    for (;;) {
      const item = q.get() as number | null;
      if (item === null) {
        q.taskDone();
        return;
      }
      mp.sleep(0.005);
      done[item] = 1;
      q.taskDone();
    }
  };
  const workers = [0, 1, 2, 3].map(() => new mp.Process({ target: worker, args: [q, done] }));
  for (const w of workers) w.start();
  for (let i = 0; i < 10; i++) await q.putAsync(i);
  await within(q.joinAsync(), 30, "joinAsync()");
  // join() returned: every item was marked done before its taskDone().
  assert.deepEqual(done.toArray(), new Array(10).fill(1));
  assert.equal(q.unfinished(), 0);
  for (let i = 0; i < 4; i++) await q.putAsync(null);
  for (const w of workers) await finish(w);
  await within(q.joinAsync(), 1, "joinAsync() with nothing unfinished");
  assert.throws(() => q.taskDone(), fails(mp.ReleaseError, "more times than items were put"));
  // A worker's blocking join() too.
  q.putNowait(1);
  const joined = new mp.Process({ target: (q: mp.JoinableQueue) => q.join(), args: [q] });
  joined.start();
  await mp.sleepAsync(0.05);
  assert.equal(joined.isAlive(), true, "join() waits while an item is not done");
  q.getNowait();
  q.taskDone();
  await finish(joined);
});

test("SimpleQueue: empty before and after a worker puts; get, close (TestSimpleQueue.test_empty, test_close)", async () => {
  const q = new mp.SimpleQueue();
  assert.equal(q.empty(), true);
  await run((q: mp.SimpleQueue) => {
    q.put(1);
    q.put("two");
  }, [q]);
  assert.equal(q.empty(), false);
  assert.equal(await q.getAsync(), 1);
  assert.equal(await q.getAsync(), "two");
  assert.equal(q.empty(), true);
  const echoed = new mp.SimpleQueue();
  const p = new mp.Process({ target: (q: mp.SimpleQueue, back: mp.SimpleQueue) => back.put(q.get()), args: [q, echoed] });
  p.start();
  await q.putAsync({ n: 3 });
  await finish(p); // the echo is in `echoed` once the worker has ended (a getAsync here could wait for ever)
  assert.deepEqual(await echoed.getAsync(), { n: 3 });
  q.close();
  q.close();
  assert.throws(() => q.get(), mp.ClosedError);
});

test("the main thread may not wait: put/get that would block are refused with the Async twin named", () => {
  const q = new mp.Queue(1);
  assert.throws(() => q.put(1), fails(mp.BlockingCallError, "Queue.put()", "putAsync"));
  assert.throws(() => q.get(), fails(mp.BlockingCallError, "Queue.get()", "getAsync"));
  assert.throws(() => q.get({ timeout: 1 }), mp.BlockingCallError);
  assert.throws(() => new mp.SimpleQueue().get(), fails(mp.BlockingCallError, "getAsync"));
  assert.throws(() => new mp.JoinableQueue().join(), fails(mp.BlockingCallError, "joinAsync"));
});

test("bad arguments are refused with what was wrong", () => {
  assert.throws(() => new mp.Queue(1.5), fails(TypeError, "maxsize", "whole number"));
  assert.throws(() => new mp.Queue(0, { bytes: 4 }), fails(RangeError, "bytes"));
  assert.throws(() => new mp.Queue(0, "big" as never), fails(TypeError, "options"));
  const q = new mp.Queue();
  assert.throws(() => q.put(1, { block: "no" } as never), fails(TypeError, "block"));
  assert.throws(() => q.get({ timeout: -1 }), fails(RangeError, "timeout"));
  assert.throws(() => mp.Queue.fromBuffer(new mp.Lock().buffer, new mp.Lock(), new mp.Lock()), fails(TypeError, "Queue.fromBuffer()"));
  assert.throws(() => mp.Queue.fromBuffer(new mp.SimpleQueue().buffer, new mp.Lock(), new mp.Lock()), fails(TypeError, "another kind"));
  // The two locks: both, and locks (a JavaScript caller can leave one out).
  assert.throws(() => mp.Queue.fromBuffer(q.buffer, q.readLock, undefined as never), fails(TypeError, "two locks", "q.readLock, q.writeLock"));
  assert.equal(mp.Queue.fromBuffer(q.buffer, q.readLock, q.writeLock).qsize(), 0);
  assert.equal(String(new mp.Queue(2)), "<Queue(maxsize=2, items=0)>");
  assert.equal(new mp.Queue(-3).maxsize, 0, "maxsize ≤ 0 means no limit, as in Python");
});
