/**
 * Semaphore, BoundedSemaphore, Event, Condition and Barrier, model-checked: real workers under the
 * explorer's scheduler, one shared-memory step at a time, with waits that sleep until a notify or
 * until the schedule lets their timeout fire.
 *
 * Which schedules: `reduce` (source-DPOR: one schedule per class of schedules that differ only in
 * the order of independent steps, and every class) where exhaustive. The others are bounded to 1
 * or 2 preemptions per schedule (CHESS: most bugs need at most 2), each saying which in its name:
 * three threads on one semaphore (every interleaving within the bound, without `reduce`: some
 * 1 700), the Condition (each notify() scans 64 waiter slots: some 12 700 classes unbounded, and
 * some 2 200 interleavings within 2 preemptions, too many for the suite) and a barrier's second
 * round. Those two keep `reduce` under the bound, which do not combine soundly: their results say
 * they are not even every class within the bound (see src/explore/search.ts).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { noFailure, printed } from "./helpers/explore";

/** Thread `i` of a semaphore test: takes a place, marks itself inside, leaves, gives it back. */
function holder(i: number): (sem: mp.Semaphore, inside: mp.Array) => void {
  return new Function("sem", "inside", `sem.acquire(); inside[${i}] = 1; inside[${i}] = 0; sem.release();`) as (sem: mp.Semaphore, inside: mp.Array) => void;
}

for (const Kind of [mp.Semaphore, mp.BoundedSemaphore]) {
  test(`${Kind.name}(2), 3 threads: never more than 2 inside (at most 2 preemptions)`, async () => {
    const sem = new Kind(2);
    const inside = mp.Array("i", 3, { lock: false });
    const result = printed(`${Kind.name}(2), 3 threads`, await mp.explore({
      threads: [holder(0), holder(1), holder(2)],
      args: [sem, inside] as [mp.Semaphore, mp.Array],
      names: ["sem", "inside"],
      preemptions: 2,
      invariant: ([, inside]) => inside.toArray().reduce((a, b) => a + b, 0) <= 2,
      check: ({ args: [sem, inside] }) => sem.getValue() === 2 && inside.toArray().every((v) => v === 0),
    }));
    noFailure(result);
  });
}

test("Event: a waiter sees what was written before set(), and a timed-out wait says false (exhaustive)", async () => {
  const event = new mp.Event();
  const data = mp.Value("i", 0, { lock: false });
  const result = printed("Event, a setter and two waiters (one with a timeout)", await mp.explore({
    threads: [
      (event: mp.Event, data: mp.Value) => {
        data.value = 42;
        event.set();
      },
      (event: mp.Event, data: mp.Value) => {
        event.wait();
        return data.value;
      },
      (event: mp.Event, data: mp.Value) => (event.wait({ timeout: 1 }) ? data.value : "timed out"),
    ],
    args: [event, data] as [mp.Event, mp.Value],
    names: ["event", "data"],
    reduce: true,
    check: ({ threads: [, waiter, timed] }) => waiter.value === 42 && (timed.value === 42 || timed.value === "timed out"),
    state: ({ threads: [, , timed] }) => `C: ${timed.value}`,
  }));
  noFailure(result);
  assert.equal(result.exhaustive, true);
  assert.deepEqual(result.finalStates.map((s) => s.state).sort(), ["C: 42", "C: timed out"]);
});

test("Condition: a timed-out wait returns false exactly when it was not notified (at most 2 preemptions)", async () => {
  const cond = new mp.Condition(new mp.Lock());
  const result = printed("Condition, a waiter with a timeout and a notifier", await mp.explore({
    threads: [
      (cond: mp.Condition) => mp.withLock(cond, () => cond.wait({ timeout: 1 })),
      (cond: mp.Condition) => mp.withLock(cond, () => cond.notify(1)),
    ],
    args: [cond] as [mp.Condition],
    names: ["cond"],
    reduce: true,
    // Exhaustive is some 12 700 classes (3 minutes here): each notify() scans 64 waiter slots.
    preemptions: 2,
    check: ({ threads: [waiter, notifier] }) => waiter.value === (notifier.value === 1),
    state: ({ threads: [waiter, notifier] }) => `wait() returned ${waiter.value}, notify() woke ${notifier.value}`,
  }));
  noFailure(result);
  assert.deepEqual(result.finalStates.map((s) => s.state).sort(), ["wait() returned false, notify() woke 0", "wait() returned true, notify() woke 1"]);
});

test("Condition: notify(1) wakes at most one of two waiters (at most 1 preemption)", async () => {
  const cond = new mp.Condition(new mp.Lock());
  const waiter = (cond: mp.Condition) => mp.withLock(cond, () => cond.wait({ timeout: 1 }));
  const result = printed("Condition, two waiters with timeouts and notify(1)", await mp.explore({
    threads: [waiter, waiter, (cond: mp.Condition) => mp.withLock(cond, () => cond.notify(1))],
    args: [cond] as [mp.Condition],
    names: ["cond"],
    reduce: true,
    // Every notify() scans the condition's 64 waiter slots, some 150 steps per schedule: one
    // preemption keeps this test to a few seconds.
    preemptions: 1,
    check: ({ threads: [a, b, notifier] }) => [a, b].filter((t) => t.value === true).length === notifier.value,
    state: ({ threads: [, , notifier] }) => `notify(1) woke ${notifier.value}`,
  }));
  noFailure(result);
  assert.deepEqual(result.finalStates.map((s) => s.state).sort(), ["notify(1) woke 0", "notify(1) woke 1"]);
});

/** A party of a barrier test: arrives at each round, waits, and marks that it left. */
function party(i: number, rounds: number, timeout: string): (barrier: mp.Barrier, arrived: mp.Array, left: mp.Array) => void {
  return new Function(
    "barrier",
    "arrived",
    "left",
    `for (let round = 1; round <= ${rounds}; round++) { arrived[${i}] = round; barrier.wait(${timeout}); left[${i}] = round; }`,
  ) as (barrier: mp.Barrier, arrived: mp.Array, left: mp.Array) => void;
}

for (const [rounds, preemptions] of [[1, Infinity], [2, 2]] as const) {
  const bound = preemptions === Infinity ? "exhaustive" : `at most ${preemptions} preemptions`;
  test(`Barrier(2), ${rounds} round(s), B with a timeout: everyone leaves a round together, or all get BrokenBarrierError (${bound})`, async () => {
    const barrier = new mp.Barrier(2);
    const arrived = mp.Array("i", 2, { lock: false });
    const left = mp.Array("i", 2, { lock: false });
    const result = printed(`Barrier(2), ${rounds} round(s), B with a timeout`, await mp.explore({
      threads: [party(0, rounds, ""), party(1, rounds, "{ timeout: 1 }")],
      args: [barrier, arrived, left] as [mp.Barrier, mp.Array, mp.Array],
      names: ["barrier", "arrived", "left"],
      reduce: true,
      preemptions,
      // Nobody has left round r before everyone arrived at round r.
      invariant: ([, arrived, left]) => Math.max(...left.toArray()) <= Math.min(...arrived.toArray()),
      check: ({ threads }) => threads.every((t) => t.outcome === "returned") || threads.every((t) => t.error?.name === "BrokenBarrierError"),
      state: ({ threads }) => threads.map((t) => `${t.thread} ${t.outcome === "returned" ? "returned" : t.error?.name}`).join(", "),
    }));
    noFailure(result);
    assert.equal(result.exhaustive, preemptions === Infinity);
    assert.deepEqual(result.finalStates.map((s) => s.state).sort(), ["A BrokenBarrierError, B BrokenBarrierError", "A returned, B returned"]);
  });
}
