/**
 * The smaller promises of issue 10: an RLock refuses to count past 2³¹ - 1 and checks its options on
 * re-entry; `fromBuffer` refuses another kind's memory; a lock sent many times is watched once; a
 * subclass travels as its library class; one object twice in `args` arrives as one object; a plain
 * Lock whose holder returned may be released by the parent; every library error is an `MpError`.
 */
import { after, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { watchedCount } from "../dist/owner-watch";
import { fails, finish, run } from "./helpers/util";

after(() => mp.terminateAll());

describe("RLock's count", () => {
  test("refuses a hold past 2³¹ - 1 with a RangeError, leaving the count as it was", async () => {
    const lock = new mp.RLock();
    assert.ok(await lock.acquireAsync());
    // White-box: the count is the RLock's second cell; set it near the top instead of acquiring 2³¹ times.
    new Int32Array(lock.buffer)[1] = 0x7ffffffe;
    assert.ok(await lock.acquireAsync());
    assert.equal(lock.count(), 0x7fffffff);
    assert.throws(() => lock.acquire({ blocking: false }), fails(RangeError, "2147483647 times", "Release it"));
    await assert.rejects(lock.acquireAsync(), RangeError);
    assert.equal(lock.count(), 0x7fffffff, "a refused hold does not wrap the count");
  });

  test("re-entry still checks its options", async () => {
    const lock = new mp.RLock();
    assert.ok(lock.acquire({ blocking: false }));
    assert.throws(() => lock.acquire({ timeout: -1 } as never), fails(RangeError, "timeout"));
    assert.throws(() => lock.acquire({ blocking: "no" } as never), fails(TypeError, "blocking"));
    assert.throws(() => lock.acquire(5 as never), fails(TypeError, "options"));
    await assert.rejects(lock.acquireAsync({ timeout: "1" } as never), TypeError);
    assert.equal(lock.count(), 1, "refused re-entries took no hold");
  });
});

describe("fromBuffer() and the kind mark", () => {
  test("refuses memory of another kind, even of the same size", () => {
    assert.throws(() => mp.RLock.fromBuffer(new mp.Semaphore(1).buffer), fails(TypeError, "RLock.fromBuffer()"));
    assert.equal(new mp.Lock().buffer.byteLength, new mp.Event().buffer.byteLength);
    assert.throws(() => mp.Lock.fromBuffer(new mp.Event().buffer), fails(TypeError, "Lock.fromBuffer()", "another kind"));
    assert.throws(() => mp.Event.fromBuffer(new mp.Lock().buffer), fails(TypeError, "Event.fromBuffer()", "another kind"));
    assert.throws(() => mp.Semaphore.fromBuffer(new mp.BoundedSemaphore(1).buffer), fails(TypeError, "another kind"));
    assert.throws(() => mp.Lock.fromBuffer(new SharedArrayBuffer(8)), fails(TypeError, "another kind"));
  });
});

describe("sending locks to workers", () => {
  test("a lock sent to many workers is watched once", async () => {
    const lock = new mp.Lock();
    const before = watchedCount();
    for (let i = 0; i < 5; i++) await run((lock: mp.Lock) => lock.locked(), [lock]);
    assert.equal(watchedCount(), before + 1);
  });

  test("a subclass travels as its library class", async () => {
    class MyLock extends mp.Lock {}
    const lock = new MyLock();
    await run(
      (lock: mp.Lock) => {
        if (!(lock instanceof mp.Lock)) throw new Error("not a Lock");
        lock.acquire();
        lock.release();
      },
      [lock],
    );
    assert.equal(lock.locked(), false);
  });

  test("the same object twice in args arrives as one object, a Condition's lock included", async () => {
    const lock = new mp.Lock();
    const cond = new mp.Condition(lock);
    const seen = mp.Array("i", 2);
    await run(
      (a: mp.Lock, b: mp.Lock, cond: mp.Condition, seen: mp.SharedArray<"i">) => {
        seen[0] = a === b ? 1 : 2;
        seen[1] = cond.lock === a ? 1 : 2;
      },
      [lock, lock, cond, seen],
    );
    assert.deepEqual(seen.toArray(), [1, 1]);
  });
});

describe("a holder that returned while holding", () => {
  test("a plain Lock stays locked, and the parent may release it, as in Python", async () => {
    const lock = new mp.Lock();
    const p = await run((lock: mp.Lock) => void lock.acquire(), [lock]);
    assert.equal(p.exitCode, 0);
    assert.equal(lock.owner(), p.pid);
    lock.release();
    assert.equal(lock.locked(), false);
    assert.ok(await lock.acquireAsync({ timeout: 1 }));
  });

  test("an RLock, which only its holder may release, is abandoned", async () => {
    const lock = new mp.RLock();
    const p = await run((lock: mp.Lock) => void lock.acquire(), [lock]);
    await assert.rejects(lock.acquireAsync({ timeout: 1 }), mp.LockOwnerDiedError);
    assert.equal(String(lock), `<RLock(abandoned by thread ${p.pid})>`);
  });
});

test("every error class of the library is an MpError, with its own name", async () => {
  const errors: Error[] = [];
  const lock = new mp.Lock();
  try {
    lock.release();
  } catch (e) {
    errors.push(e as Error);
  }
  try {
    lock.acquire();
  } catch (e) {
    errors.push(e as Error);
  }
  try {
    new mp.Condition().notify();
  } catch (e) {
    errors.push(e as Error);
  }
  const p = new mp.Process({ target: () => { throw new Error("boom"); } });
  p.start();
  await finish(p).catch((e: Error) => errors.push(e));
  assert.deepEqual(errors.map((e) => e.name), ["ReleaseError", "BlockingCallError", "ConditionError", "ProcessError"]);
  for (const e of errors) assert.ok(e instanceof mp.MpError, `${e.name} is an MpError`);
});
