/**
 * The one harness every JavaScript row of the bench runs on: start the workers, let each warm up
 * (optionally) and park on a shared gate, release them together, and time from the release until
 * the last one has finished. Start-up and warm-up are not timed. After every run the shared counter
 * must hold exactly the number of increments the workers were asked for, or the run fails.
 *
 * @packageDocumentation
 */
import { Worker } from "node:worker_threads";
import * as mp from "../dist";

/**
 * Slots of the gate: how many workers are parked, the release flag, how many have finished, the
 * leave flag, the flag that starts the warm-up all workers run together, and how many have run it.
 */
const READY = 0;
const GO = 1;
const DONE = 2;
const LEAVE = 3;
const WARM_TOGETHER = 4;
const WARMED = 5;

/** A run that takes longer than this is stuck (a deadlock, a lost wake-up): it is ended and fails. */
const RUN_LIMIT_MS = 30_000;

/** What every measured body shares: a counter that ends up at exactly workers × n. */
export interface Counted {
  /** `count[0]` is incremented once per iteration, under whatever the body measures. */
  readonly count: Int32Array;
}

/**
 * The code a row measures, run in each worker: `n` iterations, each adding one to `shared.count[0]`.
 * It travels to the worker as source text, so it may use only its arguments and JavaScript's globals.
 */
export type Body<S extends Counted> = (n: number, shared: S, index: number) => void;

/** `Atomics.waitAsync`, which TypeScript 5.0's lib does not declare. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeout?: number): { async: boolean; value: unknown };
}).waitAsync;

/**
 * What every worker runs for one measurement: rebuilds the body from its source, runs it `warmup`
 * times (alone: the workers started before it are parked, the next is not started yet), parks,
 * runs it `warmup` times more together with all the others once they are all parked (so that the
 * contended paths have run too), parks until the gate opens, runs the body, and says it is done
 * even when the body throws (the error then surfaces as the worker's failure). Then it waits until
 * told to leave, once all are done: a worker that ended at once would tear down its JavaScript
 * world (CPU work) on the cores the others still run on, which weighs on a run of 16 workers (15
 * teardowns) far more than on one of 2. Self-contained: it travels to the worker as source text,
 * so it names the gate's slots by number (READY 0, GO 1, DONE 2, LEAVE 3, WARM_TOGETHER 4, WARMED 5).
 */
function parked(gate: Int32Array, source: string, n: number, shared: unknown, index: number, warmup: number): void {
  const body = (0, eval)(`(${source})`) as (n: number, shared: unknown, index: number) => void;
  if (warmup > 0) body(warmup, shared, index);
  Atomics.add(gate, 0, 1);
  Atomics.notify(gate, 0);
  if (warmup > 0) {
    Atomics.wait(gate, 4, 0);
    body(warmup, shared, index);
    Atomics.add(gate, 5, 1);
    Atomics.notify(gate, 5);
  }
  Atomics.wait(gate, 1, 0);
  try {
    body(n, shared, index);
  } finally {
    Atomics.add(gate, 2, 1);
    Atomics.notify(gate, 2);
    Atomics.wait(gate, 3, 0);
  }
}

/**
 * Resolves once `gate[slot]` ≥ `target`, without blocking the event loop (workers are starting);
 * rejects with what `failed()` returns as soon as it returns an error.
 */
async function reached(gate: Int32Array, slot: number, target: number, failed: () => Error | null): Promise<void> {
  for (let seen = Atomics.load(gate, slot); seen < target; seen = Atomics.load(gate, slot)) {
    const error = failed();
    if (error !== null) throw error;
    const waiting = waitAsync(gate, slot, seen, 100);
    if (waiting.async) await waiting.value;
  }
}

/** Sleeps on this thread until `gate[slot]` ≥ `target`; throws if that takes longer than {@link RUN_LIMIT_MS}. */
function awaitCount(gate: Int32Array, slot: number, target: number, what: string): void {
  const deadline = performance.now() + RUN_LIMIT_MS;
  for (let seen = Atomics.load(gate, slot); seen < target; seen = Atomics.load(gate, slot)) {
    const left = deadline - performance.now();
    if (left <= 0) throw new Error(`${what} did not finish within ${RUN_LIMIT_MS / 1000} s`);
    Atomics.wait(gate, slot, seen, left);
  }
}

/**
 * With `warmup`, first lets the `workers` parked workers run their warm-up together and waits for
 * them (untimed). Then sets the counter back to 0 (warm-ups counted into it), opens the gate,
 * sleeps on this thread until all are done, and then lets them leave.
 *
 * @returns seconds from the release to the last one's finish.
 * @throws Error if the warm-up or the run does not finish within {@link RUN_LIMIT_MS}.
 */
function release(gate: Int32Array, shared: Counted, workers: number, warmup: number, what: string): number {
  try {
    if (warmup > 0) {
      Atomics.store(gate, WARM_TOGETHER, 1);
      Atomics.notify(gate, WARM_TOGETHER);
      awaitCount(gate, WARMED, workers, `${what} (the warm-up together)`);
    }
    Atomics.store(shared.count, 0, 0);
    const start = performance.now();
    Atomics.store(gate, GO, 1);
    Atomics.notify(gate, GO);
    awaitCount(gate, DONE, workers, what);
    return (performance.now() - start) / 1000;
  } finally {
    Atomics.store(gate, LEAVE, 1);
    Atomics.notify(gate, LEAVE);
  }
}

/** Throws unless the workers' counter is exactly `workers * n`. */
function checkCount(shared: Counted, workers: number, n: number, what: string): void {
  const count = Atomics.load(shared.count, 0);
  if (count !== workers * n) throw new Error(`${what}: final count ${count}, expected exactly ${workers * n}`);
}

const newGate = (): Int32Array => new Int32Array(new SharedArrayBuffer(6 * Int32Array.BYTES_PER_ELEMENT));

/**
 * Runs `body` in `workers` fresh `mp.Process` workers, `n` iterations each, and times it. Every
 * run gets new workers, so no run inherits another's compiled code or type feedback.
 *
 * The workers start one at a time, each parked before the next starts (start-up is not timed).
 * With `warmup`, each first runs the body that many times alone, before it parks, so that the
 * timed run meets optimised code: a fresh worker's first 100,000 iterations run slower (on 2
 * cores, 125,000 lock pairs in a fresh worker ran at 28 M/s, 2,000,000 at 44 M/s). Once all are
 * parked, they run it that many times again, all together: alone, a lock is never found taken, so
 * its waiting code never runs, and V8 compiles `acquire` without it; the first contended acquire
 * of each worker then throws that code away ("Insufficient type feedback", 43 deoptimisations in
 * one 16-worker run under `--trace-deopt`), and 16 workers recompile on the cores the timed run
 * needs (2026-12-01, 16 workers, 5 runs each way: 27.1 and 26.2 M/s without the joint warm-up,
 * 32.6 and 29.2 with it; 2 workers unchanged). The body must leave `shared` as it found it, the
 * counter aside (it is set back to 0 before the gate opens).
 *
 * @param body - the measured code (see {@link Body}).
 * @param shared - its shared objects.
 * @param workers - how many workers run it at once.
 * @param n - iterations per worker.
 * @param warmup - untimed iterations per worker, alone and then together, before the timed run
 *   (0: none; a ping-pong needs 0, as it cannot run alone).
 * @returns seconds from the release to the last worker's finish.
 * @throws Error if a worker fails, the run hangs, or the final count is not exactly `workers * n`.
 */
export async function timeParked<S extends Counted>(body: Body<S>, shared: S, workers: number, n: number, warmup = 0): Promise<number> {
  const what = `${body.name} with ${workers} worker(s)`;
  const gate = newGate();
  const processes: mp.Process[] = [];
  const joins: Promise<void>[] = [];
  try {
    for (let index = 0; index < workers; index++) {
      const p = new mp.Process({ target: parked, args: [gate, body.toString(), n, shared, index, warmup], name: `${body.name}-${index}` });
      p.start();
      processes.push(p);
      let failure: Error | null = null;
      const joined = p.join();
      joins.push(joined);
      // Awaited below; this records a failure before the worker parked, and keeps it handled.
      joined.then(
        () => (failure ??= new Error(`${what}: worker ${index} ended before it parked`)),
        (error: Error) => (failure ??= error),
      );
      await reached(gate, READY, index + 1, () => failure);
    }
    const seconds = release(gate, shared, workers, warmup, what);
    await Promise.all(joins);
    checkCount(shared, workers, n, what);
    return seconds;
  } catch (error) {
    await Promise.all(processes.map((p) => p.terminate()));
    throw error;
  }
}

/** A pool worker: runs {@link parked} for every job it is sent. */
const POOL_WORKER = `
const { parentPort } = require("node:worker_threads");
const parked = ${parked.toString()};
parentPort.on("message", (job) => parked(job.gate, job.source, job.n, job.shared, job.index, job.warmup));
parentPort.postMessage("ready");
`;

/**
 * The same harness over long-lived `worker_threads` workers, started once (one at a time) and
 * reused by every run. Only for `Atomics.Mutex`: under `--harmony-struct` Node 20 crashes or
 * deadlocks when workers start or end while the main thread collects garbage (see bench/README.md),
 * so that process must not start a worker per run. Its bodies are warm after the first run.
 */
export class WorkerPool {
  private failure: Error | null = null;

  private constructor(private readonly workers: readonly Worker[]) {
    for (const w of workers) w.on("error", (error: Error) => (this.failure ??= error));
  }

  /** Starts `size` workers, each ready before the next starts. */
  static async start(size: number): Promise<WorkerPool> {
    const workers: Worker[] = [];
    for (let i = 0; i < size; i++) {
      const w = new Worker(POOL_WORKER, { eval: true });
      await new Promise((resolve, reject) => {
        w.once("message", resolve);
        w.once("error", reject);
      });
      workers.push(w);
    }
    return new WorkerPool(workers);
  }

  /** Like {@link timeParked}, on the first `workers` workers of the pool (their warm-ups run at the same time). */
  async time<S extends Counted>(body: Body<S>, shared: S, workers: number, n: number, warmup = 0): Promise<number> {
    const what = `${body.name} with ${workers} worker(s)`;
    if (workers > this.workers.length) throw new RangeError(`${what}: the pool has ${this.workers.length} workers`);
    const gate = newGate();
    this.workers.slice(0, workers).forEach((w, index) => w.postMessage({ gate, source: body.toString(), n, shared, index, warmup }));
    await reached(gate, READY, workers, () => this.failure);
    const seconds = release(gate, shared, workers, warmup, what);
    if (this.failure !== null) throw this.failure;
    checkCount(shared, workers, n, what);
    return seconds;
  }
}

/** A fresh shared counter at 0. */
export function counter(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
}

/** Median, minimum and maximum of some samples. */
export interface Summary {
  /** The middle sample (mean of the two middle ones for an even count). */
  readonly median: number;
  /** The smallest sample. */
  readonly min: number;
  /** The largest sample. */
  readonly max: number;
}

/** Summarises samples; `null` when there are none. */
export function summarize(samples: readonly number[]): Summary | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}
