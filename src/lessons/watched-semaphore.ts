/**
 * Notebook 5's printers, watched while they run: workers share a `BoundedSemaphore`'s places, and
 * each logs into a shared {@link EventLog} when it starts waiting for a place, when it has one and
 * when it gives it back; the picture shows each worker's lane and, on a lane of its own, how many
 * places are taken, filling and emptying as the log says.
 *
 * @packageDocumentation
 */
import { Barrier } from "../barrier";
import { spanChart, type Picture, type Span } from "../display";
import { Process } from "../process";
import { BoundedSemaphore } from "../semaphore";
import { EventLog, type LogCells } from "./event-log";
import { statesAsSpans } from "./watched-lock";

/** What a worker logs: 0 waiting for a place, {@link HOLDING} a place, {@link IDLE} (gave it back). */
const HOLDING = 1;
const IDLE = 2;

/** One worker: `jobs` times wait for a place, hold it ~`jobMs` (working), give it back, pause a little. */
function printer(who: number, jobs: number, jobMs: number, places: BoundedSemaphore, log: LogCells, gate: Barrier): void {
  const note = (what: number): void => {
    const i = Atomics.add(log.ints, 0, 1);
    if (i < log.times.length) {
      log.times[i] = performance.timeOrigin + performance.now();
      log.ints[2 + 3 * i] = who;
      log.ints[3 + 3 * i] = places.getValue();
      Atomics.store(log.ints, 1 + 3 * i, what + 1);
    }
  };
  const busy = (ms: number): void => {
    const end = performance.now() + ms;
    while (performance.now() < end) continue; // busy: the time real work takes
  };
  const pause = new Int32Array(new SharedArrayBuffer(4));
  gate.wait();
  for (let job = 0; job < jobs; job++) {
    note(0);
    places.acquire();
    note(1);
    busy(jobMs);
    note(2);
    places.release();
    Atomics.wait(pause, 0, 0, jobMs / 4 + who); // a pause between jobs, a little different per worker
  }
}

/** One run of the watched semaphore. */
export interface WatchedSemaphore {
  /** How many workers. */
  readonly workers: number;
  /** How many places. */
  readonly places: number;
  /** What they logged. */
  readonly log: EventLog;
  /** How long the run is expected to take at least, in ms. */
  readonly expectedMs: number;
  /** Resolves once every worker has ended. */
  readonly done: Promise<void>;
  /** Whether every worker has ended (then its picture ends at the last entry, not now). */
  readonly ended: boolean;
}

/** Options of {@link watchSemaphore}. */
export interface WatchSemaphoreOptions {
  /** How many workers (default 5, at most 8). */
  readonly workers?: number;
  /** How many places (default 2). */
  readonly places?: number;
  /** Jobs per worker (default 4). */
  readonly jobs?: number;
  /** How long a job holds its place, in ms (default 100). */
  readonly jobMs?: number;
}

/**
 * Starts workers that share a `BoundedSemaphore(places)`, each logging its waits and its jobs.
 * Draw it with {@link semaphorePicture} while it runs.
 *
 * @param options - see {@link WatchSemaphoreOptions}.
 * @throws RangeError for a count or time out of range.
 */
export function watchSemaphore(options: WatchSemaphoreOptions = {}): WatchedSemaphore {
  const { workers = 5, places = 2, jobs = 4, jobMs = 100 } = options;
  const whole = (name: string, v: number, max: number): void => {
    if (!(Number.isInteger(v) && v >= 1 && v <= max)) throw new RangeError(`watchSemaphore(): ${name} is ${v}; it must be a whole number from 1 to ${max}.`);
  };
  whole("workers", workers, 8);
  whole("places", places, 8);
  whole("jobs", jobs, 100);
  if (!(Number.isFinite(jobMs) && jobMs >= 1 && jobMs <= 1000)) throw new RangeError(`watchSemaphore(): jobMs is ${jobMs}; it must be a number of ms from 1 to 1000.`);
  const log = new EventLog(workers * jobs * 3);
  const semaphore = new BoundedSemaphore(places);
  const gate = new Barrier(workers);
  const procs = Array.from({ length: workers }, (_, i) => new Process({ target: printer, args: [i + 1, jobs, jobMs, semaphore, log.cells, gate], name: `worker ${i + 1}` }));
  for (const p of procs) p.start();
  let ended = false;
  const done = Promise.all(procs.map((p) => p.join())).then(() => {
    ended = true;
    for (const p of procs) if (p.exitCode !== 0) throw new Error(`watchSemaphore(): ${p.name} ended with exit code ${p.exitCode}.`);
  });
  return { workers, places, log, expectedMs: (workers * jobs * jobMs) / places, done, get ended() { return ended; } };
}

/**
 * One lane per worker (waiting for a place, or holding one), and a lane of the places taken,
 * counted from the log: one more when a worker logs that it has a place, one fewer when it logs
 * that it gives it back.
 *
 * @param run - a run of {@link watchSemaphore}.
 */
export function semaphorePicture(run: WatchedSemaphore): Picture {
  const entries = run.log.entries();
  const zero = entries.length > 0 ? entries[0].at : 0;
  const shifted = entries.map((e) => ({ ...e, at: e.at - zero }));
  const now = run.ended ? (shifted.at(-1)?.at ?? 0) : performance.timeOrigin + performance.now() - run.log.start - zero;
  const spans: Span[] = statesAsSpans(shifted, IDLE, now);
  const placesLane = run.workers;
  let taken = 0;
  let since = 0;
  let most = 0;
  for (const e of shifted) {
    const next = taken + (e.what === HOLDING ? 1 : e.what === IDLE ? -1 : 0);
    if (next === taken) continue;
    // The log keeps the order in which workers wrote their entries; each reads the clock just
    // before, so an entry's time can be a fraction of a millisecond before the one above it
    // (a CI run drew 200.81 after 200.90). The order is the truth; such a change takes no time.
    const at = Math.max(since, e.at);
    if (taken > 0) spans.push({ lane: placesLane, start: since, end: at, label: String(taken), tone: taken > run.places ? "alert" : "normal", kind: 2 });
    taken = next;
    since = at;
    most = Math.max(most, taken);
  }
  if (taken > 0) spans.push({ lane: placesLane, start: since, end: Math.max(since, now), label: String(taken), kind: 2 });
  const jobs = shifted.filter((e) => e.what === HOLDING).length;
  return spanChart({
    title: `${run.workers} workers, BoundedSemaphore(${run.places}): the places filling and emptying`,
    lanes: [...Array.from({ length: run.workers }, (_, i) => `worker ${i + 1}`), "places taken"],
    spans,
    kinds: ["waiting for a place", "holding a place", "places taken"],
    axisLabel: "ms since the first wait",
    until: Math.max(run.expectedMs, now),
    width: 720,
    notes: [`Jobs done or under way: ${jobs}; places taken now: ${taken} of ${run.places}; at most at once: ${most} (the semaphore allows ${run.places}).`],
  });
}
