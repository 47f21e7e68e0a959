/**
 * A holder terminated at any point of its acquire/release loop never leaves a lock that hangs: the
 * next acquire either takes it or throws LockOwnerDiedError (issue 10a).
 *
 * What this covers: real workers running `acquire(); release();` in a tight loop, terminated after a
 * random delay, 200+ times per kind. Which instruction each termination lands on is up to the
 * operating system, so this samples the loop's points (acquire's compare-exchange, the gap before
 * release, release itself) rather than enumerating them; the old two-cell owner record hung in about
 * half of such terminations, so a regression fails here within a few rounds. The explorer's
 * model-checked tests kill the holder at every single step.
 */
import { after, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { until } from "./helpers/util";

after(() => mp.terminateAll());

/** Terminations: `rounds` rounds of WORKERS workers, each on its own lock; 220 in all. */
const WORKERS = 4;
const ROUNDS = { Lock: 25, RLock: 15, Condition: 15 };

type Outcome = "acquired" | "LockOwnerDiedError" | "HUNG";

/** What the main thread gets from the lock once its looping holder was terminated. */
async function afterTermination(lock: mp.Lock): Promise<Outcome> {
  try {
    if (!(await lock.acquireAsync({ timeout: 2 }))) return "HUNG";
    lock.release();
    return "acquired";
  } catch (error) {
    if (error instanceof mp.LockOwnerDiedError) return "LockOwnerDiedError";
    throw error;
  }
}

/**
 * Starts WORKERS looping holders, each on a fresh lock made by `make`, lets them loop for a random
 * 0–3 ms once all run, terminates them, and counts what acquiring each lock then gives.
 */
async function terminateLoopingHolders(
  rounds: number,
  make: () => { lock: mp.Lock; shared: unknown },
  target: (shared: never, spins: mp.SharedArray<"i">, slot: number) => void,
): Promise<Record<Outcome, number>> {
  const counts: Record<Outcome, number> = { acquired: 0, LockOwnerDiedError: 0, HUNG: 0 };
  for (let round = 0; round < rounds; round++) {
    const spins = mp.Array("i", WORKERS);
    const made = Array.from({ length: WORKERS }, make);
    const processes = made.map(({ shared }, slot) => new mp.Process({ target, args: [shared as never, spins, slot] }));
    processes.forEach((p) => p.start());
    await until(() => spins.toArray().every((n) => n > 0), "every holder to loop");
    await mp.sleepAsync(Math.random() * 0.003);
    await Promise.all(processes.map((p) => p.terminate()));
    for (const { lock } of made) counts[await afterTermination(lock)]++;
  }
  return counts;
}

describe("a holder terminated anywhere in its acquire/release loop", () => {
  for (const Kind of [mp.Lock, mp.RLock]) {
    const rounds = ROUNDS[Kind.name as "Lock" | "RLock"];
    test(`${Kind.name}: ${rounds * WORKERS} terminations, each followed by an acquire or LockOwnerDiedError, never a hang`, async () => {
      const counts = await terminateLoopingHolders(
        rounds,
        () => {
          const lock = new Kind();
          return { lock, shared: lock };
        },
        (lock: mp.Lock, spins: mp.SharedArray<"i">, slot: number) => {
          for (;;) {
            lock.acquire();
            lock.release();
            spins[slot] += 1;
          }
        },
      );
      console.log(`${Kind.name}:`, counts);
      assert.equal(counts.HUNG, 0, `${counts.HUNG} locks stayed locked by nobody`);
      assert.equal(counts.acquired + counts.LockOwnerDiedError, rounds * WORKERS);
    });
  }

  test(`a Condition's lock, held around notify(): ${ROUNDS.Condition * WORKERS} terminations, never a hang`, async () => {
    const counts = await terminateLoopingHolders(
      ROUNDS.Condition,
      () => {
        const cond = new mp.Condition();
        return { lock: cond.lock, shared: cond };
      },
      (cond: mp.Condition, spins: mp.SharedArray<"i">, slot: number) => {
        for (;;) {
          cond.acquire();
          cond.notify();
          cond.release();
          spins[slot] += 1;
        }
      },
    );
    console.log("Condition's RLock:", counts);
    assert.equal(counts.HUNG, 0, `${counts.HUNG} locks stayed locked by nobody`);
  });
});
