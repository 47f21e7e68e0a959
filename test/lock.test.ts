/**
 * Lock and RLock. On the main thread: the non-blocking calls, acquireAsync, state, release errors,
 * fromBuffer and bad options. In workers (the only place a blocking acquire is allowed): timeouts,
 * waking, reentrancy, and a holder that dies holding the lock. Every process is joined with a
 * timeout, so a lock bug fails a test instead of hanging the run.
 */
import { after, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import { inspect } from "node:util";
import * as mp from "../dist";
import { fails, finish, hasSleepers, run, until } from "./helpers/util";

after(() => mp.terminateAll());


/** A worker holding a lock until it is told to let go. */
interface Holder {
  /** The worker's process. */
  readonly process: mp.Process<[mp.Lock, mp.SharedArray<"i">]>;
  /** Tells the worker to release the lock and end, and joins it. */
  letGo(): Promise<void>;
}

/** Starts a worker that takes `lock` and holds it; resolves once it does. */
async function holdInWorker(lock: mp.Lock): Promise<Holder> {
  const state = mp.Array("i", 2); // [0] = 1 once held; [1] = 1 to let go
  const p = new mp.Process({
    target: (lock: mp.Lock, state: mp.SharedArray<"i">) => {
      lock.acquire();
      state[0] = 1;
      while (state[1] === 0) mp.sleep(0.002);
      lock.release();
    },
    args: [lock, state],
  });
  p.start();
  try {
    await until(() => state[0] === 1, "the worker to hold the lock");
  } catch (error) {
    await p.terminate();
    throw error;
  }
  return {
    process: p,
    letGo: async () => {
      state[1] = 1;
      await finish(p);
    },
  };
}

for (const Kind of [mp.Lock, mp.RLock]) {
  describe(`${Kind.name} on the main thread`, () => {
    test("starts unlocked, with no owner", () => {
      const lock = new Kind();
      assert.equal(lock.locked(), false);
      assert.equal(lock.owner(), null);
      assert.equal(String(lock), `<${Kind.name}(unlocked)>`);
    });

    test("acquire({ blocking: false }) takes a free lock, then fails while it is held", () => {
      const lock = new Kind();
      assert.equal(lock.acquire({ blocking: false }), true);
      assert.equal(lock.locked(), true);
      assert.equal(lock.owner(), 0, "the main thread's threadId is 0");
      assert.equal(inspect(lock), `<${Kind.name}(locked by thread 0)>`);
      lock.release();
      assert.equal(lock.locked(), false);
      assert.equal(lock.owner(), null);
    });

    test("acquire({ timeout: 0 }) only tries", () => {
      const lock = new Kind();
      assert.equal(lock.acquire({ timeout: 0 }), true);
      lock.release();
    });

    test("a blocking acquire() is a BlockingCallError on the main thread, even when the lock is free", () => {
      const lock = new Kind();
      assert.throws(() => lock.acquire(), fails(mp.BlockingCallError, `${Kind.name}.acquire()`, "main thread", "acquireAsync"));
      assert.throws(() => lock.acquire({ timeout: 1 }), mp.BlockingCallError);
      assert.throws(() => lock.acquire({ blocking: true }), mp.BlockingCallError);
      assert.equal(lock.locked(), false, "a refused acquire leaves the lock free");
      assert.throws(() => mp.withLock(lock, () => 1), mp.BlockingCallError);
      assert.equal(lock.locked(), false, "withLock did not release what it never took");
    });

    test("releasing an unlocked lock is a ReleaseError", () => {
      const lock = new Kind();
      assert.throws(() => lock.release(), fails(mp.ReleaseError, `${Kind.name}.release()`));
      lock.acquire({ blocking: false });
      lock.release();
      assert.throws(() => lock.release(), mp.ReleaseError);
    });

    test("acquireAsync() takes a free lock", async () => {
      const lock = new Kind();
      assert.equal(await lock.acquireAsync(), true);
      assert.equal(lock.owner(), 0);
      lock.release();
    });

    test("acquireAsync({ timeout }) resolves false after about the timeout while a worker holds it", async () => {
      const lock = new Kind();
      const holder = await holdInWorker(lock);
      try {
        const t0 = performance.now();
        assert.equal(await lock.acquireAsync({ timeout: 0.1 }), false);
        assert.ok(performance.now() - t0 >= 95, `gave up after ${performance.now() - t0} ms`);
        assert.equal(lock.acquire({ blocking: false }), false);
        assert.equal(lock.owner(), holder.process.pid);
        const woken = lock.acquireAsync({ timeout: 5 });
        await holder.letGo();
        assert.equal(await woken, true, "woken once the worker released it");
        assert.equal(lock.owner(), 0);
        lock.release();
      } finally {
        await holder.letGo();
      }
    });

    // An RLock's holder re-enters instead of waiting, so this is for Lock only.
    if (Kind === mp.Lock) {
      test("acquireAsync() waits for a release that comes later on the same thread", async () => {
        const lock = new Kind();
        lock.acquire({ blocking: false });
        setTimeout(() => lock.release(), 30);
        const t0 = performance.now();
        assert.equal(await lock.acquireAsync({ timeout: 5 }), true);
        assert.ok(performance.now() - t0 >= 25);
        lock.release();
      });
    }

    test("withLockAsync holds the lock around fn, returns its result and releases when it throws", async () => {
      const lock = new Kind();
      const seen = await mp.withLockAsync(lock, async () => {
        await mp.sleepAsync(0.001);
        return lock.locked();
      });
      assert.equal(seen, true);
      assert.equal(lock.locked(), false);
      await assert.rejects(
        mp.withLockAsync(lock, () => {
          throw new Error("inside");
        }),
        fails(Error, "inside"),
      );
      assert.equal(lock.locked(), false, "released after the throw");
      await assert.rejects(mp.withLockAsync(lock, () => Promise.reject(new RangeError("async inside"))), RangeError);
      assert.equal(lock.locked(), false, "released after the rejection");
    });

    test("fromBuffer() rebuilds a lock over the same memory", () => {
      const lock = new Kind();
      const twin = Kind.fromBuffer(lock.buffer);
      assert.ok(twin instanceof Kind);
      lock.acquire({ blocking: false });
      assert.equal(twin.locked(), true);
      assert.equal(twin.acquire({ blocking: false }), Kind === mp.RLock, "an RLock re-enters, a Lock does not");
    });

    test("fromBuffer() refuses what is not a lock's memory, saying what it needs", () => {
      const size = Kind === mp.Lock ? 8 : 12;
      assert.throws(() => Kind.fromBuffer(new SharedArrayBuffer(4)), fails(TypeError, `${Kind.name}.fromBuffer()`, `${size} bytes`));
      assert.throws(() => Kind.fromBuffer(new ArrayBuffer(size) as unknown as SharedArrayBuffer), fails(TypeError, "SharedArrayBuffer"));
      assert.throws(() => Kind.fromBuffer(null as unknown as SharedArrayBuffer), fails(TypeError, "null"));
      const other = Kind === mp.Lock ? new mp.RLock() : new mp.Lock();
      assert.throws(() => Kind.fromBuffer(other.buffer), TypeError);
    });

    test("bad timeouts are refused, naming the value", async () => {
      const lock = new Kind();
      assert.throws(() => lock.acquire({ timeout: -1 }), fails(RangeError, "timeout is -1", "0 or more"));
      assert.throws(() => lock.acquire({ timeout: NaN }), fails(TypeError, "timeout", "NaN"));
      assert.throws(() => lock.acquire({ timeout: "1" as unknown as number }), fails(TypeError, "timeout", '"1"', "seconds"));
      await assert.rejects(lock.acquireAsync({ timeout: -1 }), fails(RangeError, "timeout is -1"));
      await assert.rejects(lock.acquireAsync({ timeout: NaN }), fails(TypeError, "NaN"));
      await assert.rejects(lock.acquireAsync({ timeout: "1" as unknown as number }), fails(TypeError, '"1"'));
      assert.equal(lock.locked(), false);
    });

    test("acquire({ blocking: false, timeout: 1 }) is a TypeError, as in Python", () => {
      const lock = new Kind();
      assert.throws(() => lock.acquire({ blocking: false, timeout: 1 }), fails(TypeError, "timeout", "blocking: false"));
      assert.throws(() => lock.acquire({ blocking: "no" as unknown as boolean }), fails(TypeError, "blocking", '"no"'));
      assert.throws(() => lock.acquire(5 as unknown as mp.AcquireOptions), fails(TypeError, "options", "5"));
      assert.equal(lock.locked(), false);
    });
  });
}

describe("RLock counts", () => {
  test("the holder may acquire again and must release as often", () => {
    const lock = new mp.RLock();
    assert.equal(lock.count(), 0);
    assert.equal(lock.acquire({ blocking: false }), true);
    assert.equal(lock.acquire({ blocking: false }), true);
    assert.equal(lock.count(), 2);
    lock.release();
    assert.equal(lock.count(), 1);
    assert.equal(lock.locked(), true);
    lock.release();
    assert.equal(lock.count(), 0);
    assert.equal(lock.locked(), false);
    assert.throws(() => lock.release(), fails(mp.ReleaseError, "does not hold"));
  });

  test("acquireAsync re-enters too", async () => {
    const lock = new mp.RLock();
    await lock.acquireAsync();
    await lock.acquireAsync();
    assert.equal(lock.count(), 2);
    lock.release();
    lock.release();
    assert.equal(lock.locked(), false);
  });

  test("a thread that does not hold an RLock may not release it", async () => {
    const lock = new mp.RLock();
    const holder = await holdInWorker(lock);
    try {
      assert.throws(() => lock.release(), fails(mp.ReleaseError, "RLock.release()", "thread 0", "does not hold", `thread ${holder.process.pid}`));
      assert.equal(lock.count(), 1, "the worker still holds it once");
    } finally {
      await holder.letGo();
    }
    assert.equal(lock.locked(), false);
  });

  test("and in the other direction: a worker may not release the main thread's RLock", async () => {
    const lock = new mp.RLock();
    lock.acquire({ blocking: false });
    const p = new mp.Process({ target: (lock: mp.RLock) => lock.release(), args: [lock] });
    p.start();
    await assert.rejects(finish(p), (e: unknown) => {
      assert.ok(e instanceof mp.ProcessError);
      assert.equal(e.remoteName, "ReleaseError");
      assert.match(e.message, /does not hold/);
      return true;
    });
    assert.equal(lock.owner(), 0);
    lock.release();
  });

  test("a plain Lock, as in Python, may be released by another thread", async () => {
    const lock = new mp.Lock();
    lock.acquire({ blocking: false });
    await run((lock: mp.Lock) => lock.release(), [lock]);
    assert.equal(lock.locked(), false);
  });
});

describe("blocking acquire inside workers", () => {
  test("acquire({ timeout: 0.2 }) returns false after about 0.2 s while another worker holds the lock", async () => {
    const lock = new mp.Lock();
    const result = mp.Value("i", 2); // what the waiter's acquire returned (2 = not yet)
    const waited = mp.Value("d");
    const holder = await holdInWorker(lock);
    try {
      await run(
        (lock: mp.Lock, result: mp.SharedValue<"i">, waited: mp.SharedValue<"d">) => {
          const t0 = performance.now();
          result.value = lock.acquire({ timeout: 0.2 }) ? 1 : 0;
          waited.value = performance.now() - t0;
        },
        [lock, result, waited],
      );
      assert.equal(result.value, 0, "acquire returned false");
      assert.ok(waited.value >= 195, `it gave up after ${waited.value} ms`);
      assert.ok(waited.value < 5000, `it gave up only after ${waited.value} ms`);
    } finally {
      await holder.letGo();
    }
  });

  test("a waiting acquire() wakes when the holder releases, and mutual exclusion holds", async () => {
    const lock = new mp.Lock();
    // [0] holder has it, [1] waiter got it while the holder still held it (must stay 0), [2] waiter got it
    const state = mp.Array("i", 3);
    const holder = new mp.Process({
      target: (lock: mp.Lock, state: mp.SharedArray<"i">) => {
        lock.acquire();
        state[0] = 1;
        mp.sleep(0.15);
        state[0] = 2;
        lock.release();
      },
      args: [lock, state],
    });
    const waiter = new mp.Process({
      target: (lock: mp.Lock, state: mp.SharedArray<"i">) => {
        lock.acquire();
        if (state[0] !== 2) state[1] = 1;
        state[2] = 1;
        lock.release();
      },
      args: [lock, state],
    });
    holder.start();
    await until(() => state[0] === 1, "the holder to take the lock");
    waiter.start();
    await finish(waiter);
    await finish(holder);
    assert.equal(state[1], 0, "the waiter got the lock while the holder still had it");
    assert.equal(state[2], 1);
    assert.equal(lock.locked(), false);
  });

  test("an RLock re-enters in a worker and counts its holds", async () => {
    const lock = new mp.RLock();
    const counts = mp.Array("i", 5);
    await run(
      (lock: mp.RLock, counts: mp.SharedArray<"i">) => {
        lock.acquire();
        lock.acquire({ timeout: 1 });
        mp.withLock(lock, () => {
          counts[0] = lock.count();
        });
        counts[1] = lock.count();
        lock.release();
        counts[2] = lock.count();
        lock.release();
        counts[3] = lock.count();
        counts[4] = lock.locked() ? 1 : 0;
      },
      [lock, counts],
    );
    assert.deepEqual(counts.toArray(), [3, 2, 1, 0, 0]);
  });

  test("a plain Lock acquired twice by one worker is not reentrant: the second try times out", async () => {
    const lock = new mp.Lock();
    const result = mp.Value("i", 2);
    await run(
      (lock: mp.Lock, result: mp.SharedValue<"i">) => {
        lock.acquire();
        result.value = lock.acquire({ timeout: 0.05 }) ? 1 : 0;
        lock.release();
      },
      [lock, result],
    );
    assert.equal(result.value, 0);
  });
});

/** The waiter's ProcessError must come from a LockOwnerDiedError naming the dead holder. */
/** A waiter's failure: LockOwnerDiedError, naming the holder as the learner knows it, by its Process name and pid. */
function diedHolding(holder: mp.Process<[mp.Lock]>): (e: unknown) => true {
  return (e: unknown) => {
    assert.ok(e instanceof mp.ProcessError, `expected a ProcessError, got ${String(e)}`);
    assert.equal(e.remoteName, "LockOwnerDiedError");
    assert.match(e.message, new RegExp(`held by ${holder.name} \\(pid ${holder.pid}\\)`));
    return true;
  };
}

for (const Kind of [mp.Lock, mp.RLock]) {
  describe(`a worker that dies holding a ${Kind.name}`, () => {
    test("by throwing: later acquires fail with LockOwnerDiedError instead of hanging", async () => {
      const lock = new Kind();
      const holder = new mp.Process({
        target: function criticalSection(lock: mp.Lock) {
          lock.acquire();
          throw new Error("failed inside the critical section");
        },
        args: [lock],
      });
      holder.start();
      await assert.rejects(finish(holder), fails(mp.ProcessError, "failed inside the critical section"));
      assert.equal(lock.locked(), true);
      assert.equal(lock.owner(), holder.pid);
      assert.equal(String(lock), `<${Kind.name}(abandoned by thread ${holder.pid})>`);

      const waiter = new mp.Process({ target: (lock: mp.Lock) => lock.acquire(), args: [lock] });
      waiter.start();
      await assert.rejects(finish(waiter, 5), diedHolding(holder));

      await assert.rejects(lock.acquireAsync(), (e: unknown) => {
        assert.ok(e instanceof mp.LockOwnerDiedError);
        assert.equal(e.ownerThreadId, holder.pid);
        assert.match(e.message, new RegExp(`${Kind.name} was held by ${holder.name} \\(pid ${holder.pid}\\)`));
        assert.match(e.message, /make a new/);
        return true;
      });
      assert.throws(() => lock.acquire({ blocking: false }), mp.LockOwnerDiedError);
      // Any thread may release a Lock, so it hears that the holder died; an RLock only says that
      // this thread is not its holder (and shows it abandoned).
      if (Kind === mp.Lock) assert.throws(() => lock.release(), mp.LockOwnerDiedError);
      else assert.throws(() => lock.release(), fails(mp.ReleaseError, "does not hold", "abandoned"));
    });

    test("by being terminated: a worker already waiting, and the main thread's acquireAsync, both fail", async () => {
      const lock = new Kind();
      const state = mp.Array("i", 2);
      const holder = new mp.Process({
        target: (lock: mp.Lock, state: mp.SharedArray<"i">) => {
          lock.acquire();
          state[0] = 1;
          for (;;) mp.sleep(0.01);
        },
        args: [lock, state],
      });
      const waiter = new mp.Process({
        target: (lock: mp.Lock, state: mp.SharedArray<"i">) => {
          state[1] = 1;
          lock.acquire();
        },
        args: [lock, state],
      });
      holder.start();
      try {
        await until(() => state[0] === 1, "the holder to take the lock");
        waiter.start();
        await until(() => state[1] === 1, "the waiter to start waiting");
        await until(() => hasSleepers(lock), "the waiter to sleep on the lock");
        // Checked from the start, so its rejection is never unhandled while the waiter is joined.
        const mainWaits = assert.rejects(
          lock.acquireAsync({ timeout: 10 }),
          (e: unknown) => e instanceof mp.LockOwnerDiedError && e.ownerThreadId === holder.pid,
        );
        await holder.terminate();
        assert.equal(holder.exitCode, -15);
        await assert.rejects(finish(waiter, 5), diedHolding(holder));
        await mainWaits;
      } finally {
        await mp.terminateAll();
      }
    });

    test("a worker that throws after releasing leaves the lock free", async () => {
      const lock = new Kind();
      const p = new mp.Process({
        target: (lock: mp.Lock) => {
          mp.withLock(lock, () => 1);
          throw new Error("after the critical section");
        },
        args: [lock],
      });
      p.start();
      await assert.rejects(finish(p), mp.ProcessError);
      assert.equal(lock.locked(), false);
      assert.equal(await lock.acquireAsync({ timeout: 1 }), true);
      lock.release();
    });
  });
}

test("Value.getLock() travels with the Value and guards it across workers", async () => {
  const v = mp.Value("i", 0);
  const p = new mp.Process({
    target: (v: mp.SharedValue<"i">) => {
      const lock = v.getLock();
      if (!(lock instanceof mp.RLock)) throw new TypeError("the lock was not rebuilt as an RLock");
      mp.withLock(lock, () => (v.value = v.value + 1));
    },
    args: [v],
  });
  p.start();
  await finish(p);
  assert.equal(v.value, 1);
  assert.equal(v.getLock().locked(), false);
});
