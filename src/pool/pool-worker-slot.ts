/**
 * One worker of a `Pool`, as the pool sees it: the worker thread, the task it runs now (if any), the
 * functions it has already compiled, and how many tasks it has done (for `maxtasksperchild`).
 *
 * @packageDocumentation
 */
import type { Worker } from "node:worker_threads";
import { startWorker } from "../worker-start";
import type { Chunk, Job } from "./job";
import type { PoolTask, PoolWorkerStart } from "./protocol";

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
  /** The task it runs now, or `null` when idle. */
  running: Running | null = null;
  /** How many tasks it has finished. */
  tasksDone = 0;
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

  /** Sends `running`'s chunk, with the function's source if this worker has not compiled it yet. */
  send(running: Running, source: string): void {
    const fn = running.job.fn;
    const task: PoolTask = { task: running.task, fn, calls: running.chunk.calls, ...(this.known.has(fn) ? {} : { source }) };
    this.worker.postMessage(task);
    this.known.add(fn);
    this.running = running;
    this.worker.ref();
  }

  /** Marks it idle after its task's answer came. */
  idle(): void {
    this.running = null;
    this.tasksDone++;
    this.worker.unref();
  }

  /** Ends the worker on the pool's behalf. */
  async end(): Promise<void> {
    this.endedByPool = true;
    this.worker.ref(); // an idle worker is unref'd: keep the program alive until it has ended
    await this.worker.terminate();
  }
}
