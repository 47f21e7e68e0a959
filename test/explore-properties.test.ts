/**
 * Properties of a whole schedule (src/explore/properties.ts), on the tutorial's bank: one thread
 * deposits twice, one withdraws twice, with `b.value = b.value ± 1`, starting at 200.
 *
 * What this covers: without a lock, every interleaving of the 8 steps (no reduction, no bound:
 * exhaustive); the test's own enumeration says, for each merge of the two threads' steps, the
 * final balance and whether an update was lost (a thread wrote after another thread's write that
 * it had not read), and the explorer's counts must match it exactly. With a Lock, every class of
 * equivalent schedules within the bound printed: no update is lost.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { noFailure, printed } from "./helpers/explore";

type Step = { kind: "read" } | { kind: "write"; delta: number };
const steps = (delta: number): Step[] => [{ kind: "read" }, { kind: "write", delta }, { kind: "read" }, { kind: "write", delta }];

/** Every merge of the two threads' steps: its final balance, and whether a write was based on a stale read. */
function model(start: number): Array<{ balance: number; lost: boolean }> {
  const threads = [steps(+1), steps(-1)];
  const out: Array<{ balance: number; lost: boolean }> = [];
  const go = (at: number[], balance: number, regs: number[], stale: boolean[], lost: boolean): void => {
    if (at.every((i, t) => i === threads[t].length)) {
      out.push({ balance, lost });
      return;
    }
    for (let t = 0; t < threads.length; t++) {
      if (at[t] === threads[t].length) continue;
      const step = threads[t][at[t]];
      const nextAt = at.map((i, u) => (u === t ? i + 1 : i));
      if (step.kind === "read") {
        go(nextAt, balance, regs.map((r, u) => (u === t ? balance : r)), stale.map((s, u) => (u === t ? false : s)), lost);
      } else {
        // This write makes every other thread's last read stale.
        go(nextAt, regs[t] + step.delta, regs, stale.map((_, u) => u !== t), lost || stale[t]);
      }
    }
  };
  go([0, 0], start, [0, 0], [false, false], false);
  return out;
}

const deposit = (b: mp.Value) => {
  for (let i = 0; i < 2; i++) b.value = b.value + 1;
};
const withdraw = (b: mp.Value) => {
  for (let i = 0; i < 2; i++) b.value = b.value - 1;
};

test("noLostUpdate on the bank without a lock: the model's counts, including lost updates that cancel out", async () => {
  const expected = model(200);
  const counts = new Map<string, number>();
  for (const { balance, lost } of expected) {
    const key = `${balance} ${lost ? "lost" : "kept"}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const b = mp.Value("i", 200);
  const result = printed("bank, no lock, noLostUpdate", await mp.explore({
    threads: [deposit, withdraw],
    args: [b],
    names: ["b"],
    check: (final) => mp.noLostUpdate(final, "b.value"),
    state: (final) => `${final.args[0].value} ${mp.noLostUpdate(final) ? "kept" : "lost"}`,
  }));
  console.log(result.finalStates.map((s) => `  ${s.count} x ${s.state}`).join("\n"));
  assert.equal(result.exhaustive, true);
  assert.equal(result.schedules, expected.length);
  assert.deepEqual(new Map(result.finalStates.map((s) => [s.state, s.count])), counts);
  const wrongBalance = expected.filter((s) => s.balance !== 200).length;
  const lost = expected.filter((s) => s.lost).length;
  console.log(`  ${expected.length} schedules, ${wrongBalance} end at a balance other than 200, ${lost} lose an update`);
  assert.equal(result.failures, lost);
  // Every schedule that ends wrong lost an update; some that end at 200 lost two that cancel out.
  assert.ok(expected.every((s) => s.balance === 200 || s.lost));
  assert.ok(lost > wrongBalance);
  // The first failure's lost update, in detail: the write, the stale read, the write it overwrote.
  const failure = result.failure as mp.Failure;
  const [first] = mp.lostUpdates(failure);
  assert.equal(first.cell, "b.value");
  assert.notEqual(first.read.thread, first.overwritten[0].thread);
  assert.equal(first.write.thread, first.read.thread);
  assert.ok(first.read.step < first.overwritten[0].step && first.overwritten[0].step < first.write.step);
});

test("noLostUpdate on the bank with a Lock: no schedule loses an update", async () => {
  const b = mp.Value("i", 200);
  const lock = new mp.Lock();
  const result = printed("bank with a Lock, noLostUpdate", await mp.explore({
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
    reduce: true,
    preemptions: 2,
    check: (final) => mp.noLostUpdate(final, "b.value") && final.args[0].value === 200,
  }));
  noFailure(result);
});

test("entryOrder and fifo read the order of writes of a cell", async () => {
  const ticket = mp.Value("i", 0, { lock: false });
  const entered = mp.Value("i", 0, { lock: false });
  // No lock at all: the entries may come in any order relative to the tickets.
  const result = printed("tickets without a lock, fifo", await mp.explore({
    threads: [
      (ticket: mp.Value, entered: mp.Value) => {
        ticket.value = 1;
        entered.value = 1;
      },
      (ticket: mp.Value, entered: mp.Value) => {
        ticket.value = 2;
        entered.value = 2;
      },
    ],
    args: [ticket, entered],
    names: ["ticket", "entered"],
    check: (final) => mp.fifo(final, { arrive: "ticket.value", enter: "entered.value" }),
    state: (final) => `${mp.entryOrder(final, "ticket.value")} ${mp.entryOrder(final, "entered.value")}`,
  }));
  // 6 interleavings of 2 + 2 steps: tickets AB in 3 (entries AB in 2 of them), BA in 3 likewise.
  assert.deepEqual(new Map(result.finalStates.map((s) => [s.state, s.count])), new Map([["AB AB", 2], ["AB BA", 1], ["BA AB", 1], ["BA BA", 2]]));
  assert.equal(result.failures, 2);
  assert.throws(() => mp.noLostUpdate({} as mp.FinalState), /pass the final state/);
});
