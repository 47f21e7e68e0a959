/**
 * Notebook 06's test bench for hand-built locks: workers increment one shared counter under the
 * lock, and the bench reports the updates lost, the time of the slowest worker, what the lock
 * counted (failed tries, sleeps, notify calls) and how much of the time the workers really ran
 * side by side. Plumbing for the notebook (and for its exercise's check), kept here so that the
 * notebook's cells show the locks, not the bookkeeping.
 *
 * @packageDocumentation
 */
import { Barrier } from "../barrier";
import { Process } from "../process";
import { runAllWithin } from "./join-within";

/** What a hand-built lock counts while it works. */
export interface LockCounts {
  /** Failed tries of a waiter that did not sleep. */
  spins: number;
  /** Times a waiter went to sleep in `Atomics.wait`. */
  sleeps: number;
  /** Calls of `Atomics.notify`. */
  wakes: number;
}

/** A hand-built lock over `cells` (two `Int32` cells, zero to begin with). */
export interface HandBuiltLock {
  /** Takes the lock, waiting as long as it takes. */
  acquire(): void;
  /** Gives it back. */
  release(): void;
  /** What it counted; left out, the bench reports zeros. */
  readonly counts?: LockCounts;
}

/**
 * Makes a lock over `cells`. It travels to the workers as source text and is rebuilt there with
 * `new Function`, so it may use only its argument and JavaScript's globals.
 */
export type MakeLock = (cells: Int32Array) => HandBuiltLock;

/** One run of the bench. */
export interface Run {
  /** Increments lost: the total minus the final count. */
  readonly lost: number;
  /** Milliseconds of the slowest worker, from the moment the start barrier let them go. */
  readonly ms: number;
  /** The lock's counts, summed over the workers. */
  readonly spins: number;
  /** See {@link LockCounts.sleeps}. */
  readonly sleeps: number;
  /** See {@link LockCounts.wakes}. */
  readonly wakes: number;
  /**
   * How much of the time the workers ran side by side: from the last start to the first end,
   * over the longest worker's time (0 to 1; 1 with one worker). Near 0, they ran one after the
   * other and nothing in the run measured contention.
   */
  readonly overlap: number;
}

/** Options of {@link bench}. */
export interface BenchOptions {
  /** Locked increments in all, shared by the workers (default 200,000). */
  readonly total?: number;
  /** How long the workers may take before they are terminated (default 60 s). */
  readonly seconds?: number;
  /**
   * Extra reads of the counter between each increment's read and write (default 0). A longer
   * critical section makes a lock that lets two holders in lose updates far more often.
   */
  readonly hold?: number;
  /** Makes the lock's memory (default: 8 zeroed bytes; the library's `Lock` needs its own, `new mp.Lock().buffer`). */
  readonly memory?: () => SharedArrayBuffer;
}

const SLOTS = 6;

/** The worker: rebuilds the lock, waits at the gate, does `n` locked increments, writes its figures. */
function benchWorker(source: string, n: number, hold: number, lockCells: Int32Array, counter: Int32Array,
                     gate: Barrier, results: Float64Array, id: number): void {
  const makeLock = new Function(`return (${source})`)();
  const lock = makeLock(lockCells);
  gate.wait();
  const start = performance.timeOrigin + performance.now();
  for (let i = 0; i < n; i++) {
    lock.acquire();
    const seen = Atomics.load(counter, 0);
    for (let k = 0; k < hold; k++) Atomics.load(counter, 0);
    Atomics.store(counter, 0, seen + 1);
    lock.release();
  }
  const end = performance.timeOrigin + performance.now();
  const counts = lock.counts ?? { spins: 0, sleeps: 0, wakes: 0 };
  results.set([start, end, counts.spins, counts.sleeps, counts.wakes], 6 * id);
}

/**
 * Runs locked increments shared by `workers` workers, which start together at a barrier.
 *
 * @throws Error if the workers did not finish in `options.seconds` (a lock that never lets a
 *   waiter in); they are terminated first.
 */
export async function bench(makeLock: MakeLock, workers: number, options: BenchOptions = {}): Promise<Run> {
  const { total = 200_000, seconds = 60, hold = 0, memory = () => new SharedArrayBuffer(8) } = options;
  const lockCells = new Int32Array(memory());
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const results = new Float64Array(new SharedArrayBuffer(8 * SLOTS * workers));
  const gate = new Barrier(workers);
  const processes: Process[] = [];
  for (let id = 0; id < workers; id++) {
    processes.push(new Process({
      target: benchWorker,
      args: [makeLock.toString(), Math.floor(total / workers), hold, lockCells, counter, gate, results, id],
    }));
  }
  await runAllWithin(processes, seconds, () =>
    `${makeLock.name || "the lock"}: ${workers} workers had not finished ${total} increments after ${seconds} s, ` +
      "so they were terminated: does a waiter ever get the lock?");
  const rows = Array.from({ length: workers }, (_, id) => results.subarray(SLOTS * id, SLOTS * id + SLOTS));
  const longest = Math.max(...rows.map(([start, end]) => end - start));
  const together = Math.min(...rows.map(([, end]) => end)) - Math.max(...rows.map(([start]) => start));
  return {
    lost: Math.floor(total / workers) * workers - counter[0],
    ms: longest,
    spins: rows.reduce((sum, r) => sum + r[2], 0),
    sleeps: rows.reduce((sum, r) => sum + r[3], 0),
    wakes: rows.reduce((sum, r) => sum + r[4], 0),
    overlap: workers === 1 || longest <= 0 ? 1 : Math.max(0, together) / longest,
  };
}

/** How many times a run whose workers hardly overlapped is tried again before it is kept. */
const RETRIES = 5;
/** Below this overlap a run measured no contention worth the name. */
const ENOUGH_OVERLAP = 0.5;

/**
 * Benches the lock with 1, 2 and 4 workers, `runs` runs each, and prints one line per worker
 * count: updates lost and times of every run, and the counts and overlap of the fastest. A run of
 * several workers that overlapped less than half the time is run again (up to 5 times): it would
 * have measured no contention.
 *
 * @param options - as for {@link bench}, and `runs` per worker count (default 2).
 * @returns the runs for each worker count.
 */
export async function measureLock(makeLock: MakeLock, options: BenchOptions & { readonly runs?: number } = {}): Promise<Map<number, Run[]>> {
  const { runs = 2, ...benchOptions } = options;
  const measured = new Map<number, Run[]>();
  for (const workers of [1, 2, 4]) {
    const results: Run[] = [];
    for (let r = 0; r < runs; r++) {
      let run = await bench(makeLock, workers, benchOptions);
      for (let retry = 0; run.overlap < ENOUGH_OVERLAP && retry < RETRIES; retry++) run = await bench(makeLock, workers, benchOptions);
      results.push(run);
    }
    measured.set(workers, results);
    const fastest = results.reduce((a, b) => (a.ms <= b.ms ? a : b));
    console.log(`${makeLock.name} ${workers} worker${workers > 1 ? "s" : " "}: lost ${results.map((r) => r.lost).join("/")}, ` +
      `${results.map((r) => `${r.ms.toFixed(1)} ms`).join(" / ")}; side by side ${Math.round(fastest.overlap * 100)}%, ` +
      `failed tries ${fastest.spins}, sleeps ${fastest.sleeps}, notify calls ${fastest.wakes}`);
  }
  return measured;
}
