/**
 * The tutorial's bank under the explorer: one worker deposits twice, one withdraws twice, with
 * `b.value = b.value ± 1` (a read step and a write step each), starting at 200.
 *
 * What this covers: every interleaving of the 8 steps (no reduction, no bound: exhaustive), so the
 * number of schedules and how many end at each balance are exact. The expected figures are not
 * copied from the tool: the test computes them with a small model of its own (every way to merge
 * the two threads' 4 steps, run over a plain number). With a Lock around each update, every
 * interleaving with at most 3 preemptions (no reduction: a preemption bound and the reduction do
 * not combine soundly, see src/explore/search.ts), each of which must end at 200. (Without the
 * bound, the reduced search runs 24 838 classes, all at 200, standing for 486 944 220
 * interleavings: some 45 s here, too long for every `npm test`.)
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { noFailure, printed } from "./helpers/explore";

/** The steps of one thread: read the balance into its register, then write register + delta; twice. */
type Step = { kind: "read" } | { kind: "write"; delta: number };
const thread = (delta: number): Step[] => [{ kind: "read" }, { kind: "write", delta }, { kind: "read" }, { kind: "write", delta }];

/** Every merge of two step lists, as the final balance each one leaves. */
function modelBalances(start: number): number[] {
  const [a, b] = [thread(+1), thread(-1)];
  const out: number[] = [];
  const go = (i: number, j: number, balance: number, regs: [number, number]): void => {
    if (i === a.length && j === b.length) {
      out.push(balance);
      return;
    }
    for (const [who, steps, at] of [[0, a, i], [1, b, j]] as const) {
      if (at === steps.length) continue;
      const step = steps[at];
      const next: [number, number] = [...regs];
      let after = balance;
      if (step.kind === "read") next[who] = balance;
      else after = regs[who] + step.delta;
      go(who === 0 ? i + 1 : i, who === 1 ? j + 1 : j, after, next);
    }
  };
  go(0, 0, start, [0, 0]);
  return out;
}

const deposit = (b: mp.Value) => {
  for (let i = 0; i < 2; i++) b.value = b.value + 1;
};
const withdraw = (b: mp.Value) => {
  for (let i = 0; i < 2; i++) b.value = b.value - 1;
};

test("the bank without a lock: every interleaving, and how many end at each balance", async () => {
  const expected = modelBalances(200);
  // C(8, 4): the places of A's 4 steps among the 8.
  assert.equal(expected.length, 70);
  const counts = new Map<string, number>();
  for (const balance of expected) counts.set(`Value('i', ${balance})`, (counts.get(`Value('i', ${balance})`) ?? 0) + 1);

  const b = mp.Value("i", 200);
  const result = printed("bank, 2 threads x 2 updates, no lock", await mp.explore({
    threads: [deposit, withdraw],
    args: [b],
    names: ["b"],
    check: ({ args: [b] }) => b.value === 200,
  }));
  console.log(result.finalStates.map((s) => `  ${s.count} x ${s.state}`).join("\n"));
  assert.equal(result.exhaustive, true);
  assert.equal(result.schedules, expected.length);
  assert.equal(result.steps, 8 * expected.length);
  assert.deepEqual(new Map(result.finalStates.map((s) => [s.state, s.count])), counts);
  assert.equal(result.failures, expected.filter((v) => v !== 200).length);
  // The first failing schedule replays to the same final state.
  const failure = result.failure as mp.Failure;
  const again = await mp.replay({ threads: [deposit, withdraw], args: [b], names: ["b"] }, failure.schedule);
  assert.equal(again.state, failure.state);
  assert.notEqual(again.state, "Value('i', 200)");
  assert.equal(b.value, 200, "explore and replay leave the arguments as they found them");
});

test("the bank with a Lock: every schedule ends at 200 (at most 3 preemptions)", async () => {
  const b = mp.Value("i", 200);
  const lock = new mp.Lock();
  const result = printed("bank with a Lock, 2 threads x 2 updates", await mp.explore({
    threads: [
      (b: mp.Value, lock: mp.Lock) => {
        for (let i = 0; i < 2; i++) mp.withLock(lock, () => (b.value = b.value + 1));
      },
      (b: mp.Value, lock: mp.Lock) => {
        for (let i = 0; i < 2; i++) mp.withLock(lock, () => (b.value = b.value - 1));
      },
    ],
    args: [b, lock],
    names: ["b", "lock"],
    preemptions: 3,
    check: ({ args: [b] }) => b.value === 200,
  }));
  noFailure(result);
  assert.deepEqual(result.finalStates.map((s) => s.state), ["Value('i', 200), <Lock(unlocked)>"]);
  assert.ok(result.schedules > 70, "the lock's own steps (compare-exchange, spin, sleep, wake) add schedules");
  assert.equal(result.naiveSchedules, result.schedules, "every interleaving within the bound ran");
});
