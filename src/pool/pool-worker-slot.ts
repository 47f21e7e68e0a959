/**
 * One worker of a `Pool`, as the pool sees it: the worker thread, the tasks sent to it and not
 * answered yet (the first runs, the next waits in the worker's message queue), the functions it has
 * already compiled, and how many tasks it was sent and has done (for `maxtasksperchild`).
 *
 * Why tasks wait in the worker: a worker that had to ask for each task sat idle for a whole round
 * trip between two (its answer to the pool, then the next task to it): some 88 µs per empty task on
 * a quiet 2-core machine, against Python's 20, whose workers take their next task from a pipe that
 * the pool keeps filled (bench row (g), 2026-12-04). But a task sent to one worker cannot go to
 * another that frees up sooner, so a worker is sent about a millisecond of work ahead, by the mean
 * time its tasks took ({@link PoolWorkerSlot.ahead}): short tasks many at a time (an empty task then
 * cost 5.4–5.7 µs, about 0.26× Python's), long ones one running and one waiting (always 2 ahead
 * gave 43 µs an empty task).
 *
 * @packageDocumentation
 */
import type { Worker } from "node:worker_threads";
import { startWorker } from "../worker-start";
import type { Chunk, Job } from "./job";
import type { PoolTask, PoolWorkerStart } from "./protocol";

/** About how much work (ms, by the mean task time) a worker is sent ahead of its answers. */
const WORK_AHEAD_MS = 1;
/** The most tasks a worker is sent ahead of its answers. */
export const MOST_AHEAD = 16;
/** The mean task time follows each new time by 1/8. */
const MEAN_WEIGHT = 8;

/** A task on its way: the job it belongs to and its chunk. */
export interface Running {
  /** The task's number in its pool. */
  readonly task: number;
  /** The job the chunk belongs to. */
  readonly job: Job;
  /** The chunk. */
  readonly chunk: Chunk;
}

/** One worker of a pool. */
export class PoolWorkerSlot {
  /** The worker thread. */
  readonly worker: Worker;
  /** Its `threadId` (Python's pid of a pool worker). */
  readonly threadId: number;
  /** Resolves with its exit code once it has ended and its output has all been printed. */
  readonly ended: Promise<number>;
  /** The tasks sent to it and not answered yet, in the order sent: the first runs now. */
  readonly queued: Running[] = [];
  /** How many tasks it was sent. */
  tasksSent = 0;
  /** How many tasks it has finished. */
  tasksDone = 0;
  /** The mean time its tasks took, in ms (recent ones weigh more); unknown at first. */
  private meanTaskMs = Infinity;
  /** When the task it runs now started, as far as the pool can tell (ms, `performance.now()`). */
  private startedAt = 0;
  /** Whether the pool ended it on purpose (it was idle and retired, or the pool was terminated). */
  endedByPool = false;
  private readonly known = new Set<number>();

  /**
   * Starts the worker.
   *
   * @param file - the compiled `pool-worker.js`.
   * @param data - what the worker gets at start.
   */
  constructor(file: string, data: PoolWorkerStart) {
    this.worker = startWorker(file, data);
    this.threadId = this.worker.threadId;
    // Print through whatever process.stdout is when the output arrives: the kernel swaps it per cell.
    this.worker.stdout.on("data", (chunk: Buffer) => process.stdout.write(chunk));
    this.worker.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk));
    const streamEnd = (stream: NodeJS.ReadableStream) => new Promise<void>((resolve) => stream.once("end", resolve));
    const exited = new Promise<number>((resolve) => this.worker.once("exit", resolve));
    this.ended = Promise.all([exited, streamEnd(this.worker.stdout), streamEnd(this.worker.stderr)]).then(([code]) => code);
    this.worker.unref();
  }

  /** The task it runs now, or `null` when it has none. */
  get running(): Running | null {
    return this.queued[0] ?? null;
  }

  /** Sends `running`'s chunk, with the function's source if this worker has not compiled it yet. */
  send(running: Running, source: string): void {
    const fn = running.job.fn;
    const task: PoolTask = { task: running.task, fn, calls: running.chunk.calls, ...(this.known.has(fn) ? {} : { source }) };
    this.worker.postMessage(task);
    this.known.add(fn);
    if (this.queued.length === 0) this.startedAt = performance.now();
    this.queued.push(running);
    this.tasksSent++;
    this.worker.ref();
  }

  /** Takes the running task off once its answer came; an idle worker no longer keeps the program alive. */
  answered(): void {
    const now = performance.now();
    const took = now - this.startedAt;
    this.meanTaskMs = this.meanTaskMs === Infinity ? took : this.meanTaskMs + (took - this.meanTaskMs) / MEAN_WEIGHT;
    // The next task, already in the worker, starts now.
    this.startedAt = now;
    this.queued.shift();
    this.tasksDone++;
    if (this.queued.length === 0) this.worker.unref();
  }

  /**
   * How many tasks it should have been sent and not have answered: about {@link WORK_AHEAD_MS} of
   * work by the mean so far, at least 2 (one running, one waiting) and at most {@link MOST_AHEAD}.
   */
  ahead(): number {
    return Math.min(MOST_AHEAD, Math.max(2, Math.floor(WORK_AHEAD_MS / this.meanTaskMs) + 1));
  }

  /** Ends the worker on the pool's behalf. */
  async end(): Promise<void> {
    this.endedByPool = true;
    this.worker.ref(); // an idle worker is unref'd: keep the program alive until it has ended
    await this.worker.terminate();
  }
}
