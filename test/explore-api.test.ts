/**
 * The explorer's API: what `explore` and `replay` report for deadlocks, spins, livelocks,
 * timeouts and kills, and the errors they give for bad scenarios and bad schedule strings.
 * Each scenario here is small enough to be explored exhaustively; the schedules are spelled out.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { fails } from "./helpers/util";

test("two locks taken in opposite orders: the explorer reports the deadlock, and replay shows it", async () => {
  const scenario: mp.Scenario<[mp.Lock, mp.Lock]> = {
    threads: [
      (a: mp.Lock, b: mp.Lock) => mp.withLock(a, () => mp.withLock(b, () => undefined)),
      (a: mp.Lock, b: mp.Lock) => mp.withLock(b, () => mp.withLock(a, () => undefined)),
    ],
    args: [new mp.Lock(), new mp.Lock()],
    names: ["a", "b"],
    reduce: true,
  };
  const result = await mp.explore(scenario);
  console.log(`opposite orders: deadlock after ${result.schedules} schedules, schedule ${result.failure?.schedule}`);
  assert.equal(result.failure?.kind, "deadlock");
  assert.match(result.failure?.message ?? "", /every live thread is blocked/);
  // A takes a, B takes b, then each wants the other's: the shortest deadlock.
  const replayed = await mp.replay(scenario, "AB");
  assert.equal(replayed.end, "deadlock");
  assert.equal(replayed.failure?.kind, "deadlock");
  assert.deepEqual(replayed.trace.slice(0, 2).map((s) => `${s.thread} ${s.op} ${s.cell}`), ["A compareExchange a[0]", "B compareExchange b[0]"]);
  // Run one after the other, nobody waits.
  assert.equal((await mp.replay(scenario, "A")).end, "finished");
});

test("a spin that nobody ends is a deadlock (spinning), and a loop that never ends a livelock", async () => {
  const flag = mp.Value("i", 0, { lock: false });
  const spin = await mp.explore({ threads: [(flag: mp.Value) => { while (flag.value === 0); }], args: [flag], names: ["flag"] });
  assert.equal(spin.failure?.kind, "deadlock");
  assert.match(spin.failure?.message ?? "", /A spins: it read flag\.value 200 times more/);

  const busy = await mp.explore({
    threads: [(flag: mp.Value) => { for (;;) flag.value = flag.value + 1; }],
    args: [flag],
    maxSteps: 50,
  });
  assert.equal(busy.failure?.kind, "livelock");
  assert.match(busy.failure?.message ?? "", /within 50 steps/);
  assert.equal(flag.value, 0, "the memory is restored afterwards");
});

test("a failure says where each thread stood: ended (with its value or error), asleep, spinning or still running", async () => {
  const flag = mp.Value("i", 0, { lock: false });
  const cells = new Int32Array(new SharedArrayBuffer(4));
  // A returns, B sleeps in a wait nobody ends, C spins on a flag nobody sets: a deadlock.
  const stuck = await mp.explore({
    threads: [
      () => 7,
      (_flag: mp.Value, cells: Int32Array) => Atomics.wait(cells, 0, 0),
      (flag: mp.Value) => {
        while (flag.value === 0);
      },
    ],
    args: [flag, cells],
    names: ["flag", "cells"],
    stopAtFirstFailure: true,
  });
  assert.equal(stuck.failure?.kind, "deadlock");
  assert.deepEqual(stuck.failure?.threads, [
    { thread: "A", state: "returned", value: 7 },
    { thread: "B", state: "sleeps" },
    { thread: "C", state: "spins" },
  ]);
  // A loop that never ends: still running when the step bound stopped it.
  const busy = await mp.explore({ threads: [(flag: mp.Value) => { for (;;) flag.value = flag.value + 1; }], args: [flag], maxSteps: 20 });
  assert.equal(busy.failure?.kind, "livelock");
  assert.deepEqual(busy.failure?.threads, [{ thread: "A", state: "runs" }]);
  // A failed check: every thread ended, one with its error.
  const threw = await mp.explore({
    threads: [
      (flag: mp.Value) => {
        flag.value = 1;
      },
      (flag: mp.Value) => {
        if (flag.value === 1) throw new RangeError("too late");
      },
    ],
    args: [flag],
    stopAtFirstFailure: true,
  });
  assert.equal(threw.failure?.kind, "check");
  assert.deepEqual(threw.failure?.threads, [
    { thread: "A", state: "returned", value: undefined },
    { thread: "B", state: "threw", error: { name: "RangeError", message: "too late" } },
  ]);
  // replay() reports the same.
  const again = await mp.replay({ threads: [() => 7, (_flag: mp.Value, cells: Int32Array) => Atomics.wait(cells, 0, 0)], args: [flag, cells] }, "B");
  assert.deepEqual(again.failure?.threads.map((t) => t.state), ["returned", "sleeps"]);
});

test("a spinning thread waits until ANY cell its loop read changes: Peterson's lock is no deadlock", async () => {
  // Peterson's lock over mp.Array("i", 3): flags in cells 0 and 1, turn in cell 2. B's loop reads
  // flags[0] and flags[2]; A's exit writes flags[0]. Watching only the last cell read (flags[2])
  // reported 1,526 false deadlocks here.
  const scenario: mp.Scenario<[mp.Array, mp.Value]> = {
    threads: [
      (flags: mp.Array, count: mp.Value) => { flags[0] = 1; flags[2] = 1; while (flags[1] === 1 && flags[2] === 1); count.value = count.value + 1; flags[0] = 0; },
      (flags: mp.Array, count: mp.Value) => { flags[1] = 1; flags[2] = 0; while (flags[0] === 1 && flags[2] === 0); count.value = count.value + 1; flags[1] = 0; },
    ],
    args: [mp.Array("i", 3, { lock: false }), mp.Value("i", 0, { lock: false })],
    names: ["flags", "count"],
    check: ({ args: [, count] }) => count.value === 2,
  };
  const result = await mp.explore({ ...scenario, reduce: true });
  console.log(`Peterson over mp.Array: ${result.schedules} schedules (${result.exhaustive ? "all" : result.bound})`);
  assert.equal(result.exhaustive, true);
  assert.equal(result.failure, null, String(result));
  // The schedule of the old false report: B spins, then A's write of flags[0] lets it out.
  const replayed = await mp.replay(scenario, "AAAAABBBBBBA");
  assert.equal(replayed.end, "finished", String(replayed));
  // And a spin nobody ends names every cell it waits on.
  const stuck = await mp.explore({
    threads: [(flags: mp.Array) => { while (flags[0] === 0 && flags[1] === 0); }],
    args: [mp.Array("i", 2, { lock: false })],
    names: ["flags"],
  });
  assert.equal(stuck.failure?.kind, "deadlock");
  assert.match(stuck.failure?.message ?? "", /A spins: it read flags\[0\], flags\[1\] 200 times more with nothing changed, and waits until one of flags\[0\], flags\[1\] changes/);
});

test("a wait with a timeout times out only when the schedule says so (A~)", async () => {
  const event = new mp.Event();
  const scenario: mp.Scenario<[mp.Event]> = {
    threads: [(e: mp.Event) => e.wait({ timeout: 5 }), (e: mp.Event) => e.set()],
    args: [event],
    names: ["event"],
    state: ({ threads: [waiter] }) => `wait() returned ${waiter.value}`,
  };
  // A reads the flag (0) twice, sleeps in wait(), and its timeout fires ("A~" is one token).
  const timedOut = await mp.replay(scenario, "AAAA~");
  assert.equal(timedOut.state, "wait() returned false");
  assert.match(timedOut.trace.find((s) => s.note?.startsWith("times out"))?.note ?? "", /A's clock moves to 5000 ms/);
  const woken = await mp.replay(scenario, "AAABB");
  assert.equal(woken.state, "wait() returned true");
  const all = await mp.explore(scenario);
  assert.equal(all.exhaustive, true);
  assert.deepEqual(all.finalStates.map((s) => s.state).sort(), ["wait() returned false", "wait() returned true"]);
});

test("a thread that catches every error in a loop: its livelock is still reported, then the explorer stops, saying why", async () => {
  // Ending a run throws the explorer's own error at the thread's next operation; a bare catch in
  // a loop takes it again and again, so the thread never ends. Once, this made explore() wait 20 s
  // and blame "a loop that touches no shared object".
  const swallows = (q: mp.Queue) => {
    for (;;) {
      try {
        q.get({ timeout: 0.1 });
      } catch {
        continue;
      }
    }
  };
  const began = performance.now();
  const one = await mp.explore({ threads: [swallows], args: [new mp.Queue()] as [mp.Queue], maxSteps: 300, stopAtFirstFailure: true });
  assert.equal(one.failure?.kind, "livelock", String(one));
  assert.deepEqual(one.finalStates.map((s) => s.state), ["livelock"]);
  // A search that goes on needs the thread's worker again: it says which thread, and what to change.
  await assert.rejects(
    mp.explore({ threads: [swallows, (q: mp.Queue) => q.put(1)], args: [new mp.Queue()] as [mp.Queue], maxSteps: 300 }),
    fails(Error, "thread A went on after the explorer ended its run", "catch {}", "rethrow the others"),
  );
  assert.ok(performance.now() - began < 15_000, "no 20 s wait for a step");
});

test("a killed thread takes no further step: its finally blocks do not touch memory", async () => {
  const v = mp.Value("i", 0, { lock: false });
  const scenario: mp.Scenario<[mp.Value]> = {
    threads: [
      (v: mp.Value) => {
        try {
          v.value = 1;
        } finally {
          v.value = 2;
        }
      },
    ],
    args: [v],
    names: ["v"],
  };
  assert.equal((await mp.replay(scenario, "A!")).state, "Value('i', 0); A killed");
  assert.equal((await mp.replay(scenario, "AA!")).state, "Value('i', 1); A killed");
  assert.equal((await mp.replay(scenario, "AA")).state, "Value('i', 2)");
  // After its last write the thread has ended: there is no step left to die at.
  const all = await mp.explore({ ...scenario, kill: true });
  assert.deepEqual(all.finalStates.map((s) => s.state).sort(), ["Value('i', 0); A killed", "Value('i', 1); A killed", "Value('i', 2)"]);
});

test("replay() says which step of a schedule cannot happen, and why", async () => {
  const lock = new mp.Lock();
  const scenario: mp.Scenario<[mp.Lock]> = {
    threads: [(l: mp.Lock) => mp.withLock(l, () => undefined), (l: mp.Lock) => mp.withLock(l, () => undefined)],
    args: [lock],
    names: ["lock"],
  };
  await assert.rejects(mp.replay(scenario, "AC"), fails(TypeError, 'names thread C, but this scenario has only 2 (A–B)'));
  await assert.rejects(mp.replay(scenario, "A?B"), fails(TypeError, '"?" at position 2'));
  await assert.rejects(mp.replay(scenario, "AAAB"), fails(Error, "step 3 of \"AAAB\" is A", "A has finished (it returned)"));
  await assert.rejects(mp.replay(scenario, "A~"), fails(Error, "step 1", "only a thread that sleeps in a wait with a timeout can time out"));
  await assert.rejects(mp.replay(scenario, 42 as unknown as string), fails(TypeError, "must be a string"));
});

test("explore() refuses scenarios it cannot run, saying what is wrong", async () => {
  const outside = 1;
  await assert.rejects(mp.explore({ threads: [] }), fails(TypeError, "threads must be an array of 1 to 4 functions"));
  await assert.rejects(mp.explore({ threads: [() => outside] }), fails(TypeError, "thread A", "outside"));
  await assert.rejects(mp.explore({ threads: [() => 1], kill: "B" }), fails(TypeError, "kill must be true, false, or the letters"));
  await assert.rejects(mp.explore({ threads: [() => 1], preemptions: -1 }), fails(TypeError, "preemptions must be a whole number"));
  await assert.rejects(mp.explore({ threads: [() => 1], fairTimeouts: "yes" as unknown as boolean }), fails(TypeError, "fairTimeouts must be true or false"));
  await assert.rejects(mp.explore({ threads: [() => 1], check: 3 as unknown as () => boolean }), fails(TypeError, "check must be a function"));
});

test("Math.random() and the clocks are the same on every run; other nondeterminism is reported with its step, not counted", async () => {
  const v = mp.Value("i", 0, { lock: false });
  // A thread that writes a random number: every run writes the same one, so each schedule's state is its own.
  const random = await mp.explore({
    threads: [(v: mp.Value) => { v.value = Math.floor(Math.random() * 1000) + 1; }, (v: mp.Value) => { v.value = v.value * 2; }],
    args: [v],
    names: ["v"],
  });
  // ABB ends at 2r, BAB at 0 (B read 0 before A wrote), BBA at r: the same r in every run.
  assert.equal(random.schedules, 3);
  const ends = random.finalStates.map((s) => Number(/Value\('i', (\d+)\)/.exec(s.state)?.[1])).sort((a, b) => a - b);
  assert.equal(ends.length, 3, String(random));
  assert.deepEqual(ends, [0, ends[1], 2 * ends[1]], String(random));
  assert.ok(ends[1] >= 1 && ends[1] <= 1000);
  const clocks = await mp.replay(
    { threads: [() => [Date.now(), new Date().toISOString(), performance.now(), Math.random() === Math.random()]], args: [] },
    "",
  );
  assert.deepEqual(clocks.threads[0].value, [Date.UTC(2026, 0, 1), "2026-01-01T00:00:00.000Z", 0, false]);
  // State kept in the reused worker's globalThis: the replayed prefix "A" writes 2, not 1 as before.
  const scenario: mp.Scenario<[mp.Value]> = {
    threads: [
      (v: mp.Value) => {
        const g = globalThis as unknown as { runs?: number };
        g.runs = (g.runs ?? 0) + 1;
        v.value = g.runs;
        v.value = 0;
      },
      (v: mp.Value) => void (v.value = v.value + 1),
    ],
    args: [v],
    names: ["v"],
  };
  await assert.rejects(
    mp.explore(scenario),
    fails(Error, 'thread A did something different when schedule "A" was run again (nondeterminism), at step 1', "this time A did write v.value 0→2, then A was about to write v.value", "the last time A did write v.value 0→1"),
  );
  assert.equal(v.value, 0, "the memory is restored afterwards");
});
