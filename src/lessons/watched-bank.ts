/**
 * Notebook 3's bank, watched while it runs: the clerks of 3.5 (without a lock) and 3.6 (with one)
 * write each update they make into a shared {@link EventLog}, and the notebook draws the balance
 * over time from it, with each lost update marked when it happens. A clerk's write is an
 * `Atomics.exchange`, so it learns what it overwrote: if that is not the balance it read, another
 * clerk's update came in between and this write has just erased it.
 *
 * @packageDocumentation
 */
import { Barrier } from "../barrier";
import { lineChart, type Picture } from "../display";
import { Lock } from "../lock";
import { Process } from "../process";
import { EventLog, type LogCells } from "./event-log";

/** What an entry of the bank's log says: 0, an update made; {@link ERASED}, an update that erased another. */
const ERASED = 1;

/**
 * One clerk: `rounds` times, pause 10 ms, read, take ~0.1 ms, write `read + amount`; each write
 * logged. With a lock, the write is logged before the lock is released, so that the log has the
 * writes in the order they were made (logged after it, a write could be logged after the other
 * clerk's next one, and the line end on a balance that was not the last).
 */
function bankClerk(who: number, amount: number, rounds: number, balance: Int32Array, lock: Lock | null, log: LogCells, gate: Barrier): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  gate.wait();
  for (let round = 0; round < rounds; round++) {
    Atomics.wait(pause, 0, 0, 10); // mp.sleep(0.01)
    if (lock !== null) lock.acquire();
    const seen = Atomics.load(balance, 0); // read
    const end = performance.now() + 0.1; // the time real code spends between read and write
    while (performance.now() < end) continue; // busy: the time real work takes
    const before = Atomics.exchange(balance, 0, seen + amount); // write, learning what it overwrote
    const i = Atomics.add(log.ints, 0, 1);
    if (i < log.times.length) {
      log.times[i] = performance.timeOrigin + performance.now();
      log.ints[2 + 3 * i] = who;
      log.ints[3 + 3 * i] = seen + amount;
      Atomics.store(log.ints, 1 + 3 * i, (before === seen ? 0 : 1) + 1);
    }
    if (lock !== null) lock.release();
  }
}

/** One run of the watched bank: its log, and the promise of its end. */
export interface WatchedBank {
  /** `"without a lock"` or `"with a lock"`. */
  readonly name: string;
  /** What the clerks wrote down. */
  readonly log: EventLog;
  /** The balance at the start. */
  readonly opening: number;
  /**
   * The balance now, read from the shared cell (without a lock, two clerks' writes can be logged in
   * the other order than they were made, so the log's last value need not be the balance).
   */
  balance(): number;
  /** Resolves to the final balance once both clerks have ended. */
  readonly done: Promise<number>;
}

/** Options of {@link watchBank}. */
export interface WatchBankOptions {
  /** Take a lock around each update (3.6), or not (3.5). */
  readonly locked: boolean;
  /** Updates per clerk (default 100, as in the tutorial). */
  readonly rounds?: number;
}

/**
 * Starts the bank of 3.5 (or, `locked`, of 3.6): a deposit clerk and a withdrawal clerk, 200 to
 * begin with, each write logged as it happens. Draw it with {@link bankPicture} while it runs.
 *
 * @param options - see {@link WatchBankOptions}.
 * @returns the run: its log and the promise of its final balance.
 * @throws RangeError for `rounds` that is not a whole number from 1 to 10 000.
 */
export function watchBank(options: WatchBankOptions): WatchedBank {
  const rounds = options.rounds ?? 100;
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 10_000)) throw new RangeError(`watchBank(): rounds is ${rounds}; it must be a whole number from 1 to 10000.`);
  const balance = new Int32Array(new SharedArrayBuffer(4));
  const opening = 200;
  balance[0] = opening;
  const log = new EventLog(2 * rounds);
  const lock = options.locked ? new Lock() : null;
  const gate = new Barrier(2);
  const clerks = [
    new Process({ target: bankClerk, args: [1, +1, rounds, balance, lock, log.cells, gate], name: "deposit" }),
    new Process({ target: bankClerk, args: [2, -1, rounds, balance, lock, log.cells, gate], name: "withdraw" }),
  ];
  for (const clerk of clerks) clerk.start();
  const done = Promise.all(clerks.map((c) => c.join())).then(() => {
    for (const c of clerks) if (c.exitCode !== 0) throw new Error(`watchBank(): the ${c.name} clerk ended with exit code ${c.exitCode}.`);
    return balance[0];
  });
  return { name: options.locked ? "with a lock" : "without a lock", log, opening, done, balance: () => Atomics.load(balance, 0) };
}

/**
 * The balance over time of each run, as logged so far, each erased update marked where the write
 * that erased it happened.
 *
 * @param runs - runs of {@link watchBank}, each drawn as one line.
 * @param until - the time axis covers at least this many ms (default 1200), so that it keeps its scale while the runs grow.
 */
export function bankPicture(runs: readonly WatchedBank[], until = 1200): Picture {
  const marks: { x: number; y: number }[] = [];
  const series = runs.map((run) => {
    const entries = run.log.entries();
    // Time from the first update (the workers' start-up, which varies, is left out).
    const zero = entries.length > 0 ? entries[0].at : 0;
    const points = [{ x: 0, y: run.opening }, ...entries.map((e) => ({ x: e.at - zero, y: e.value }))];
    const erased = entries.filter((e) => e.what === ERASED);
    for (const e of erased) marks.push({ x: e.at - zero, y: e.value });
    return { name: run.name, points, line: `${run.name}: ${entries.length} updates, ${erased.length} of them erased another, balance ${run.balance()}.` };
  });
  return lineChart({
    title: "The bank while it runs: the balance, update by update",
    series: series.map(({ name, points }) => ({ name, points })),
    marks,
    markLabel: "an update erased",
    xLabel: "ms since the first update",
    yLabel: "balance",
    xRange: [0, until],
    yRange: [190, 210],
    width: 640,
    notes: [
      "Each clerk logs every write as it makes it. A red circle marks a write that found the balance",
      "changed since its own read: it has just erased the other clerk's update.",
      ...series.map((s) => s.line),
    ],
  });
}
