/**
 * The live views' plumbing (src/lessons): the shared event log, the watched bank, lock and
 * semaphore (real workers: what they log is checked for what must hold in EVERY run, such as "with
 * a lock no write erases another" and "never more places taken than the semaphore has"; how the
 * OS interleaves them is not assumed), and the stepper over the explorer's replay (deterministic:
 * each schedule is replayed exactly, so its findings are the same every run). The lock's wait hook
 * (src/lock-watch.ts) is checked to report a sleep for a waiter that must sleep.
 */
import { after, afterEach, beforeEach, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import * as lessons from "../dist/lessons";
import { useHost } from "../dist/host";
import { run } from "./helpers/util";

after(() => mp.terminateAll());

describe("EventLog", () => {
  test("reads back what workers appended, in order, only once published", async () => {
    const log = new lessons.EventLog(4);
    await run((cells: lessons.LogCells) => {
      for (let k = 0; k < 6; k++) {
        const i = Atomics.add(cells.ints, 0, 1);
        if (i < cells.times.length) {
          cells.times[i] = performance.timeOrigin + performance.now();
          cells.ints[2 + 3 * i] = 7;
          cells.ints[3 + 3 * i] = k * 10;
          Atomics.store(cells.ints, 1 + 3 * i, (k % 2) + 1);
        }
      }
    }, [log.cells]);
    const entries = log.entries();
    assert.deepEqual(entries.map((e) => [e.who, e.what, e.value]), [[7, 0, 0], [7, 1, 10], [7, 0, 20], [7, 1, 30]]);
    assert.ok(entries.every((e, i) => e.at >= 0 && (i === 0 || e.at >= entries[i - 1].at)));
    assert.equal(log.dropped, 2);
    // A place taken but not yet published stops the reading there.
    const half = new lessons.EventLog(2);
    Atomics.add(half.cells.ints, 0, 1);
    assert.equal(half.entries().length, 0);
    assert.throws(() => new lessons.EventLog(0), RangeError);
  });

  test("statesAsSpans: each state lasts until the worker's next entry; hidden states are not drawn", () => {
    const spans = lessons.statesAsSpans([{ at: 0, who: 1, what: 2 }, { at: 1, who: 2, what: 0 }, { at: 3, who: 1, what: 0 }, { at: 5, who: 2, what: 4 }, { at: 6, who: 1, what: 4 }], 4, 9);
    assert.deepEqual(spans.map((s) => [s.lane, s.start, s.end, s.kind]), [[0, 0, 3, 2], [1, 1, 5, 0], [0, 3, 6, 0]]);
  });
});

describe("the watched bank", () => {
  test("with a lock, every update is logged, in the order made, and none erased another (every run: the lock orders them, and each write is logged under it)", async () => {
    const bank = lessons.watchBank({ locked: true, rounds: 20 });
    assert.equal(await bank.done, 200);
    const entries = bank.log.entries();
    assert.equal(entries.length, 40);
    assert.equal(entries.filter((e) => e.what === 1).length, 0);
    // Each logged value is the one before it ± 1, and the last is the balance.
    entries.forEach((e, i) => assert.equal(Math.abs(e.value - (i === 0 ? 200 : entries[i - 1].value)), 1, `entry ${i} follows the one before`));
    assert.equal(entries[entries.length - 1].value, 200);
    assert.match(String(lessons.bankPicture([bank])), /with a lock: 40 updates, 0 of them erased another, balance 200/);
  });

  test("without a lock, the marks are exactly the writes that found the balance changed since their read", async () => {
    // Whether any update is lost depends on the OS: the check is that the log, the picture and the
    // final balance agree in every run. (Not that the last entry logged is the balance: two
    // clerks' writes can be logged in the other order than they were made, with no lock between.)
    const bank = lessons.watchBank({ locked: false, rounds: 30 });
    const final = await bank.done;
    const entries = bank.log.entries();
    assert.equal(entries.length, 60);
    assert.equal(bank.balance(), final);
    const erased = entries.filter((e) => e.what === 1).length;
    assert.match(String(lessons.bankPicture([bank])), new RegExp(`without a lock: 60 updates, ${erased} of them erased another, balance ${final}`));
    // With no write erased, deposits and withdrawals cancel out.
    if (erased === 0) assert.equal(final, 200);
  });
});

describe("the watched lock and semaphore", () => {
  test("a watched lock: holds never overlap, and the lock's own hook reports the waits", async () => {
    const watched = lessons.watchLock({ workers: 3, rounds: 5, holdMs: 5 });
    await watched.done;
    const entries = watched.log.entries();
    assert.equal(entries.filter((e) => e.what === 0).length, 15);
    const holds = lessons.statesAsSpans(entries, 1, Infinity).filter((s) => s.kind === 0);
    holds.sort((a, b) => a.start - b.start);
    for (let i = 1; i < holds.length; i++) assert.ok(holds[i].start >= holds[i - 1].end, `holds ${i - 1} and ${i} overlap`);
    // Three workers holding 5 ms each at once: at least one had to wait, and the lock told of it.
    assert.ok(entries.some((e) => e.what === 1 || e.what === 2), "no wait was reported by the lock");
    const handoffs = Atomics.load(watched.handoffs, 1);
    assert.ok(handoffs >= 2 && handoffs <= 14, `${handoffs} hand-offs`);
    assert.match(String(lessons.lockPicture(watched)), new RegExp(`Taken 15 times; hand-offs \\(taken by another worker than the last holder\\): ${handoffs}`));
  });

  test("a watched semaphore never shows more places taken than it has", async () => {
    const watched = lessons.watchSemaphore({ workers: 4, places: 2, jobs: 3, jobMs: 5 });
    await watched.done;
    const text = String(lessons.semaphorePicture(watched));
    assert.match(text, /Jobs done or under way: 12; places taken now: 0 of 2; at most at once: [12] \(the semaphore allows 2\)/);
  });

  test("a semaphore picture keeps the log's order when a later entry's time is a little earlier (as in a CI run: 200.81 after 200.90)", () => {
    const log = new lessons.EventLog(8);
    const { times, ints } = log.cells;
    // Worker 1 takes a place, worker 2 another, worker 1 gives its back, worker 3 takes it: each
    // worker takes its entry's place first and reads the clock after, so 3's time can come out first.
    const writes: Array<[number, number, number]> = [[1, 1, 1.0], [2, 1, 2.0], [1, 2, 3.0], [3, 1, 2.9]];
    writes.forEach(([who, what, at], i) => {
      Atomics.add(ints, 0, 1);
      times[i] = log.start + at;
      ints[2 + 3 * i] = who;
      Atomics.store(ints, 1 + 3 * i, what + 1);
    });
    const run = { workers: 3, places: 2, log, expectedMs: 10, done: Promise.resolve(), ended: true };
    const text = String(lessons.semaphorePicture(run));
    assert.match(text, /places taken now: 2 of 2; at most at once: 2 \(the semaphore allows 2\)/);
  });

  test("the lock's hook: a waiter that must sleep says so, and nothing is called once it is unset", async () => {
    const lock = new mp.Lock();
    const seen = new Int32Array(new SharedArrayBuffer(16));
    const hook = require.resolve("../dist/lock-watch");
    await lock.acquireAsync();
    const p = new mp.Process({
      target: (lock: mp.Lock, seen: Int32Array, hook: string) => {
        const codes: Record<string, number> = { spinning: 0, sleeping: 1, napping: 2, done: 3 };
        (require(hook) as { watchLockWaits(w?: (s: string) => void): void }).watchLockWaits((s) => Atomics.add(seen, codes[s], 1));
        lock.acquire();
        lock.release();
      },
      args: [lock, seen, hook],
    });
    p.start();
    await mp.sleepAsync(0.2);
    lock.release();
    await p.join();
    assert.equal(p.exitCode, 0);
    assert.ok(seen[1] >= 1, `sleeps reported: ${seen.join(", ")}`);
    assert.equal(seen[3], 1);
  });
});

describe("the stepper", () => {
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
  let frames: { update: boolean }[] = [];
  beforeEach(() => {
    useHost("tslab");
    frames = [];
    jupyter.lastWriteDisplayData = (_content: unknown, update: boolean) => frames.push({ update });
  });
  afterEach(() => {
    useHost("plain");
    jupyter.lastWriteDisplayData = null;
  });

  function brokenDeposit(b: mp.SharedValue<"i">, flag: mp.SharedValue<"i">) {
    while (flag.value !== 0) continue;
    flag.value = 1;
    b.value = b.value + 1;
    flag.value = 0;
  }
  function brokenWithdraw(b: mp.SharedValue<"i">, flag: mp.SharedValue<"i">) {
    while (flag.value !== 0) continue;
    flag.value = 1;
    b.value = b.value - 1;
    flag.value = 0;
  }
  const scenario = () => ({ threads: [brokenDeposit, brokenWithdraw], args: [mp.Value("i", 200), mp.Value("i", 0)] as [mp.SharedValue<"i">, mp.SharedValue<"i">], names: ["b", "flag"], lockCell: "flag.value" });

  test("steps, undo, mutual exclusion broken, a lost update, a refused step; one output redrawn", async () => {
    const s = lessons.stepper(scenario());
    await s.step("A");
    assert.equal(s.finding(), null);
    assert.equal(s.schedule, "A");
    await s.step("BA"); // A took the lock; B has only looked
    assert.equal(s.finding(), null);
    assert.match(String(s.picture()), /Holding the lock: A\./);
    await s.step("B");
    assert.equal(s.finding()?.kind, "mutual exclusion");
    assert.match(String(s.picture()), /Mutual exclusion broke at step 4: A and B both held the lock/);
    await s.undo();
    assert.equal(s.finding(), null);
    assert.equal(s.schedule, "ABA");
    // A reads b (200), B takes the flag too (step 5), reads b (200), writes 199; A writes 201 over it.
    await s.step("ABBBA");
    const lost = s.finding();
    assert.equal(lost?.kind, "lost update");
    assert.match(lost?.message ?? "", /A's write at step 8 erased B's write of b at step 7/);
    assert.match(String(s.picture()), /✗ Mutual exclusion broke at step 5: A and B both held the lock.*✗ An update was lost/);
    assert.deepEqual([...s.cells()], [["flag.value", 1], ["b.value", 201]]);
    // Without a lock cell to watch, the flag is a cell like any other: B's write of it erased A's.
    const plain = lessons.stepper({ ...scenario(), lockCell: undefined });
    await plain.step("ABABABBA");
    const found = plain.finding();
    assert.equal(found?.kind, "lost update");
    assert.match(found?.message ?? "", /B's write at step 4 erased A's write of flag at step 3.*\(2 writes lost in all\)/);
    // A thread that has finished cannot step; the refused step is not taken.
    const done = lessons.stepper(scenario());
    await done.step("AAAAA");
    await done.step("A");
    const refused = done.finding();
    assert.equal(refused?.kind, "refused");
    assert.match(refused?.message ?? "", /^A cannot take a step now: A has finished/);
    assert.equal(done.schedule, "AAAAA");
    await Promise.all([s.finish(), plain.finish(), done.finish()]);
    // One display_data per stepper, every other frame an update of it.
    assert.equal(frames.filter((f) => !f.update).length, 3);
    assert.ok(frames.filter((f) => f.update).length >= 3);
  });

  test("calls made without await happen in order; bad letters are refused at once", async () => {
    const s = lessons.stepper(scenario());
    void s.step("A");
    void s.step("B");
    const last = s.undo();
    await last;
    assert.equal(s.schedule, "A");
    assert.throws(() => s.step("C"), (e: unknown) => e instanceof TypeError && /"C", which names no thread; the threads are A, B/.test(e.message));
    assert.throws(() => s.undo(0), RangeError);
    await s.finish();
  });
});
