/**
 * The search's reduction (source-DPOR with sleep sets, src/explore/search.ts) against the naive
 * search (every interleaving), on small scenarios where both are exhaustive: the reduced search
 * must reach the same final states and find the same kinds of failure, in fewer schedules, and
 * the number of interleavings it says its classes stand for must be the naive search's count.
 *
 * The count is a strong check: each class run adds the number of interleavings it stands for, so
 * a class missed would make the sum too small and a class run twice too large.
 *
 * What this covers: every schedule of each scenario, twice (once per search). The racy bank's 70
 * comes from the test's own count (the places of A's 4 steps among 8); the others from the naive
 * search itself. The Condition is left out: each notify() scans 64 waiter slots, and even its
 * smallest scenario has some 12 700 classes.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { printed } from "./helpers/explore";

/** Explores `scenario` twice, naive and reduced, and compares what the two found. */
async function compare<A extends unknown[]>(title: string, scenario: mp.Scenario<A>): Promise<{ naive: mp.ExploreResult; reduced: mp.ExploreResult }> {
  const naive = printed(`${title}, naive`, await mp.explore({ ...scenario, reduce: false }));
  const reduced = printed(`${title}, reduced`, await mp.explore({ ...scenario, reduce: true }));
  assert.equal(naive.exhaustive, true);
  assert.equal(reduced.exhaustive, true);
  assert.equal(naive.naiveSchedules, naive.schedules);
  // A lock abandoned by a killed thread names its thread id, which differs between the two sessions.
  const states = (r: mp.ExploreResult) => r.finalStates.map((s) => s.state.replace(/thread \d+/g, "thread N")).sort();
  assert.deepEqual(states(reduced), states(naive), "the same final states");
  const failed = (r: mp.ExploreResult) => new Set(r.finalStates.map((s) => s.state).filter((s) => /deadlock|livelock/.test(s)));
  assert.deepEqual(failed(reduced), failed(naive));
  assert.equal(reduced.failures > 0, naive.failures > 0, "a failure found by both or by neither");
  assert.equal(reduced.failure?.kind, naive.failure?.kind);
  assert.ok(reduced.schedules <= naive.schedules);
  if (reduced.failure === null || reduced.failure.kind !== "invariant") assert.equal(reduced.naiveSchedules, naive.schedules, "the classes stand for every interleaving");
  return { naive, reduced };
}

const bankThreads = (rounds: number, locked: boolean) =>
  [+1, -1].map(
    (delta) =>
      new Function(
        "b",
        "lock",
        `for (let i = 0; i < ${rounds}; i++) { ${locked ? "lock.acquire();" : ""} b.value = b.value + (${delta}); ${locked ? "lock.release();" : ""} }`,
      ) as (b: mp.Value, lock: mp.Lock) => void,
  );

test("the racy bank, 2 x 2: the same final states as every interleaving, 70 of them", async () => {
  // The places of A's 4 steps among the 8: C(8, 4).
  let places = 1;
  for (let k = 1; k <= 4; k++) places = (places * (4 + k)) / k;
  const { naive, reduced } = await compare("racy bank 2x2", {
    threads: bankThreads(2, false),
    args: [mp.Value("i", 200), new mp.Lock()] as [mp.Value, mp.Lock],
    names: ["b", "lock"],
    check: (final) => mp.noLostUpdate(final, "b.value"),
  });
  assert.equal(naive.schedules, places);
  assert.equal(reduced.naiveSchedules, places);
});

test("the bank with a Lock, 2 x 1: the same final states as every interleaving", async () => {
  await compare("locked bank 2x1", {
    threads: bankThreads(1, true),
    args: [mp.Value("i", 200), new mp.Lock()] as [mp.Value, mp.Lock],
    names: ["b", "lock"],
    check: (final) => mp.noLostUpdate(final, "b.value") && final.args[0].value === 200,
  });
});

test("a Lock whose holder may be killed anywhere: the same outcomes as every interleaving", async () => {
  const { reduced } = await compare("Lock, 2 threads, A killed anywhere", {
    threads: [(lock: mp.Lock, v: mp.Value) => mp.withLock(lock, () => (v.value = 1)), (lock: mp.Lock, v: mp.Value) => mp.withLock(lock, () => v.value)],
    args: [new mp.Lock(), mp.Value("i", 0, { lock: false })] as [mp.Lock, mp.Value],
    names: ["lock", "v"],
    kill: "A",
    state: (final) => `${String(final.args[0]).replace(/thread \d+/, "thread N")}; ${final.threads.map((t) => `${t.thread} ${t.outcome} ${t.value ?? t.error?.name ?? ""}`).join(", ")}`,
  });
  assert.ok(reduced.schedules < (reduced.naiveSchedules ?? 0));
  assert.ok(reduced.finalStates.some((s) => /abandoned.*B threw LockOwnerDiedError/.test(s.state)), "A died holding the lock in some schedule");
});

test("an Event with a timed waiter, and a Semaphore: the same final states as every interleaving", async () => {
  await compare("Event, a setter, a waiter, a timed waiter", {
    threads: [
      (event: mp.Event, data: mp.Value) => {
        data.value = 42;
        event.set();
      },
      (event: mp.Event, data: mp.Value) => (event.wait({ timeout: 1 }) ? data.value : "timed out"),
    ],
    args: [new mp.Event(), mp.Value("i", 0, { lock: false })] as [mp.Event, mp.Value],
    names: ["event", "data"],
    state: ({ threads: [, waiter] }) => `B: ${waiter.value}`,
  });
  // (With a write inside, 2 x 2 steps more, the naive search runs 44 312 schedules: a minute.)
  await compare("Semaphore(1), 2 threads", {
    threads: [0, 1].map(() => (sem: mp.Semaphore) => {
      sem.acquire();
      sem.release();
    }),
    args: [new mp.Semaphore(1)] as [mp.Semaphore],
    names: ["sem"],
    check: ({ args: [sem] }) => sem.getValue() === 1,
  });
});

test("an invariant over two cells: the reduction keeps every memory state an interleaving passes through", async () => {
  // A and B write different cells, so their steps commute for the final state; but the invariant
  // sees the states in between, and only some orders pass through c = [1, 1].
  const { naive } = await compare("two flags, invariant: never both up", {
    threads: [
      (c: mp.Array) => {
        c[0] = 1;
        c[0] = 0;
      },
      (c: mp.Array) => {
        c[1] = 1;
        c[1] = 0;
      },
    ],
    args: [mp.Array("i", 2, { lock: false })] as [mp.Array],
    names: ["c"],
    invariant: ([c]) => c[0] + c[1] <= 1,
  });
  assert.equal(naive.failure?.kind, "invariant");
});

test("three threads, one racy increment each: 90 interleavings, every final state", async () => {
  // 6 steps, 2 per thread: 6! / (2! 2! 2!) orders.
  const { reduced } = await compare("3 threads x 1 increment", {
    threads: [0, 1, 2].map(() => (x: mp.Value) => {
      x.value = x.value + 1;
    }),
    args: [mp.Value("i", 0, { lock: false })] as [mp.Value],
    names: ["x"],
  });
  assert.equal(reduced.naiveSchedules, 720 / 8);
});

test("a reduced search counts the class of a run of 20,000 steps (with no recursion as deep as the run)", async () => {
  // Counting a run's class of schedules once recursed a level per step: a long run (a timed wait
  // in a loop, timed out again and again up to maxSteps) overflowed the stack. On that code this
  // test fails with "Maximum call stack size exceeded".
  const result = await mp.explore({
    threads: [(c: Int32Array) => { for (let i = 0; i < 20_000; i++) Atomics.add(c, 0, 1); }, (c: Int32Array) => Atomics.add(c, 0, 1)],
    args: [new Int32Array(new SharedArrayBuffer(4))] as [Int32Array],
    reduce: true,
    maxSteps: 30_000,
    maxSchedules: 1,
  });
  assert.equal(result.failure, null, String(result));
  assert.equal(result.steps, 20_001);
});

test("fairTimeouts: a timed wait in a loop is not timed out forever while the thread that ends it could go on; reduced or not, the same schedules", async () => {
  // Without fairTimeouts, the loop above is reported as a livelock (A~ A A~ A ... with B never
  // run). With it, A's wait may time out again only after B moved: A ends after 0 or 1 timeouts
  // (B's set() is one store that A's loop sees), and no schedule fails. The rule set timeouts
  // aside, so the result does not claim every schedule.
  const outcomes = [];
  for (const reduce of [false, true]) {
    const result = await mp.explore({
      threads: [(ev: mp.Event) => { let timeouts = 0; while (!ev.wait({ timeout: 0.01 })) timeouts++; return timeouts; }, (ev: mp.Event) => ev.set()],
      args: [new mp.Event()] as [mp.Event],
      reduce,
      fairTimeouts: true,
      state: ({ threads: [a] }) => `A timed out ${String(a.value)} times`,
    });
    assert.equal(result.failure, null, String(result));
    assert.equal(result.exhaustive, false);
    assert.match(result.bound ?? "", /^fair timeouts only/);
    assert.equal(result.naiveSchedules, null);
    assert.deepEqual(result.finalStates.map((s) => s.state).sort(), ["A timed out 0 times", "A timed out 1 times"]);
    outcomes.push(result.finalStates);
  }
  assert.deepEqual(outcomes[1], outcomes[0]);
});

test("fairTimeouts: threads that time out in a loop waiting for what never comes are still a livelock, taking turns", async () => {
  const loop = (ev: mp.Event) => { while (!ev.wait({ timeout: 0.01 })); };
  const result = await mp.explore({
    threads: [loop, loop],
    args: [new mp.Event()] as [mp.Event],
    reduce: true,
    fairTimeouts: true,
    maxSteps: 200,
    stopAtFirstFailure: true,
  });
  assert.equal(result.failure?.kind, "livelock", String(result));
  // Neither thread's wait times out twice in a row while the other could move.
  const timeouts = (result.failure?.schedule.match(/[AB]~/g) ?? []).join("");
  assert.ok(timeouts.length > 20, timeouts);
  assert.doesNotMatch(timeouts, /A~A~|B~B~/);
});

test("fairTimeouts: two threads' timeouts, taking turns, do not starve a third that can go on", async () => {
  // A and B wait for C's set() in timed loops. That A and B moved in turn (each timing out) is not
  // enough for another timeout: C could step at each, so it must step first.
  const loop = (ev: mp.Event) => { while (!ev.wait({ timeout: 0.01 })); };
  const result = await mp.explore({
    threads: [loop, loop, (ev: mp.Event, c: Int32Array) => { Atomics.add(c, 0, 1); ev.set(); }],
    args: [new mp.Event(), new Int32Array(new SharedArrayBuffer(4))] as [mp.Event, Int32Array],
    // No preemption: A and B sleep before C runs, so every switch to C's steps is free.
    preemptions: 0,
    fairTimeouts: true,
    maxSteps: 400,
    stopAtFirstFailure: true,
  });
  assert.equal(result.failure, null, String(result));
  assert.match(result.bound ?? "", /fair timeouts only/);
});

test("fairTimeouts: a timeout that races with the notify that would end it is still explored", async () => {
  // One timed wait, not a loop: both orders (set first, or the timeout first) are fair.
  const result = await mp.explore({
    threads: [(ev: mp.Event) => ev.wait({ timeout: 0.01 }), (ev: mp.Event) => ev.set()],
    args: [new mp.Event()] as [mp.Event],
    fairTimeouts: true,
    state: ({ threads: [a] }) => `wait returned ${String(a.value)}`,
  });
  assert.equal(result.exhaustive, true, "no timeout had to be set aside");
  assert.deepEqual(result.finalStates.map((s) => s.state).sort(), ["wait returned false", "wait returned true"]);
});
