/**
 * Notebook 06's fairness bench: workers take a hand-built lock over and over for a fixed time,
 * and each writes down how long every `acquire` made it wait. The bench reports each worker's
 * share of the acquisitions and its longest wait, the waits of all workers sorted into buckets,
 * and how often the lock passed from one worker to another. Plumbing for the notebook, kept here
 * so that its cells show the locks and the figures, not the bookkeeping.
 *
 * @packageDocumentation
 */
import { Barrier } from "../barrier";
import { Process } from "../process";
import { runAllWithin } from "./join-within";
import type { MakeLock } from "./lock-bench";

/** The buckets of {@link FairnessRun.waits}, by how long one `acquire` waited. */
export const WAIT_BUCKETS: readonly string[] = ["< 1 µs", "1–10 µs", "10–100 µs", "0.1–1 ms", "1–10 ms", "≥ 10 ms"];

/** One worker's part of a {@link FairnessRun}. */
export interface WorkerShare {
  /** How many times it took the lock. */
  readonly acquisitions: number;
  /** Its longest single wait in `acquire`, in milliseconds. */
  readonly longestWaitMs: number;
}

/** One run of {@link fairness}. */
export interface FairnessRun {
  /** The lock's name (its function's name). */
  readonly lock: string;
  /** Each worker's acquisitions and longest wait, in worker order. */
  readonly workers: readonly WorkerShare[];
  /** Acquisitions of all workers together. */
  readonly acquisitions: number;
  /** Acquisitions per second, all workers together, over the time the run took. */
  readonly perSecond: number;
  /** Acquisitions that went to another worker than the one before: a hand-off. */
  readonly handoffs: number;
  /** Increments lost (the acquisitions minus the shared count): 0 for a lock that works. */
  readonly lost: number;
  /** How many waits fell in each of the {@link WAIT_BUCKETS}, all workers together. */
  readonly waits: readonly number[];
}

/** Options of {@link fairness}. */
export interface FairnessOptions {
  /** How long each worker keeps taking the lock, in milliseconds (default 300). */
  readonly ms?: number;
  /** Extra reads of the counter inside each critical section (default 0). */
  readonly hold?: number;
  /** How long the run may take before the workers are terminated (default 30 s). */
  readonly seconds?: number;
  /** Makes the lock's memory (default: 8 zeroed bytes; `mp.Lock` needs `new mp.Lock().buffer`). */
  readonly memory?: () => SharedArrayBuffer;
}

/** Per worker: acquisitions, hand-offs, longest wait, the six buckets, and how long it ran (ms). */
const SLOTS = 3 + 6 + 1;

/**
 * The worker: rebuilds the lock, waits at the gate, then for `ms` milliseconds takes the lock,
 * increments the counter and notes a hand-off if the last holder was somebody else, releases it,
 * and sorts the wait into its bucket; its figures go to `results` from `offset` on.
 */
function fairnessWorker(source: string, ms: number, hold: number, lockCells: Int32Array, shared: Int32Array,
                        gate: Barrier, results: Float64Array, id: number, offset: number): void {
  const makeLock = new Function(`return (${source})`)();
  const lock = makeLock(lockCells);
  const buckets = [0, 0, 0, 0, 0, 0];
  let acquisitions = 0;
  let handoffs = 0;
  let longest = 0;
  gate.wait();
  const start = performance.now();
  const until = start + ms;
  for (let asked = start; asked < until; asked = performance.now()) {
    lock.acquire();
    const got = performance.now();
    if (Atomics.load(shared, 1) !== id + 1) {
      handoffs++;
      Atomics.store(shared, 1, id + 1);
    }
    const seen = Atomics.load(shared, 0);
    for (let k = 0; k < hold; k++) Atomics.load(shared, 0);
    Atomics.store(shared, 0, seen + 1);
    lock.release();
    acquisitions++;
    const waited = got - asked;
    if (waited > longest) longest = waited;
    const micros = waited * 1000;
    buckets[micros < 1 ? 0 : Math.min(5, 1 + Math.floor(Math.log10(micros)))]++;
  }
  const end = performance.now();
  results.set([acquisitions, handoffs, longest, ...buckets, end - start], offset);
}

/**
 * Runs `workers` workers that take the lock as often as they can for `options.ms` milliseconds,
 * starting together at a barrier.
 *
 * @throws Error if the workers had not finished after `options.seconds` (a lock that never lets a
 *   waiter in); they are terminated first.
 */
export async function fairness(makeLock: MakeLock, workers: number, options: FairnessOptions = {}): Promise<FairnessRun> {
  const { ms = 300, hold = 0, seconds = 30, memory = () => new SharedArrayBuffer(8) } = options;
  const lockCells = new Int32Array(memory());
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const results = new Float64Array(new SharedArrayBuffer(8 * SLOTS * workers));
  const gate = new Barrier(workers);
  const processes = Array.from({ length: workers }, (_, id) => new Process({
    target: fairnessWorker,
    args: [makeLock.toString(), ms, hold, lockCells, shared, gate, results, id, SLOTS * id],
  }));
  await runAllWithin(processes, seconds, () =>
    `${makeLock.name || "the lock"}: ${workers} workers were still taking the lock after ${seconds} s, ` +
      "so they were terminated: does a waiter ever get the lock?");
  const rows = Array.from({ length: workers }, (_, id) => results.subarray(SLOTS * id, SLOTS * id + SLOTS));
  const acquisitions = rows.reduce((sum, r) => sum + r[0], 0);
  const longestRun = Math.max(...rows.map((r) => r[SLOTS - 1])) / 1000;
  return {
    lock: makeLock.name,
    workers: rows.map((r) => ({ acquisitions: r[0], longestWaitMs: r[2] })),
    acquisitions,
    perSecond: longestRun > 0 ? acquisitions / longestRun : 0,
    handoffs: rows.reduce((sum, r) => sum + r[1], 0),
    lost: acquisitions - shared[0],
    waits: WAIT_BUCKETS.map((_, b) => rows.reduce((sum, r) => sum + r[3 + b], 0)),
  };
}

/**
 * A ticket lock over two `Int32` cells, for the fairness bench: cell 0 hands out tickets, cell 1
 * shows the ticket being served, and waiters sleep on cell 1 until it shows theirs, so they get
 * the lock in the order they asked (first in, first out). Notebook 06's exercise 1 asks the
 * learner to write one; this is the bench's own copy, kept out of the notebook's sight.
 */
export function ticketLock(cells: Int32Array): { acquire(): void; release(): void } {
  return {
    acquire() {
      const mine = Atomics.add(cells, 0, 1);
      for (let serving = Atomics.load(cells, 1); serving !== mine; serving = Atomics.load(cells, 1)) {
        Atomics.wait(cells, 1, serving);
      }
    },
    release() {
      Atomics.add(cells, 1, 1);
      Atomics.notify(cells, 1);
    },
  };
}
