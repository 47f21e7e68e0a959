/**
 * Semaphore, BoundedSemaphore, Event, Condition and Barrier. Each gets a small story told by real
 * workers (a pool of printers, a start signal, a producer and its consumers, a phased
 * computation), its timeouts, its async twin on the main thread working with workers, its bad
 * inputs, its refusal to block the main thread, and its display string. Every process is joined
 * with a timeout, so a bug fails a test instead of hanging the run.
 */
import { after, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { inspect, promisify } from "node:util";
import * as mp from "../dist";
import { fails, finish, run, semaphoreWaiters, until } from "./helpers/util";
import { alive, counters, finishAll, range, startTogether, timeInWorker } from "./helpers/primitives-util";

after(() => mp.terminateAll());

/** The display of a primitive: `String(x)`, which is also what `console.log` and a cell show. */
function shows(x: object, text: string): void {
  assert.equal(String(x), text);
  assert.equal(inspect(x), text);
}

/** Is `xs` the numbers 0 .. n-1 in some order? */
function isPermutation(xs: readonly number[], n: number): boolean {
  return xs.length === n && [...xs].sort((a, b) => a - b).every((x, i) => x === i);
}

describe("Semaphore", () => {
  test("counts its free places on the main thread, and shows them", () => {
    const sem = new mp.Semaphore(2);
    shows(sem, "<Semaphore(value=2)>");
    assert.equal(sem.acquire({ blocking: false }), true);
    assert.equal(sem.acquire({ timeout: 0 }), true);
    assert.equal(sem.getValue(), 0);
    shows(sem, "<Semaphore(value=0)>");
    assert.equal(sem.acquire({ blocking: false }), false, "no place left");
    sem.release();
    sem.release();
    sem.release(); // a plain Semaphore may go above its start, as in Python
    assert.equal(sem.getValue(), 3);
    assert.equal(new mp.Semaphore().getValue(), 1, "the default is 1");
    assert.equal(new mp.Semaphore(0).getValue(), 0);
  });

  test("bad values are refused, naming the value", () => {
    assert.throws(() => new mp.Semaphore(-1), fails(RangeError, "Semaphore()", "value is -1", "between 0"));
    assert.throws(() => new mp.Semaphore(1.5), fails(TypeError, "Semaphore()", "whole number", "1.5"));
    assert.throws(() => new mp.Semaphore(NaN), fails(TypeError, "NaN"));
    assert.throws(() => new mp.Semaphore("2" as unknown as number), fails(TypeError, '"2"'));
    assert.throws(() => new mp.Semaphore(2 ** 31), fails(RangeError, String(2 ** 31)));
    assert.throws(() => new mp.BoundedSemaphore(-3), fails(RangeError, "BoundedSemaphore()", "value is -3"));
  });

  test("bad timeouts and options are refused before anything is taken", async () => {
    const sem = new mp.Semaphore(1);
    assert.throws(() => sem.acquire({ timeout: -1 }), fails(RangeError, "Semaphore.acquire()", "timeout is -1"));
    assert.throws(() => sem.acquire({ timeout: NaN }), fails(TypeError, "timeout", "NaN"));
    assert.throws(() => sem.acquire({ timeout: "1" as unknown as number }), fails(TypeError, '"1"', "seconds"));
    assert.throws(() => sem.acquire(3 as unknown as mp.AcquireOptions), fails(TypeError, "options", "3"));
    await assert.rejects(sem.acquireAsync({ timeout: -0.5 }), fails(RangeError, "Semaphore.acquireAsync()", "-0.5"));
    await assert.rejects(sem.acquireAsync({ timeout: "x" as unknown as number }), fails(TypeError, '"x"'));
    assert.equal(sem.getValue(), 1, "nothing was taken");
  });

  test("a blocking acquire() with no place free is a BlockingCallError on the main thread", () => {
    const sem = new mp.Semaphore(0);
    assert.throws(() => sem.acquire(), fails(mp.BlockingCallError, "Semaphore.acquire()", "main thread", "acquireAsync"));
    assert.throws(() => sem.acquire({ timeout: 1 }), mp.BlockingCallError);
    assert.throws(() => mp.withLock(sem, () => 1), mp.BlockingCallError);
    assert.equal(sem.getValue(), 0);
  });

  test(
    "a blocking acquire() on the main thread is refused even while a place is free, as Lock.acquire() is",
    () => {
      const sem = new mp.Semaphore(1);
      assert.throws(() => sem.acquire(), mp.BlockingCallError);
      assert.equal(sem.getValue(), 1);
    },
  );

  test("a pool of 2 printers shared by 5 workers: never more than 2 in use, and every job prints", async () => {
    const WORKERS = 5;
    const JOBS = 4;
    const printers = new mp.Semaphore(2);
    const go = new mp.Event();
    const use = counters(3); // [0] printers in use now, [1] most in use at once, [2] workers ready
    const printed = mp.Array("i", WORKERS * JOBS);
    const workers = range(WORKERS).map(
      (w) =>
        new mp.Process({
          target: (printers: mp.Semaphore, go: mp.Event, use: Int32Array, printed: mp.SharedArray<"i">, w: number, jobs: number) => {
            Atomics.add(use, 2, 1);
            if (!go.wait({ timeout: 30 })) throw new Error("the start signal never came");
            for (let j = 0; j < jobs; j++) {
              mp.withLock(printers, () => {
                const now = Atomics.add(use, 0, 1) + 1;
                for (;;) {
                  const most = Atomics.load(use, 1);
                  if (now <= most || Atomics.compareExchange(use, 1, most, now) === most) break;
                }
                mp.sleep(0.005); // printing
                printed[w * jobs + j] += 1;
                Atomics.sub(use, 0, 1);
              });
            }
          },
          args: [printers, go, use, printed, w, JOBS],
        }),
    );
    await startTogether(workers, use, 2, go);
    await finishAll(workers);
    assert.equal(use[1], 2, `at most ${use[1]} printers were in use at once; the semaphore allows exactly 2`);
    assert.equal(use[0], 0);
    assert.deepEqual(printed.toArray(), new Array(WORKERS * JOBS).fill(1), "every job printed exactly once");
    assert.equal(printers.getValue(), 2, "every place was given back");
    shows(printers, "<Semaphore(value=2)>");
  });

  test("a worker waiting in acquire() wakes when the main thread releases a place", async () => {
    const sem = new mp.Semaphore(0);
    const state = counters(2); // [0] 1 = about to wait, [1] what acquire returned + 1
    const p = new mp.Process({
      target: (sem: mp.Semaphore, state: Int32Array) => {
        Atomics.store(state, 0, 1);
        Atomics.store(state, 1, sem.acquire({ timeout: 20 }) ? 2 : 1);
      },
      args: [sem, state],
    });
    p.start();
    try {
      await until(() => state[0] === 1 && semaphoreWaiters(sem) === 1, "the worker to wait");
      assert.equal(state[1], 0, "it waits while there is no place");
      sem.release();
      await finish(p);
      assert.equal(state[1], 2, "acquire returned true");
      assert.equal(sem.getValue(), 0, "the worker took the place");
    } finally {
      await finish(p);
    }
  });

  test("acquire({ timeout: 0.2 }) in a worker returns false after about 0.2 s when no place frees up", async () => {
    const sem = new mp.Semaphore(0);
    const { result, ms } = await timeInWorker(sem, "acquire", { timeout: 0.2 });
    assert.equal(result, 0, "acquire returned false");
    assert.ok(ms >= 195 && ms < 5000, `it gave up after ${ms} ms`);
    assert.equal(sem.getValue(), 0);
  });

  test("main's acquireAsync waits while two workers hold both places, and gets one when a worker lets go", async () => {
    const sem = new mp.Semaphore(2);
    const state = counters(3); // [0] workers holding, [1] worker 0 lets go, [2] worker 1 lets go
    const holders = range(2).map(
      (w) =>
        new mp.Process({
          target: (sem: mp.Semaphore, state: Int32Array, w: number) => {
            sem.acquire();
            Atomics.add(state, 0, 1);
            while (Atomics.load(state, 1 + w) === 0) Atomics.wait(state, 1 + w, 0, 50);
            sem.release();
          },
          args: [sem, state, w],
        }),
    );
    for (const p of holders) p.start();
    try {
      await until(() => state[0] === 2, "both workers to hold a place");
      const t0 = performance.now();
      assert.equal(await alive(sem.acquireAsync({ timeout: 0.1 })), false, "no place while both are held");
      assert.ok(performance.now() - t0 >= 95, `gave up after ${performance.now() - t0} ms`);
      const waiting = sem.acquireAsync({ timeout: 20 });
      await until(() => semaphoreWaiters(sem) === 1, "the main thread's acquireAsync to wait");
      Atomics.store(state, 1, 1);
      Atomics.notify(state, 1);
      assert.equal(await waiting, true, "woken by the worker's release");
      assert.equal(sem.getValue(), 0, "main holds one place, worker 1 the other");
      sem.release();
    } finally {
      Atomics.store(state, 1, 1);
      Atomics.store(state, 2, 1);
      await finishAll(holders);
    }
    assert.equal(sem.getValue(), 2);
  });

  test("fromBuffer() rebuilds a semaphore over the same memory, and refuses other memory", () => {
    const sem = new mp.Semaphore(3);
    const twin = mp.Semaphore.fromBuffer(sem.buffer);
    assert.equal(twin.acquire({ blocking: false }), true);
    assert.equal(sem.getValue(), 2);
    assert.throws(() => mp.Semaphore.fromBuffer(new SharedArrayBuffer(4)), fails(TypeError, "Semaphore.fromBuffer()", "16 bytes"));
    assert.throws(() => mp.Semaphore.fromBuffer(new ArrayBuffer(12) as unknown as SharedArrayBuffer), fails(TypeError, "SharedArrayBuffer"));
    assert.throws(() => mp.Semaphore.fromBuffer(new mp.Barrier(2).buffer), TypeError);
    assert.throws(() => mp.BoundedSemaphore.fromBuffer("x" as unknown as SharedArrayBuffer), fails(TypeError, "BoundedSemaphore.fromBuffer()", '"x"'));
  });
});

describe("BoundedSemaphore", () => {
  test("refuses a release above its starting value, and shows its bound", () => {
    const sem = new mp.BoundedSemaphore(2);
    shows(sem, "<BoundedSemaphore(value=2, maxvalue=2)>");
    assert.throws(() => sem.release(), fails(mp.ReleaseError, "BoundedSemaphore.release()", "starting value 2"));
    assert.equal(sem.getValue(), 2, "the refused release changed nothing");
    assert.equal(sem.acquire({ blocking: false }), true);
    shows(sem, "<BoundedSemaphore(value=1, maxvalue=2)>");
    sem.release();
    assert.throws(() => sem.release(), mp.ReleaseError);
    const zero = new mp.BoundedSemaphore(0);
    assert.throws(() => zero.release(), fails(mp.ReleaseError, "starting value 0"));
    assert.equal(mp.BoundedSemaphore.fromBuffer(sem.buffer).getValue(), 2);
  });

  test("a pool of 3 connections used by 4 workers stays within 3 and ends full; one release too many fails in its worker", async () => {
    const WORKERS = 4;
    const pool = new mp.BoundedSemaphore(3);
    const go = new mp.Event();
    const use = counters(3); // [0] in use, [1] over the limit (must stay 0), [2] ready
    const jobs = mp.Value("i", 0);
    const workers = range(WORKERS).map(
      () =>
        new mp.Process({
          target: (pool: mp.BoundedSemaphore, go: mp.Event, use: Int32Array, jobs: mp.SharedValue<"i">) => {
            Atomics.add(use, 2, 1);
            if (!go.wait({ timeout: 30 })) throw new Error("the start signal never came");
            for (let j = 0; j < 5; j++) {
              if (!pool.acquire({ timeout: 20 })) throw new Error("no connection in 20 s");
              if (Atomics.add(use, 0, 1) + 1 > 3) Atomics.add(use, 1, 1);
              mp.sleep(0.002);
              mp.withLock(jobs.getLock(), () => (jobs.value = jobs.value + 1));
              Atomics.sub(use, 0, 1);
              pool.release();
            }
          },
          args: [pool, go, use, jobs],
        }),
    );
    await startTogether(workers, use, 2, go);
    await finishAll(workers);
    assert.equal(use[1], 0, "more than 3 connections were in use at once");
    assert.equal(jobs.value, WORKERS * 5);
    assert.equal(pool.getValue(), 3);

    const rogue = new mp.Process({ target: (pool: mp.BoundedSemaphore) => pool.release(), args: [pool] });
    rogue.start();
    await assert.rejects(finish(rogue), (e: unknown) => {
      assert.ok(e instanceof mp.ProcessError);
      assert.equal(e.remoteName, "ReleaseError");
      assert.match(e.message, /starting value 3/);
      return true;
    });
    assert.equal(pool.getValue(), 3);
  });
});

describe("Event", () => {
  test("set, clear and isSet on the main thread, and its display", () => {
    const ev = new mp.Event();
    assert.equal(ev.isSet(), false);
    shows(ev, "<Event(unset)>");
    ev.set();
    assert.equal(ev.isSet(), true);
    shows(ev, "<Event(set)>");
    ev.set();
    assert.equal(ev.isSet(), true, "setting twice keeps it set");
    ev.clear();
    assert.equal(ev.isSet(), false);
    const twin = mp.Event.fromBuffer(ev.buffer);
    twin.set();
    assert.equal(ev.isSet(), true, "fromBuffer shares the flag");
  });

  test("a start signal holds 3 workers until the main thread sets it", async () => {
    const go = new mp.Event();
    const opened = mp.Value("i", 0);
    const state = counters(3 * 3); // per worker: [3w] waiting, [3w+1] passed, [3w+2] saw the gate open (1) or not (2)
    const workers = range(3).map(
      (w) =>
        new mp.Process({
          target: (go: mp.Event, opened: mp.SharedValue<"i">, state: Int32Array, w: number) => {
            Atomics.store(state, 3 * w, 1);
            const result = go.wait({ timeout: 30 });
            Atomics.store(state, 3 * w + 2, opened.value === 1 ? 1 : 2);
            Atomics.store(state, 3 * w + 1, result ? 1 : 2);
          },
          args: [go, opened, state, w],
        }),
    );
    for (const p of workers) p.start();
    try {
      await until(() => range(3).every((w) => Atomics.load(state, 3 * w) === 1), "all 3 workers to wait");
      await mp.sleepAsync(0.1);
      assert.deepEqual(range(3).map((w) => state[3 * w + 1]), [0, 0, 0], "nobody passed before the signal");
      opened.value = 1;
      go.set();
      await finishAll(workers);
      assert.deepEqual(range(3).map((w) => state[3 * w + 1]), [1, 1, 1], "every wait() returned true");
      assert.deepEqual(range(3).map((w) => state[3 * w + 2]), [1, 1, 1], "every worker passed after the gate opened");
    } finally {
      go.set();
      await finishAll(workers);
    }
  });

  test("wait({ timeout: 0.2 }) in a worker returns false after about 0.2 s; a cleared event does not let it through", async () => {
    const ev = new mp.Event();
    ev.set();
    ev.clear();
    const { result, ms } = await timeInWorker(ev, "wait", { timeout: 0.2 });
    assert.equal(result, 0, "wait returned false");
    assert.ok(ms >= 195 && ms < 5000, `it gave up after ${ms} ms`);
  });

  test("the main thread's waitAsync() is woken when a worker sets the event", async () => {
    const ev = new mp.Event();
    const p = new mp.Process({
      target: (ev: mp.Event) => {
        mp.sleep(0.05);
        ev.set();
      },
      args: [ev],
    });
    const woken = ev.waitAsync({ timeout: 20 });
    p.start();
    try {
      assert.equal(await woken, true);
    } finally {
      await finish(p);
    }
    const t0 = performance.now();
    ev.clear();
    assert.equal(await alive(ev.waitAsync({ timeout: 0.05 })), false, "timed out while cleared");
    assert.ok(performance.now() - t0 >= 45);
    ev.set();
    assert.equal(await ev.waitAsync(), true, "already set: resolves at once");
  });

  test("wait() is a BlockingCallError on the main thread; bad timeouts are refused", async () => {
    const ev = new mp.Event();
    assert.throws(() => ev.wait(), fails(mp.BlockingCallError, "Event.wait()", "waitAsync"));
    assert.throws(() => ev.wait({ timeout: 1 }), mp.BlockingCallError);
    assert.throws(() => ev.wait({ timeout: -1 }), fails(RangeError, "Event.wait()", "timeout is -1"));
    assert.throws(() => ev.wait({ timeout: NaN }), fails(TypeError, "NaN"));
    await assert.rejects(ev.waitAsync({ timeout: "soon" as unknown as number }), fails(TypeError, "Event.waitAsync()", '"soon"'));
    await assert.rejects(ev.waitAsync({ timeout: -2 }), fails(RangeError, "-2"));
  });

  test(
    "wait({ timeout: 0 }) only looks at the flag, so the main thread may call it (as Lock.acquire({ timeout: 0 }))",
    () => {
      const ev = new mp.Event();
      assert.equal(ev.wait({ timeout: 0 }), false);
    },
  );

  test("fromBuffer() refuses memory that is not an event's", () => {
    assert.throws(() => mp.Event.fromBuffer(new SharedArrayBuffer(12)), fails(TypeError, "Event.fromBuffer()", "8 bytes", "SharedArrayBuffer"));
    assert.throws(() => mp.Event.fromBuffer(new ArrayBuffer(4) as unknown as SharedArrayBuffer), TypeError);
    assert.throws(() => mp.Event.fromBuffer(undefined as unknown as SharedArrayBuffer), fails(TypeError, "undefined"));
  });
});

/** A Condition over its default RLock, and one over a plain Lock. */
const CONDITIONS = [
  { over: "its own RLock", make: () => new mp.Condition() },
  { over: "a Lock", make: () => new mp.Condition(new mp.Lock()) },
];

describe("Condition", () => {
  test("is made over a new RLock or a given Lock, and shows its lock", async () => {
    const cond = new mp.Condition();
    assert.ok(cond.lock instanceof mp.RLock);
    shows(cond, "<Condition(<RLock(unlocked)>)>");
    const lock = new mp.Lock();
    const over = new mp.Condition(lock);
    assert.equal(over.lock, lock);
    assert.equal(await over.acquireAsync(), true);
    assert.equal(lock.locked(), true, "acquiring the condition takes its lock");
    shows(over, "<Condition(<Lock(locked by thread 0)>)>");
    over.notify();
    over.notifyAll(); // nobody waits: nothing happens
    over.release();
    assert.equal(lock.locked(), false);
  });

  test("bad locks are refused", () => {
    assert.throws(() => new mp.Condition("x" as unknown as mp.Lock), fails(TypeError, "Condition()", "Lock or RLock", '"x"'));
    assert.throws(() => new mp.Condition(null as unknown as mp.Lock), fails(TypeError, "null"));
    assert.throws(() => new mp.Condition(new mp.Semaphore() as unknown as mp.Lock), fails(TypeError, "Semaphore"));
  });

  test("wait, notify and notifyAll need the lock held by this thread", async () => {
    const cond = new mp.Condition();
    assert.throws(() => cond.notify(), fails(mp.ConditionError, "Condition.notify()", "lock held", "acquire it first"));
    assert.throws(() => cond.notifyAll(), fails(mp.ConditionError, "Condition.notifyAll()"));
    assert.throws(() => cond.wait({ timeout: 1 }), fails(mp.ConditionError, "Condition.wait()", "lock held"));
    await assert.rejects(cond.waitAsync({ timeout: 1 }), fails(mp.ConditionError, "Condition.waitAsync()", "lock held"));
    await assert.rejects(cond.waitForAsync(() => false, { timeout: 1 }), fails(mp.ConditionError, "lock held"));

    // Held by a worker is not held by this thread.
    const state = counters(2);
    const holder = new mp.Process({
      target: (cond: mp.Condition, state: Int32Array) => {
        cond.acquire();
        Atomics.store(state, 0, 1);
        while (Atomics.load(state, 1) === 0) Atomics.wait(state, 1, 0, 50);
        cond.release();
      },
      args: [cond, state],
    });
    holder.start();
    try {
      await until(() => state[0] === 1, "the worker to hold the lock");
      assert.throws(() => cond.notify(), fails(mp.ConditionError, "Condition.notify()", "lock held"));
    } finally {
      Atomics.store(state, 1, 1);
      await finish(holder);
    }
  });

  test(
    "notify(n) refuses an n that is not a whole number of waiters",
    async () => {
      const cond = new mp.Condition();
      await cond.acquireAsync();
      try {
        assert.throws(() => cond.notify("x" as unknown as number), TypeError);
        assert.throws(() => cond.notify(1.5), TypeError);
        assert.throws(() => cond.notify(-1), RangeError);
      } finally {
        cond.release();
      }
    },
  );

  test("a blocking wait with the lock held is a BlockingCallError on the main thread; bad timeouts are refused", async () => {
    const cond = new mp.Condition();
    await cond.acquireAsync();
    try {
      assert.throws(() => cond.wait(), fails(mp.BlockingCallError, "Condition.wait()", "waitAsync"));
      assert.throws(() => cond.waitFor(() => false, { timeout: 1 }), mp.BlockingCallError);
      assert.equal(cond.waitFor(() => 7), 7, "a predicate that already holds needs no wait");
      assert.throws(() => cond.wait({ timeout: -1 }), fails(RangeError, "Condition.wait()", "timeout is -1"));
      assert.throws(() => cond.waitFor(() => false, { timeout: NaN }), fails(TypeError, "Condition.waitFor()", "NaN"));
      await assert.rejects(cond.waitAsync({ timeout: "1" as unknown as number }), fails(TypeError, "Condition.waitAsync()", '"1"'));
      assert.equal(cond.lock.owner(), 0, "still held by the main thread");
    } finally {
      cond.release();
    }
    assert.equal(cond.lock.locked(), false);
  });

  for (const { over, make } of CONDITIONS) {
    test(`producer and consumers over a shared Array queue (${over}): every item consumed exactly once, in order`, async () => {
      const ITEMS = 60;
      const PATIENCE = 5; // seconds a worker waits for the others' progress before it gives up
      const cond = make();
      const go = new mp.Event();
      const queue = mp.Array("i", 4, { lock: false }); // a ring buffer of 4 places
      const state = mp.Array("i", 3, { lock: false }); // [0] head (next to take), [1] tail (next to put), [2] done
      const taken = mp.Array("i", ITEMS, { lock: false }); // the items in the order they were taken
      const times = counters(ITEMS + 3); // how often each item was consumed; [ITEMS + c] items of consumer c; [ITEMS + 2] ready
      const producer = new mp.Process({
        target: (cond: mp.Condition, go: mp.Event, queue: mp.SharedArray<"i">, state: mp.SharedArray<"i">, times: Int32Array, n: number, patience: number) => {
          Atomics.add(times, n + 2, 1);
          if (!go.wait({ timeout: 30 })) throw new Error("the start signal never came");
          for (let item = 1; item <= n; item++) {
            mp.withLock(cond, () => {
              if (!cond.waitFor(() => state[1] - state[0] < queue.length, { timeout: patience })) throw new Error("the queue stayed full");
              queue[state[1] % queue.length] = item;
              state[1] += 1;
              cond.notifyAll();
            });
          }
          mp.withLock(cond, () => {
            state[2] = 1;
            cond.notifyAll();
          });
        },
        args: [cond, go, queue, state, times, ITEMS, PATIENCE],
      });
      const consumers = range(2).map(
        (c) =>
          new mp.Process({
            target: (
              cond: mp.Condition,
              go: mp.Event,
              queue: mp.SharedArray<"i">,
              state: mp.SharedArray<"i">,
              taken: mp.SharedArray<"i">,
              times: Int32Array,
              c: number,
              patience: number,
            ) => {
              Atomics.add(times, taken.length + 2, 1);
              if (!go.wait({ timeout: 30 })) throw new Error("the start signal never came");
              for (;;) {
                const item = mp.withLock(cond, () => {
                  if (!cond.waitFor(() => state[0] < state[1] || state[2] === 1, { timeout: patience })) throw new Error("nothing came");
                  if (state[0] === state[1]) return 0; // done, and the queue is empty
                  const item = queue[state[0] % queue.length];
                  taken[state[0]] = item;
                  state[0] += 1;
                  cond.notifyAll();
                  return item;
                });
                if (item === 0) return;
                Atomics.add(times, item - 1, 1);
                Atomics.add(times, taken.length + c, 1);
              }
            },
            args: [cond, go, queue, state, taken, times, c, PATIENCE],
          }),
      );
      await startTogether([producer, ...consumers], times, ITEMS + 2, go);
      await finishAll([producer, ...consumers], 15);
      assert.deepEqual(taken.toArray(), range(ITEMS).map((i) => i + 1), "taken in the order produced");
      assert.deepEqual([...times.subarray(0, ITEMS)], new Array(ITEMS).fill(1), "each item consumed exactly once");
      assert.equal(times[ITEMS] + times[ITEMS + 1], ITEMS);
      assert.deepEqual(state.toArray(), [ITEMS, ITEMS, 1]);
      assert.equal(cond.lock.locked(), false);
    });
  }

  test("wait({ timeout: 0.2 }) in a worker returns false after about 0.2 s, holding the lock again (every RLock hold)", async () => {
    const cond = new mp.Condition();
    const out = mp.Array("d", 5); // wait result, ms waited, holds after, owner is me, waitFor result
    const p = new mp.Process({
      target: (cond: mp.Condition, out: mp.SharedArray<"d">) => {
        const { threadId } = require("node:worker_threads") as typeof import("node:worker_threads");
        const lock = cond.lock as mp.RLock;
        cond.acquire();
        cond.acquire();
        const t0 = performance.now();
        out[0] = cond.wait({ timeout: 0.2 }) ? 1 : 0;
        out[1] = performance.now() - t0;
        out[2] = lock.count();
        out[3] = lock.owner() === threadId ? 1 : 0;
        out[4] = cond.waitFor(() => false, { timeout: 0.05 }) ? 1 : 0;
        cond.release();
        cond.release();
      },
      args: [cond, out],
    });
    p.start();
    await finish(p);
    assert.equal(out[0], 0, "wait returned false");
    assert.ok(out[1] >= 195 && out[1] < 5000, `it gave up after ${out[1]} ms`);
    assert.equal(out[2], 2, "both holds are back");
    assert.equal(out[3], 1, "the worker holds the lock again");
    assert.equal(out[4], 0, "waitFor returned the predicate's false");
    assert.equal(cond.lock.locked(), false);
  });

  test("a worker's wait() lets go of every RLock hold, so the main thread can take the lock and notify", async () => {
    const cond = new mp.Condition();
    const flag = mp.Value("i", 0, { lock: false });
    const out = mp.Array("i", 3); // [0] waiting, [1] waitFor result, [2] holds after
    const p = new mp.Process({
      target: (cond: mp.Condition, flag: mp.SharedValue<"i">, out: mp.SharedArray<"i">) => {
        mp.withLock(cond, () =>
          mp.withLock(cond, () => {
            out[0] = 1;
            out[1] = cond.waitFor(() => flag.value === 1, { timeout: 20 }) ? 1 : 0;
            out[2] = (cond.lock as mp.RLock).count();
          }),
        );
      },
      args: [cond, flag, out],
    });
    p.start();
    try {
      await until(() => out[0] === 1, "the worker to wait");
      assert.equal(await cond.acquireAsync({ timeout: 20 }), true, "the waiting worker released its two holds");
      flag.value = 1;
      cond.notify();
      cond.release();
      await finish(p);
      assert.deepEqual(out.toArray(), [1, 1, 2]);
    } finally {
      await finish(p);
    }
  });

  test("notifyAll() from the main thread wakes all 3 waiting workers", async () => {
    const cond = new mp.Condition(new mp.Lock());
    const state = counters(3); // [0] waiting, [1] woken, [2] timed out
    const workers = range(3).map(
      () =>
        new mp.Process({
          target: (cond: mp.Condition, state: Int32Array) => {
            cond.acquire();
            Atomics.add(state, 0, 1);
            const woke = cond.wait({ timeout: 20 });
            Atomics.add(state, woke ? 1 : 2, 1);
            cond.release();
          },
          args: [cond, state],
        }),
    );
    for (const p of workers) p.start();
    try {
      // Each worker counts itself while holding the lock and lets go only inside wait(), so once
      // the main thread has the lock after all 3 counted, all 3 are waiting for a notify.
      await until(() => Atomics.load(state, 0) === 3, "3 workers to wait");
      assert.equal(await cond.acquireAsync({ timeout: 20 }), true);
      assert.equal(state[1], 0, "nobody woke before the notify");
      cond.notifyAll();
      cond.release();
      await finishAll(workers);
      assert.equal(state[1], 3, "all 3 woke");
      assert.equal(state[2], 0, "none timed out");
    } finally {
      await finishAll(workers);
    }
  });

  test("notify() hands out work one waiter at a time, and no notify is lost", async () => {
    const cond = new mp.Condition(new mp.Lock());
    const state = counters(4); // [0] waiting, [1] tokens, [2] done, [3] took a token that was not there
    const workers = range(3).map(
      () =>
        new mp.Process({
          target: (cond: mp.Condition, state: Int32Array) => {
            mp.withLock(cond, () => {
              Atomics.add(state, 0, 1);
              if (!cond.waitFor(() => Atomics.load(state, 1) > 0, { timeout: 20 })) throw new Error("no token came");
              if (Atomics.sub(state, 1, 1) <= 0) Atomics.add(state, 3, 1);
            });
            Atomics.add(state, 2, 1);
          },
          args: [cond, state],
        }),
    );
    for (const p of workers) p.start();
    try {
      await until(() => Atomics.load(state, 0) === 3, "3 workers to wait");
      for (let i = 1; i <= 3; i++) {
        await mp.withLockAsync(cond, () => {
          Atomics.add(state, 1, 1);
          cond.notify();
        });
        await until(() => Atomics.load(state, 2) === i, `worker ${i} to be woken by notify() number ${i}`);
      }
      await finishAll(workers);
      assert.equal(state[3], 0);
      assert.equal(state[1], 0);
    } finally {
      await finishAll(workers);
    }
  });

  test("the main thread's waitForAsync() is woken by a worker's notify", async () => {
    const cond = new mp.Condition();
    const flag = mp.Value("i", 0, { lock: false });
    const p = new mp.Process({
      target: (cond: mp.Condition, flag: mp.SharedValue<"i">) => {
        mp.sleep(0.05);
        mp.withLock(cond, () => {
          flag.value = 42;
          cond.notifyAll();
        });
      },
      args: [cond, flag],
    });
    await cond.acquireAsync();
    p.start();
    try {
      const seen = await cond.waitForAsync(() => flag.value === 42 && flag.value, { timeout: 20 });
      assert.equal(seen, 42);
      assert.equal(cond.lock.owner(), 0, "the main thread holds the lock again");
    } finally {
      cond.release();
      await finish(p);
    }
  });

  test("wait({ timeout }) in a worker that nobody notifies returns false, every time", async () => {
    const cond = new mp.Condition(new mp.Lock());
    const out = mp.Array("i", 2); // [0] waits that returned true, [1] waits in all
    await run(
      (cond: mp.Condition, out: mp.SharedArray<"i">) => {
        mp.withLock(cond, () => {
          for (let i = 0; i < 100; i++, out[1]++) if (cond.wait({ timeout: 0.002 + (i % 10) * 0.0001 })) out[0]++;
        });
      },
      [cond, out],
    );
    assert.deepEqual(out.toArray(), [0, 100], "a wait that timed out said it was notified");
  });

  test(
    "waitAsync({ timeout }) that nobody notifies resolves false, every time, and holds the lock again",
    async () => {
      const cond = new mp.Condition();
      await cond.acquireAsync();
      let notified = 0;
      try {
        for (let i = 0; i < 100; i++) {
          if (await alive(cond.waitAsync({ timeout: 0.002 + (i % 10) * 0.0001 }))) notified++;
          assert.equal(cond.lock.owner(), 0);
        }
      } finally {
        cond.release();
      }
      assert.equal(notified, 0, `${notified} of 100 timed-out waits said they were notified`);
    },
  );

  test("fromBuffer() rebuilds a condition over the same memory and lock, and refuses bad parts", async () => {
    const cond = new mp.Condition();
    const twin = mp.Condition.fromBuffer(cond.buffer, cond.lock);
    await twin.acquireAsync();
    assert.equal(cond.lock.owner(), 0);
    cond.notify(); // the twin's hold counts: it is the same lock
    twin.release();
    assert.throws(() => mp.Condition.fromBuffer(new SharedArrayBuffer(8), cond.lock), fails(TypeError, "Condition.fromBuffer()", "520 bytes"));
    assert.throws(() => mp.Condition.fromBuffer(cond.buffer, "x" as unknown as mp.Lock), fails(TypeError, "Lock or RLock"));
  });
});

describe("Barrier", () => {
  test("shows its parties, waiters and whether it is broken", () => {
    const barrier = new mp.Barrier(3);
    assert.equal(barrier.parties, 3);
    assert.equal(barrier.nWaiting, 0);
    assert.equal(barrier.broken, false);
    shows(barrier, "<Barrier(parties=3, waiting=0)>");
    barrier.abort();
    assert.equal(barrier.broken, true);
    shows(barrier, "<Barrier(parties=3, waiting=0, broken)>");
  });

  test("bad parties are refused", () => {
    assert.throws(() => new mp.Barrier(0), fails(RangeError, "Barrier()", "parties is 0", "between 1"));
    assert.throws(() => new mp.Barrier(-2), fails(RangeError, "parties is -2"));
    assert.throws(() => new mp.Barrier(1.5), fails(TypeError, "Barrier()", "whole number", "1.5"));
    assert.throws(() => new mp.Barrier("3" as unknown as number), fails(TypeError, '"3"'));
    assert.throws(() => new mp.Barrier(undefined as unknown as number), fails(TypeError, "undefined"));
  });

  test("wait() is a BlockingCallError on the main thread and counts nobody in; bad timeouts are refused", async () => {
    const barrier = new mp.Barrier(2);
    assert.throws(() => barrier.wait(), fails(mp.BlockingCallError, "Barrier.wait()", "waitAsync"));
    assert.throws(() => barrier.wait({ timeout: -1 }), fails(RangeError, "Barrier.wait()", "timeout is -1"));
    assert.throws(() => barrier.wait({ timeout: NaN }), fails(TypeError, "NaN"));
    await assert.rejects(barrier.waitAsync({ timeout: "1" as unknown as number }), fails(TypeError, "Barrier.waitAsync()", '"1"'));
    assert.equal(barrier.nWaiting, 0);
    assert.equal(barrier.broken, false);
  });

  test("a barrier of 1 lets waitAsync() through at once, again and again", async () => {
    const barrier = new mp.Barrier(1);
    for (let i = 0; i < 3; i++) assert.equal(await barrier.waitAsync({ timeout: 1 }), 0);
    assert.equal(barrier.broken, false);
  });

  test("a phased computation: nobody enters phase k+1 before all finished phase k; arrival indices are a permutation", async () => {
    const PARTIES = 3;
    const PHASES = 5;
    const barrier = new mp.Barrier(PARTIES);
    const finished = counters(PHASES * PARTIES); // [k * PARTIES + w]: worker w finished phase k
    const indices = counters(PHASES * PARTIES); // arrival index of worker w at the end of phase k
    const early = counters(1); // a worker that went on while someone had not finished the phase
    const workers = range(PARTIES).map(
      (w) =>
        new mp.Process({
          target: (barrier: mp.Barrier, finished: Int32Array, indices: Int32Array, early: Int32Array, w: number, phases: number) => {
            const parties = barrier.parties;
            for (let k = 0; k < phases; k++) {
              if (k > 0) {
                for (let v = 0; v < parties; v++) if (Atomics.load(finished, (k - 1) * parties + v) !== 1) Atomics.add(early, 0, 1);
              }
              mp.sleep(0.001 * ((w * 7 + k * 3) % 5)); // the phase's work, of uneven length
              Atomics.store(finished, k * parties + w, 1);
              Atomics.store(indices, k * parties + w, barrier.wait({ timeout: 20 }));
            }
          },
          args: [barrier, finished, indices, early, w, PHASES],
        }),
    );
    for (const p of workers) p.start();
    await finishAll(workers);
    assert.equal(early[0], 0, "a worker entered a phase before everybody finished the one before");
    assert.ok(finished.every((x) => x === 1));
    for (let k = 0; k < PHASES; k++) {
      const phase = [...indices.subarray(k * PARTIES, (k + 1) * PARTIES)];
      assert.ok(isPermutation(phase, PARTIES), `phase ${k}: arrival indices ${phase} are not a permutation of 0..${PARTIES - 1}`);
    }
    assert.equal(barrier.nWaiting, 0);
    assert.equal(barrier.broken, false);
  });

  test("the main thread takes part with waitAsync(), alongside 2 workers, for 3 phases", async () => {
    const barrier = new mp.Barrier(3);
    const indices = counters(3 * 3); // [3 * phase + who], who 2 is the main thread
    const workers = range(2).map(
      (w) =>
        new mp.Process({
          target: (barrier: mp.Barrier, indices: Int32Array, w: number) => {
            for (let k = 0; k < 3; k++) Atomics.store(indices, 3 * k + w, barrier.wait({ timeout: 20 }));
          },
          args: [barrier, indices, w],
        }),
    );
    for (const p of workers) p.start();
    try {
      for (let k = 0; k < 3; k++) indices[3 * k + 2] = await barrier.waitAsync({ timeout: 20 });
      await finishAll(workers);
      for (let k = 0; k < 3; k++) {
        const phase = [...indices.subarray(3 * k, 3 * k + 3)];
        assert.ok(isPermutation(phase, 3), `phase ${k}: ${phase}`);
      }
    } finally {
      await finishAll(workers);
    }
  });

  test("a waiter that times out breaks the barrier for everyone, within generous bounds", async () => {
    const barrier = new mp.Barrier(3);
    const out = mp.Array("d", 2); // the patient worker: 1 = BrokenBarrierError, 2 = passed; ms waited
    const patient = new mp.Process({
      target: (barrier: mp.Barrier, out: mp.SharedArray<"d">) => {
        const t0 = performance.now();
        try {
          barrier.wait({ timeout: 20 });
          out[0] = 2;
        } catch (e) {
          out[0] = e instanceof mp.BrokenBarrierError ? 1 : 3;
        }
        out[1] = performance.now() - t0;
      },
      args: [barrier, out],
    });
    const impatient = new mp.Process({
      target: (barrier: mp.Barrier) => barrier.wait({ timeout: 0.3 }),
      args: [barrier],
    });
    patient.start();
    await until(() => barrier.nWaiting === 1, "the patient worker to wait");
    shows(barrier, "<Barrier(parties=3, waiting=1)>");
    const t0 = performance.now();
    impatient.start();
    await assert.rejects(finish(impatient), (e: unknown) => {
      assert.ok(e instanceof mp.ProcessError);
      assert.equal(e.remoteName, "BrokenBarrierError");
      assert.match(e.message, /timed out after 0\.3 s with 2 of 3 parties waiting/);
      assert.match(e.message, /broken for everyone/);
      return true;
    });
    assert.ok(performance.now() - t0 >= 290, `the impatient worker gave up after ${performance.now() - t0} ms`);
    await finish(patient);
    assert.equal(out[0], 1, "the patient worker got a BrokenBarrierError");
    assert.ok(out[1] < 10_000, `the patient worker was told only after ${out[1]} ms`);
    assert.equal(barrier.broken, true);
    assert.match(String(barrier), /broken\)>$/);
    await assert.rejects(barrier.waitAsync({ timeout: 1 }), fails(mp.BrokenBarrierError, "Barrier.wait()", "broken"));
  });

  test("abort() from the main thread breaks a worker's wait", async () => {
    const barrier = new mp.Barrier(2);
    const p = new mp.Process({ target: (barrier: mp.Barrier) => barrier.wait({ timeout: 20 }), args: [barrier] });
    p.start();
    try {
      await until(() => barrier.nWaiting === 1, "the worker to wait");
      barrier.abort();
      await assert.rejects(finish(p), (e: unknown) => {
        assert.ok(e instanceof mp.ProcessError);
        assert.equal(e.remoteName, "BrokenBarrierError");
        assert.match(e.message, /broken while this thread waited/);
        return true;
      });
    } finally {
      await finish(p).catch(() => undefined);
    }
    assert.equal(barrier.broken, true);
  });

  test("fromBuffer() refuses memory that is not a barrier's, and bad options", () => {
    assert.throws(() => mp.Barrier.fromBuffer(new SharedArrayBuffer(12)), fails(TypeError, "Barrier.fromBuffer()", "12 bytes"));
    assert.throws(() => mp.Barrier.fromBuffer(new ArrayBuffer(8) as unknown as SharedArrayBuffer), fails(TypeError, "SharedArrayBuffer"));
    const barrier = new mp.Barrier(2);
    assert.throws(() => mp.Barrier.fromBuffer(barrier.buffer, { guard: 1 } as unknown as mp.BarrierOptions), fails(TypeError, "Barrier.fromBuffer()", '"guard"'));
    assert.throws(() => mp.Barrier.fromBuffer(barrier.buffer, { timeout: -1 }), fails(RangeError, "Barrier.fromBuffer()", "timeout is -1"));
    const copy = mp.Barrier.fromBuffer(barrier.buffer, { timeout: 2 });
    assert.equal(copy.parties, 2);
    assert.equal(copy.timeout, 2);
  });
});

describe("async waits in a program with nothing else to do", () => {
  /** Each snippet ends in a timed-out async wait and prints what it settled to. */
  const snippets: Record<string, string> = {
    "Semaphore.acquireAsync": "new mp.Semaphore(0).acquireAsync({ timeout: 0.05 })",
    "Event.waitAsync": "new mp.Event().waitAsync({ timeout: 0.05 })",
    "Condition.waitAsync": "(async () => { const c = new mp.Condition(); await c.acquireAsync(); return c.waitAsync({ timeout: 0.05 }); })()",
    "Barrier.waitAsync": "new mp.Barrier(2).waitAsync({ timeout: 0.05 }).catch((e) => e.name)",
    "Lock.acquireAsync": "(() => { const l = new mp.Lock(); l.acquire({ blocking: false }); return l.acquireAsync({ timeout: 0.05 }); })()",
  };
  const expected: Record<string, string> = {
    "Semaphore.acquireAsync": "false",
    "Event.waitAsync": "false",
    "Condition.waitAsync": "false",
    "Barrier.waitAsync": "BrokenBarrierError",
    "Lock.acquireAsync": "false",
  };

  test(
    "a timed-out async wait settles even when no worker or timer keeps Node running",
    async () => {
      const dist = join(__dirname, "..", "dist");
      const exec = promisify(execFile);
      const outcomes = await Promise.all(
        Object.entries(snippets).map(async ([name, code]) => {
          const script = `const mp = require(${JSON.stringify(dist)}); Promise.resolve(${code}).then((r) => console.log(String(r)));`;
          const { stdout } = await exec(process.execPath, ["-e", script], { timeout: 30_000 });
          return [name, stdout.trim() === "" ? "(never settled)" : stdout.trim()];
        }),
      );
      assert.deepEqual(Object.fromEntries(outcomes), expected);
    },
  );
});
