/**
 * Mutation tests of the explorer: deliberately broken copies of the primitives (test/mutants/),
 * small classes over the same `atomics` module as the library, so the explorer schedules them the
 * same way. For each, the explorer must find the bug (a failing schedule, printed, that replays to
 * the same failure), and on the real primitive, in the same scenario, find none.
 *
 * Which schedules: `reduce`, exhaustive (the scenarios are one acquire/release or one wait per
 * thread), with `kill: "A"` where the bug needs a thread to die.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { watchOwner } from "../dist/owner-watch";
import { compiledMutant, noFailure, printed } from "./helpers/explore";
import { OwnerAfterCasLock } from "./mutants/owner-after-cas";

/** Runs `scenario`, expects a failure of `kind`, prints it, and checks that its schedule replays to it. */
async function findsBug<A extends unknown[]>(title: string, scenario: mp.Scenario<A>, kind: mp.Failure["kind"]): Promise<mp.Failure> {
  const result = printed(title, await mp.explore({ ...scenario, stopAtFirstFailure: true }));
  const failure = result.failure;
  assert.ok(failure !== null, `the explorer missed the bug:\n${result}`);
  console.log(`  found (${failure.kind}): ${failure.message}\n  schedule: ${failure.schedule}`);
  assert.equal(failure.kind, kind, String(result));
  const again = await mp.replay(scenario, failure.schedule);
  assert.equal(again.failure?.kind, kind, String(again));
  return failure;
}

/** Lets a thread die holding a lock or taking it; the others must get LockOwnerDiedError or the lock. */
const diedOrTook = ({ threads }: mp.FinalState): boolean =>
  threads.every((t) => t.outcome !== "threw" || t.error?.name === "LockOwnerDiedError");

test("mutant: the owner recorded after the compare-exchange; a holder killed in between hangs the lock", async () => {
  const path = compiledMutant("owner-after-cas");
  const memory = mp.Array("i", 2, { lock: false });
  // As sending a real lock to a worker does. The registry holds it weakly: keep it alive here.
  const watched = new OwnerAfterCasLock(memory);
  watchOwner(watched);
  const user = (path: string, memory: mp.Array) => {
    const { OwnerAfterCasLock } = require(path);
    const lock = new OwnerAfterCasLock(memory);
    lock.acquire();
    lock.release();
  };
  const failure = await findsBug(
    "OwnerAfterCasLock, 2 threads, A killed anywhere",
    { threads: [user, user], args: [path, memory] as [string, mp.Array], names: ["path", "lock"], reduce: true, kill: "A", check: diedOrTook },
    "deadlock",
  );
  // The bug itself: A dies while the state cell says "taken" and the owner cell names nobody
  // (after its compare-exchange took the lock and before it stored its name, or after release()
  // cleared the name and before it cleared the state).
  const killed = failure.trace.findIndex((s) => s.op === "killed");
  assert.ok(killed > 0, "the failing schedule kills A");
  const last = (cell: string) => failure.trace.slice(0, killed).filter((s) => s.cell === cell && s.after !== undefined).at(-1)?.after ?? 0;
  assert.deepEqual([last("lock[0]"), last("lock[1]")], [1, 0], "at the kill: taken, owner nobody");
  assert.ok(watched, "still watched");
  // The real Lock in this scenario: explore-lock.test.ts, "killed anywhere" (a `todo` while the
  // lost wake-up of a holder killed inside release() stands: see there).
});

test("mutant: a Condition that counts instead of signalling; notify(1) seems to wake two", async () => {
  const path = compiledMutant("counting-condition");
  const waiter = (path: string, memory: mp.Array, lock: mp.Lock) => {
    const { CountingCondition } = require(path);
    const cond = new CountingCondition(memory, lock);
    return mp.withLock(lock, () => cond.wait(1));
  };
  const notifier = (path: string, memory: mp.Array, lock: mp.Lock) => {
    const { CountingCondition } = require(path);
    const cond = new CountingCondition(memory, lock);
    return mp.withLock(lock, () => cond.notify(1));
  };
  await findsBug(
    "CountingCondition, two waiters with timeouts and notify(1)",
    {
      threads: [waiter, waiter, notifier],
      args: [path, mp.Array("i", 1, { lock: false }), new mp.Lock()] as [string, mp.Array, mp.Lock],
      names: ["path", "count", "lock"],
      reduce: true,
      preemptions: 1,
      check: ({ threads: [a, b, n] }) => [a, b].filter((t) => t.value === true).length === n.value,
    },
    "check",
  );
  // The real Condition passes the same check: explore-primitives.test.ts, "notify(1) wakes at most one".
});

test("mutant: a release that forgets to notify; a sleeping waiter is never woken", async () => {
  const path = compiledMutant("forgetful-release");
  const user = (path: string, memory: mp.Array) => {
    const { ForgetfulLock } = require(path);
    const lock = new ForgetfulLock(memory);
    lock.acquire();
    lock.release();
  };
  const failure = await findsBug(
    "ForgetfulLock, 2 threads",
    { threads: [user, user], args: [path, mp.Array("i", 1, { lock: false })] as [string, mp.Array], names: ["path", "lock"], reduce: true },
    "deadlock",
  );
  assert.match(failure.message, /sleeps in wait\(\)/);

  const real = printed("the real Lock, same scenario", await mp.explore({
    threads: [(lock: mp.Lock) => mp.withLock(lock, () => undefined), (lock: mp.Lock) => mp.withLock(lock, () => undefined)],
    args: [new mp.Lock()] as [mp.Lock],
    reduce: true,
  }));
  noFailure(real);
  assert.equal(real.exhaustive, true);
});
