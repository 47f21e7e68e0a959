/**
 * Properties of a whole schedule (src/explore/properties.ts), on the tutorial's bank: one thread
 * deposits twice, one withdraws twice, with `b.value = b.value ± 1`, starting at 200.
 *
 * What this covers: without a lock, every interleaving of the 8 steps (no reduction, no bound:
 * exhaustive); the test's own enumeration says, for each merge of the two threads' steps, the
 * final balance and whether an update was lost (a thread wrote after another thread's write that
 * it had not read), and the explorer's counts must match it exactly. With a Lock, every
 * interleaving with at most 2 preemptions: no update is lost. Linearizability of a counter
 * (locked: passes; unlocked: fails exactly where the test's own count says), and FIFO entry for a
 * ticket lock (every class of schedules) against a plain Lock (which lets a later arrival in first).
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
    // Every interleaving with at most 2 preemptions (no reduction: the bound and the reduction do
    // not combine soundly, see search.ts). Unbounded, the reduced search runs 24 838 classes.
    preemptions: 2,
    check: (final) => mp.noLostUpdate(final, "b.value") && final.args[0].value === 200,
  }));
  noFailure(result);
  assert.equal(result.naiveSchedules, result.schedules, "every interleaving within the bound ran");
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

/** A counter, one operation at a time: `inc` returns the value before it, `get` the value. */
const counter: mp.SequentialModel<{ n: number }> = {
  init: () => ({ n: 0 }),
  apply: (state, op) => (op === "inc" ? state.n++ : state.n),
};

/** A thread that increments the counter once, recording it; `locked` takes the lock around it. */
function incrementer(locked: boolean): (c: mp.Value, lock: mp.Lock, marks: mp.Value) => mp.RecordedOperation[] {
  const inc = locked
    ? (c: mp.Value, lock: mp.Lock, marks: mp.Value) => {
        const rec = new mp.OperationRecorder(marks);
        rec.call("inc", [], () => mp.withLock(lock, () => {
          const v = c.value;
          c.value = v + 1;
          return v;
        }));
        return rec.operations;
      }
    : (c: mp.Value, _lock: mp.Lock, marks: mp.Value) => {
        const rec = new mp.OperationRecorder(marks);
        rec.call("inc", [], () => {
          const v = c.value;
          c.value = v + 1;
          return v;
        });
        return rec.operations;
      };
  return inc;
}

test("linearizable: a counter under a Lock passes, with a get that overlaps", async () => {
  const result = printed("locked counter, inc || get, linearizable", await mp.explore({
    threads: [
      incrementer(true),
      (c: mp.Value, lock: mp.Lock, marks: mp.Value) => {
        const rec = new mp.OperationRecorder(marks);
        rec.call("get", [], () => mp.withLock(lock, () => c.value));
        return rec.operations;
      },
    ],
    args: [mp.Value("i", 0, { lock: false }), new mp.Lock(), mp.Value("i", 0, { lock: false })] as [mp.Value, mp.Lock, mp.Value],
    names: ["c", "lock", "marks"],
    reduce: true,
    check: (final) => mp.linearizable(final, counter, { marks: "marks.value" }),
    state: ({ threads: [, getter] }) => `get() returned ${(getter.value as mp.RecordedOperation[])[0].result}`,
  }));
  noFailure(result);
  assert.equal(result.exhaustive, true);
  // The get saw the counter before the inc in some schedules and after it in others: both explained.
  assert.deepEqual(result.finalStates.map((s) => s.state).sort(), ["get() returned 0", "get() returned 1"]);
});

test("linearizable: a counter without a lock fails, and the failure shows the history no order explains", async () => {
  // Each thread: mark, read c, write c + 1, mark. Not linearizable exactly when both read before
  // either writes (both incs return 0): counted here over every merge of the two threads' steps.
  const steps = ["mark", "read", "write", "mark"];
  let broken = 0;
  let merges = 0;
  const go = (i: number, j: number, order: string[]): void => {
    if (i === steps.length && j === steps.length) {
      merges++;
      const at = (s: string) => order.indexOf(s);
      if (at("A read") < at("B write") && at("B read") < at("A write")) broken++;
      return;
    }
    if (i < steps.length) go(i + 1, j, [...order, `A ${steps[i]}`]);
    if (j < steps.length) go(i, j + 1, [...order, `B ${steps[j]}`]);
  };
  go(0, 0, []);
  const scenario: mp.Scenario<[mp.Value, mp.Lock, mp.Value]> = {
    threads: [incrementer(false), incrementer(false)],
    args: [mp.Value("i", 0, { lock: false }), new mp.Lock(), mp.Value("i", 0, { lock: false })],
    names: ["c", "lock", "marks"],
    check: (final) => mp.linearizable(final, counter, { marks: "marks.value" }),
    state: (final) => `${mp.linearizable(final, counter, { marks: "marks.value" }) ? "linearizable" : "not"}, ${mp.noLostUpdate(final, "c.value") ? "kept" : "lost"}`,
  };
  const result = printed("counter without a lock, linearizable", await mp.explore(scenario));
  assert.equal(result.schedules, merges);
  assert.equal(result.failures, broken);
  // Here a lost update and a non-linearizable history are the same schedules.
  assert.deepEqual(new Map(result.finalStates.map((s) => [s.state, s.count])), new Map([["linearizable, kept", merges - broken], ["not, lost", broken]]));
  const replayed = await mp.replay(scenario, (result.failure as mp.Failure).schedule);
  const verdict = mp.linearization(replayed, counter, { marks: "marks.value" });
  console.log(String(verdict));
  assert.equal(verdict.ok, false);
  assert.equal(verdict.order, null);
  assert.deepEqual(verdict.history.map((o) => `${o.thread} ${o.op} ${String(o.result)}`), ["A inc 0", "B inc 0"]);
  assert.match(String(verdict), /not linearizable/);
});

test("linearization() on histories written by hand: real-time order matters", () => {
  const mark = (thread: string): mp.TraceStep => ({ step: 0, thread, op: "write", cell: "m.value", before: 0, after: 1 });
  const source = (trace: string, a: unknown[], b: unknown[]) => ({
    trace: [...trace].map(mark),
    threads: [
      { thread: "A", outcome: "returned", value: a.map((result) => ({ op: "inc", args: [], result })) },
      { thread: "B", outcome: "returned", value: b.map((result) => ({ op: "inc", args: [], result })) },
    ],
  });
  // Overlapping: B's inc may go first.
  assert.equal(mp.linearizable(source("ABAB", [1], [0]), counter, { marks: "m.value" }), true);
  // A's inc ended before B's began: A must go first, so A's result cannot be 1.
  assert.equal(mp.linearizable(source("AABB", [1], [0]), counter, { marks: "m.value" }), false);
  assert.equal(mp.linearizable(source("AABB", [0], [1]), counter, { marks: "m.value" }), true);
  assert.throws(() => mp.linearizable(source("AAB", [0], [1]), counter, { marks: "m.value" }), /thread B wrote m\.value 1 times/);
});

test("fifo: a ticket lock lets threads in in the order they took tickets; a plain Lock does not", async () => {
  // Ticket lock: take a ticket (under a Lock, so taking one is atomic), spin until it is served,
  // mark the entry, serve the next ticket. Arrival: the write of next.value; entry: of entered.value.
  const ticketed = (next: mp.Value, serving: mp.Value, entered: mp.Value, lock: mp.Lock, who: number) => {
    const mine = mp.withLock(lock, () => {
      const t = next.value;
      next.value = t + 1;
      return t;
    });
    while (serving.value !== mine);
    entered.value = who;
    serving.value = mine + 1;
  };
  // Arrive (a plain write), then a plain Lock around the entry: the lock may go to the later arrival.
  const unordered = (next: mp.Value, _serving: mp.Value, entered: mp.Value, lock: mp.Lock, who: number) => {
    next.value = who;
    mp.withLock(lock, () => (entered.value = who));
  };
  for (const [name, body, fifoAlways] of [["ticket lock", ticketed, true], ["plain Lock", unordered, false]] as const) {
    const result = printed(`${name}, 2 threads, fifo`, await mp.explore({
      threads: [
        (next: mp.Value, serving: mp.Value, entered: mp.Value, lock: mp.Lock, body: string) => new Function(`return ${body}`)()(next, serving, entered, lock, 1),
        (next: mp.Value, serving: mp.Value, entered: mp.Value, lock: mp.Lock, body: string) => new Function(`return ${body}`)()(next, serving, entered, lock, 2),
      ],
      args: [mp.Value("i", 0, { lock: false }), mp.Value("i", 0, { lock: false }), mp.Value("i", 0, { lock: false }), new mp.Lock(), body.toString()] as [
        mp.Value,
        mp.Value,
        mp.Value,
        mp.Lock,
        string,
      ],
      names: ["next", "serving", "entered", "lock", "body"],
      reduce: true,
      check: (final) => mp.fifo(final, { arrive: "next.value", enter: "entered.value" }),
      state: (final) => `arrived ${mp.entryOrder(final, "next.value")}, entered ${mp.entryOrder(final, "entered.value")}`,
    }));
    assert.equal(result.exhaustive, true);
    assert.ok(result.finalStates.some((s) => s.state === "arrived BA, entered BA"), "either thread may arrive first");
    if (fifoAlways) noFailure(result);
    else assert.ok(result.finalStates.some((s) => s.state === "arrived AB, entered BA"), `a plain Lock lets the later arrival in first in some schedule:\n${result}`);
  }
});
