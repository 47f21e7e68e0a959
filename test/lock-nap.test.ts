/**
 * The nap after a lost wake-up (src/spin.ts, `napAfterLostWakeUp`; src/lock.ts): a waiter that
 * `Atomics.notify` woke, and that finds the lock taken again, naps before it marks itself a
 * sleeper again, so the holder's releases stay one compare-exchange meanwhile.
 *
 * The lost wake-up is made certain, not hoped for: the main thread holds the lock until the worker
 * sleeps in it (its SLEEPERS bit), then releases it and takes it back at once with
 * `acquire({ blocking: false })`, nanoseconds later, while the worker is still being woken (if the
 * worker ever got in first, the round is run again). What is timed is the interval between that
 * release and the moment the worker's mark shows again. With the nap it cannot be shorter than the
 * nap; without it, it is the worker's wake-up time (tens of microseconds here), so a lock without
 * the nap fails this test unless waking the worker took longer than the nap itself.
 */
import { after, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import { join } from "node:path";
import * as mp from "../dist";
import { NAP_MS, napAfterLostWakeUp } from "../dist/spin";
import { finish, hasSleepers, run, until } from "./helpers/util";

after(() => mp.terminateAll());

/** The worker: takes the lock once, waiting as long as it takes, and gives it back. */
function takeOnce(lock: mp.Lock): void {
  lock.acquire();
  lock.release();
}

/**
 * One round: milliseconds from the main thread's release to the worker's next SLEEPERS mark, or
 * `null` when the worker got the lock first (no lost wake-up this time).
 */
async function oneRound(): Promise<number | null> {
  const lock = new mp.Lock();
  assert.equal(lock.acquire({ blocking: false }), true);
  const worker = new mp.Process({ target: takeOnce, args: [lock] });
  worker.start();
  try {
    await until(() => hasSleepers(lock), "the worker to sleep in acquire()");
    const released = performance.now();
    lock.release();
    if (!lock.acquire({ blocking: false })) return null;
    // Polled without yielding, so that nothing on this thread delays seeing the mark.
    let seen = performance.now();
    while (!hasSleepers(lock) && seen - released < 1000) seen = performance.now();
    assert.ok(hasSleepers(lock), "the worker never marked itself a sleeper again within 1 s");
    return seen - released;
  } finally {
    if (lock.owner() === 0) lock.release();
    await finish(worker);
  }
}

describe("a nap after a lost wake-up", () => {
  test("a woken waiter that finds the lock taken again waits a nap before it marks itself a sleeper", async () => {
    const intervals: number[] = [];
    for (let round = 0; round < 20 && intervals.length < 5; round++) {
      const ms = await oneRound();
      if (ms !== null) intervals.push(ms);
    }
    assert.equal(intervals.length, 5, "the worker got in before the main thread took the lock back in 15 of 20 rounds");
    for (const ms of intervals) {
      assert.ok(ms >= NAP_MS * 0.95, `the mark came back ${ms.toFixed(3)} ms after the release, sooner than the ${NAP_MS} ms nap`);
    }
  });

  test("lasts NAP_MS by default, and nothing under explore's fixed policy", async () => {
    assert.equal(napAfterLostWakeUp(), NAP_MS);
    const nap = mp.Array("d", 1);
    const target = (spin: string, nap: mp.SharedArray<"d">): void => {
      const policy = require(spin) as typeof import("../dist/spin");
      policy.useFixedSpin(64);
      nap[0] = policy.napAfterLostWakeUp();
    };
    nap[0] = -1;
    await run(target, [join(__dirname, "..", "dist", "spin"), nap]);
    assert.equal(nap[0], 0);
  });
});
