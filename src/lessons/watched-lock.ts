/**
 * Notebook 5's lock under contention, watched while it runs: each worker takes one `mp.Lock` again
 * and again, and logs into a shared {@link EventLog} what it is doing as it changes: waiting inside
 * `acquire()` (spinning, sleeping or napping, told by the lock itself through `watchLockWaits`,
 * src/lock-watch.ts), holding the lock, or working outside it. A hand-off (the lock taken by a
 * worker other than the one that had it last) is counted as it happens.
 *
 * @packageDocumentation
 */
import { Barrier } from "../barrier";
import { spanChart, type Picture, type Span } from "../display";
import { Lock } from "../lock";
import { Process } from "../process";
import { EventLog, type LogCells } from "./event-log";

/** The states a worker logs, in the order of the picture's kinds; `OUTSIDE` is not drawn. */
const STATES = ["holding", "spinning", "sleeping", "napping"] as const;
const OUTSIDE = 4;

/** Where the core's hook lives, for a worker to `require` (the same module its `Lock` calls). */
const LOCK_WATCH = require.resolve("../lock-watch");

/**
 * One worker: `rounds` times take the lock, hold it ~`holdMs` (working), release it, and work a
 * little outside it; every change of state logged, and a hand-off counted in `handoffs[1]`
 * (`handoffs[0]` is the last holder).
 */
function contender(who: number, rounds: number, holdMs: number, lock: Lock, log: LogCells, handoffs: Int32Array, gate: Barrier, watchPath: string): void {
  const note = (what: number): void => {
    const i = Atomics.add(log.ints, 0, 1);
    if (i < log.times.length) {
      log.times[i] = performance.timeOrigin + performance.now();
      log.ints[2 + 3 * i] = who;
      log.ints[3 + 3 * i] = Atomics.load(handoffs, 1);
      Atomics.store(log.ints, 1 + 3 * i, what + 1);
    }
  };
  const codes: Record<string, number> = { spinning: 1, sleeping: 2, napping: 3, done: 4 };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a worker target loads the hook by path, the module its Lock uses
  (require(watchPath) as { watchLockWaits(w: (state: string) => void): void }).watchLockWaits((state) => note(codes[state]));
  const busy = (ms: number): void => {
    const end = performance.now() + ms;
    while (performance.now() < end) continue; // busy: the time real work takes
  };
  gate.wait();
  for (let round = 0; round < rounds; round++) {
    lock.acquire();
    const last = Atomics.exchange(handoffs, 0, who);
    if (last !== 0 && last !== who) Atomics.add(handoffs, 1, 1);
    note(0);
    busy(holdMs);
    note(4);
    lock.release();
    busy(round % 3 === 0 ? 0 : holdMs / 4); // sometimes straight back to the lock, sometimes not
  }
}

/** One run of the watched lock. */
export interface WatchedLock {
  /** How many workers. */
  readonly workers: number;
  /** What they logged. */
  readonly log: EventLog;
  /** `[last holder, hand-offs so far]`, counted by the workers. */
  readonly handoffs: Int32Array;
  /** How long the run is expected to take at least, in ms (every hold one after another). */
  readonly expectedMs: number;
  /** Resolves once every worker has ended. */
  readonly done: Promise<void>;
  /** Whether every worker has ended (then its picture ends at the last entry, not now). */
  readonly ended: boolean;
}

/** Options of {@link watchLock}. */
export interface WatchLockOptions {
  /** How many workers (default 4, at most 8). */
  readonly workers?: number;
  /** How many times each takes the lock (default 20). */
  readonly rounds?: number;
  /** How long each holds it, in ms, working (default 10). */
  readonly holdMs?: number;
}

/**
 * Starts workers that all take one `mp.Lock`, each logging its states as it goes. Draw it with
 * {@link lockPicture} while it runs.
 *
 * @param options - see {@link WatchLockOptions}.
 * @throws RangeError for a count or time out of range.
 */
export function watchLock(options: WatchLockOptions = {}): WatchedLock {
  const { workers = 4, rounds = 20, holdMs = 10 } = options;
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 8)) throw new RangeError(`watchLock(): workers is ${workers}; it must be a whole number from 1 to 8.`);
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 1000)) throw new RangeError(`watchLock(): rounds is ${rounds}; it must be a whole number from 1 to 1000.`);
  if (!(Number.isFinite(holdMs) && holdMs >= 0 && holdMs <= 1000)) throw new RangeError(`watchLock(): holdMs is ${holdMs}; it must be a number of ms from 0 to 1000.`);
  const log = new EventLog(workers * rounds * 8);
  const handoffs = new Int32Array(new SharedArrayBuffer(8));
  const lock = new Lock();
  const gate = new Barrier(workers);
  const procs = Array.from({ length: workers }, (_, i) => new Process({ target: contender, args: [i + 1, rounds, holdMs, lock, log.cells, handoffs, gate, LOCK_WATCH], name: `worker ${i + 1}` }));
  for (const p of procs) p.start();
  let ended = false;
  const done = Promise.all(procs.map((p) => p.join())).then(() => {
    ended = true;
    for (const p of procs) if (p.exitCode !== 0) throw new Error(`watchLock(): ${p.name} ended with exit code ${p.exitCode}.`);
  });
  return { workers, log, handoffs, expectedMs: workers * rounds * holdMs, done, get ended() { return ended; } };
}

/**
 * Spans of state per lane from a log of state changes: each entry `what` starts a state that
 * lasts until the worker's next entry (or `now`); states at or past `hidden` are not drawn.
 */
export function statesAsSpans(entries: readonly { at: number; who: number; what: number }[], hidden: number, now: number): Span[] {
  const open = new Map<number, { what: number; at: number }>();
  const spans: Span[] = [];
  const close = (who: number, at: number): void => {
    const was = open.get(who);
    if (was !== undefined && was.what < hidden) spans.push({ lane: who - 1, start: was.at, end: Math.max(was.at, at), kind: was.what });
  };
  for (const e of entries) {
    close(e.who, e.at);
    open.set(e.who, { what: e.what, at: e.at });
  }
  for (const who of open.keys()) close(who, now);
  return spans;
}

/**
 * One lane per worker, each stretch of time coloured by what the worker was doing: holding the
 * lock, or waiting for it (spinning, sleeping, napping); and the hand-offs counted so far.
 *
 * @param run - a run of {@link watchLock}.
 */
export function lockPicture(run: WatchedLock): Picture {
  const entries = run.log.entries();
  const zero = entries.length > 0 ? entries[0].at : 0;
  const shifted = entries.map((e) => ({ ...e, at: e.at - zero }));
  const now = run.ended ? (shifted.at(-1)?.at ?? 0) : performance.timeOrigin + performance.now() - run.log.start - zero;
  const spans = statesAsSpans(shifted, OUTSIDE, now);
  const count = (kind: number) => shifted.filter((e) => e.what === kind).length;
  const handoffs = Atomics.load(run.handoffs, 1);
  const takes = count(0);
  return spanChart({
    title: `${run.workers} workers, one mp.Lock: who holds it, who waits, and how`,
    lanes: Array.from({ length: run.workers }, (_, i) => `worker ${i + 1}`),
    spans,
    kinds: [...STATES],
    axisLabel: "ms since the first change",
    until: Math.max(run.expectedMs, now),
    width: 720,
    notes: [
      `Taken ${takes} times; hand-offs (taken by another worker than the last holder): ${handoffs}; taken back by the last holder: ${Math.max(0, takes - handoffs - 1)}.`,
      `Waits logged by the lock itself: ${count(1)} spinning, ${count(2)} sleeping, ${count(3)} napping (mp.Lock spins only with 3 or more cores). Blank: working outside the lock.`,
    ],
  });
}
