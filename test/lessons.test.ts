/**
 * The notebooks' plumbing (src/lessons): the search for a lost update in a recorded log, on logs
 * written by hand (so the interleaving is known), and the lock bench on a right lock and on no
 * lock at all, with real workers; the fairness bench on a ticket lock, on no lock and on a lock that
 * never lets a waiter in; atSeat's threads.
 */
import { after, test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import * as lessons from "../dist/lessons";

after(() => mp.terminateAll());

/** A log from lines such as "1 read 5", "2 write 6 replacing 5" (worker, kind, value). */
function log(...lines: string[]): lessons.Step[] {
  return lines.map((line, tick) => {
    const [worker, kind, value, , replaced] = line.split(" ");
    return { tick, worker: Number(worker), kind: kind as "read" | "write", value: Number(value), replaced: Number(replaced ?? 0) };
  });
}

test("findLostUpdate: the textbook case, two reads of v, two writes of v + 1", () => {
  const steps = log("1 read 5", "2 read 5", "2 write 6 replacing 5", "1 write 6 replacing 6");
  const lost = lessons.findLostUpdate(steps);
  assert.deepEqual(lost && [lost.xRead.tick, lost.yRead.tick, lost.yWrite.tick, lost.xWrite.tick], [0, 1, 2, 3]);
});

test("findLostUpdate: a stale write that undoes several increments, and the shortest stretch wins", () => {
  const steps = log(
    "1 read 5", "2 read 5", "2 write 6 replacing 5", "2 read 6", "2 write 7 replacing 6",
    "1 write 6 replacing 7",                                  // undoes two increments
    "1 read 6", "2 read 6", "1 write 7 replacing 6", "2 write 7 replacing 7", // a shorter one later
  );
  const lost = lessons.findLostUpdate(steps);
  // Later: worker 2 read 6 at tick 7 and wrote 7 at 9, over worker 1's 7 from its read of 6 at tick 6.
  assert.deepEqual(lost && [lost.xRead.tick, lost.yRead.tick, lost.yWrite.tick, lost.xWrite.tick], [7, 6, 8, 9]);
});

test("findLostUpdate: none in a log where every write replaced what its worker read", () => {
  const steps = log("1 read 5", "1 write 6 replacing 5", "2 read 6", "2 write 7 replacing 6", "1 read 7", "1 write 8 replacing 7");
  assert.equal(lessons.findLostUpdate(steps), null);
});

test("bench: a right lock counts exactly; no lock loses updates once the workers overlap", async () => {
  function spinLock(cells: Int32Array) {
    return {
      acquire() { while (Atomics.compareExchange(cells, 0, 0, 1) !== 0); },
      release() { Atomics.store(cells, 0, 0); },
    };
  }
  const right = await lessons.bench(spinLock, 2, { total: 20_000 });
  assert.equal(right.lost, 0);
  assert.ok(right.overlap >= 0 && right.overlap <= 1, `overlap ${right.overlap}`);
  function noLock() {
    return { acquire() {}, release() {} };
  }
  // Runs until the workers overlapped (up to 10 times), with a widened critical section.
  let run = await lessons.bench(noLock, 2, { total: 50_000, hold: 20 });
  for (let i = 0; run.overlap < 0.5 && i < 10; i++) run = await lessons.bench(noLock, 2, { total: 50_000, hold: 20 });
  assert.ok(run.overlap >= 0.5, `the workers never overlapped in 10 runs: ${run.overlap}`);
  assert.ok(run.lost > 0, `no lock and overlapping workers, yet nothing lost: ${JSON.stringify(run)}`);
});

test("bench: a lock that never lets a waiter in is stopped after its time, with a message", async () => {
  function neverFree(cells: Int32Array) {
    return {
      acquire() { while (Atomics.compareExchange(cells, 0, 0, 1) !== 0) Atomics.wait(cells, 0, 1); },
      release() {},
    };
  }
  await assert.rejects(lessons.bench(neverFree, 2, { total: 10, seconds: 1 }), /had not finished 10 increments after 1 s, so they were terminated/);
});

test("fairness: every acquisition is counted once, in a bucket and in its worker's share; the ticket lock is exact", async () => {
  const run = await lessons.fairness(lessons.ticketLock, 2, { ms: 50, hold: 5 });
  assert.equal(run.lock, "ticketLock");
  assert.equal(run.lost, 0);
  assert.equal(run.workers.length, 2);
  assert.ok(run.workers.every((w) => w.acquisitions > 0 && w.longestWaitMs >= 0), JSON.stringify(run.workers));
  assert.equal(run.workers.reduce((sum, w) => sum + w.acquisitions, 0), run.acquisitions);
  assert.equal(run.waits.reduce((sum, n) => sum + n, 0), run.acquisitions);
  assert.equal(run.waits.length, lessons.WAIT_BUCKETS.length);
  // The very first acquisition counts as a hand-off (from nobody), and there cannot be more
  // hand-offs than acquisitions.
  assert.ok(run.handoffs >= 1 && run.handoffs <= run.acquisitions, `hand-offs ${run.handoffs}`);
  assert.ok(run.perSecond > 0);
});

test("fairness: no lock loses updates, and the bench says so", async () => {
  function noLock() {
    return { acquire() {}, release() {} };
  }
  // Lost updates need the two workers on cores at once, which a busy machine may not grant in one
  // 100 ms run: up to 10 runs.
  let run = await lessons.fairness(noLock, 2, { ms: 100, hold: 20 });
  for (let i = 0; run.lost === 0 && i < 10; i++) run = await lessons.fairness(noLock, 2, { ms: 100, hold: 20 });
  assert.ok(run.lost > 0, `no lock, yet nothing lost in 10 runs: ${JSON.stringify(run)}`);
});

test("fairness: a lock that never lets a waiter in is stopped after its time, with a message", async () => {
  function neverFree(cells: Int32Array) {
    return {
      acquire() { while (Atomics.compareExchange(cells, 0, 0, 1) !== 0) Atomics.wait(cells, 0, 1); },
      release() {},
    };
  }
  await assert.rejects(lessons.fairness(neverFree, 2, { ms: 10, seconds: 1 }), /still taking the lock after 1 s, so they were terminated/);
});

test("atSeat: a thread that passes its seat first, rebuilt from source; bad arguments are refused", () => {
  function where(seat: number, table: string[]) {
    return `${table[seat]} at seat ${seat}`;
  }
  const threads = [0, 1].map((seat) => lessons.atSeat(where, seat));
  assert.deepEqual(threads.map((t) => t(["Ada", "Alan"])), ["Ada at seat 0", "Alan at seat 1"]);
  assert.throws(() => lessons.atSeat(where, 1.5), /the seat must be a whole number, not 1.5/);
  assert.throws(() => lessons.atSeat("where" as never, 0), /pass a function that takes the seat first, not string/);
});
