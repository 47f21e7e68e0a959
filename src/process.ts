/**
 * `Process`: runs a function in a worker thread, like Python's `multiprocessing.Process`, and the
 * registry of live workers, so that none is left running unseen.
 *
 * @packageDocumentation
 */
import { processNamesTable, recordProcessName } from "./process-names";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import type { Worker } from "node:worker_threads";
import { describe, ProcessError, ProcessStateError, TimeoutError } from "./errors";
import { track, untrack, liveChildren, endChildren } from "./children";
import { targetSource } from "./target";
import { host } from "./host";
import { timeoutOption } from "./options";
import { threadEnded } from "./owner-watch";
import type { WorkerReport, WorkerStart } from "./protocol";
import { encode } from "./transfer";
import { startWorker } from "./worker-start";

/** What a new {@link Process} runs, as Python's `Process(target=..., args=(...))`. */
export interface ProcessOptions<A extends unknown[]> {
  /**
   * The function the worker runs. It is rebuilt in the worker from its source text, so it may use
   * only its arguments, JavaScript's globals, `mp` (this library) and `require()`. It may be async.
   */
  readonly target: (...args: A) => unknown;
  /** Its arguments: shared objects (`Value`, `Array`, `Lock`, ...) by memory, the rest copied. */
  readonly args?: A;
  /** A name for messages; default `"Process-1"`, `"Process-2"`, ... as in Python. */
  readonly name?: string;
}

/** Options of {@link Process.join}. */
export interface JoinOptions {
  /** Give up after this many seconds with a {@link TimeoutError}. Left out: wait until it ends. */
  readonly timeout?: number;
}

/** Python's exit code for a process ended by `terminate()` (minus SIGTERM). */
const TERMINATED = -15;
/** Python's exit code for a process ended by `kill()` (minus SIGKILL). */
const KILLED = -9;

const WORKER_MAIN = join(__dirname, "worker-main.js");

let created = 0;

/**
 * A function running in its own worker thread, with its own memory, like Python's
 * `multiprocessing.Process`. Everything it prints appears in the cell that awaits its `join()`.
 *
 * @example
 * ```ts
 * const p = new mp.Process({ target: makeSquaredList, args: [[5, 6, 7, 8]] });
 * p.start();
 * await p.join();
 * ```
 */
export class Process<A extends unknown[] = unknown[]> {
  /** The process's name, as in Python: `"Process-1"` unless given. */
  readonly name: string;
  private readonly source: string;
  private readonly args: A;
  private worker: Worker | null = null;
  private threadId: number | null = null;
  private ended: Promise<void> | null = null;
  private failure: ProcessError | null = null;
  private code: number | null = null;
  /** Whether its target returned (the worker said "done"), as opposed to throwing or being ended. */
  private returned = false;
  private joiners = 0;
  /** The exit code `terminate()` or `kill()` asked for, once one of them was called. */
  private endedBy: number | null = null;

  /**
   * Prepares the process; nothing runs until {@link Process.start}.
   *
   * @param options - `target`, `args`, `name`.
   * @throws TypeError if `target` cannot run in a worker (the message says why) or `args` is not an array.
   */
  constructor(options: ProcessOptions<A>) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`Process(): pass an object such as { target: work, args: [1, 2] }, not ${describe(options)}.`);
    }
    const { target, args = [] as unknown as A, name } = options;
    if (!globalThis.Array.isArray(args)) {
      throw new TypeError(`Process(): args must be an array of arguments for target, such as [balance, lock], not ${describe(args)}.`);
    }
    if (name !== undefined && (typeof name !== "string" || name === "")) {
      throw new TypeError(`Process(): name must be a non-empty string, not ${describe(name)}.`);
    }
    this.source = targetSource(target, "Process()");
    this.args = args;
    this.name = name ?? `Process-${++created}`;
  }

  /**
   * Starts the worker, like Python's `start()`. The arguments are sent now: shared objects by
   * memory, everything else as a copy taken at this moment.
   *
   * @throws Error if it was started before.
   * @throws TypeError if an argument cannot be sent to a worker (a function, for instance).
   */
  start(): void {
    if (this.worker !== null) {
      throw new ProcessStateError(`${this.name} was already started; a Process can only be started once (as in Python). Make a new Process to run it again.`);
    }
    const args = encode(this.args, "args") as unknown[];
    if (!existsSync(WORKER_MAIN)) {
      throw new ProcessStateError(`The worker's code ${WORKER_MAIN} is missing: build the library first (npm run build).`);
    }
    const data: WorkerStart = { name: this.name, source: this.source, args, host: host().name, names: processNamesTable() };
    let worker: Worker;
    try {
      worker = startWorker(WORKER_MAIN, data);
    } catch (error) {
      throw new TypeError(`${this.name}.start(): its args could not be sent to a worker: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.worker = worker;
    this.threadId = worker.threadId;
    track(this);
    // Print through whatever process.stdout is when the output arrives: the kernel swaps it per cell.
    worker.stdout.on("data", (chunk: Buffer) => process.stdout.write(chunk));
    worker.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk));
    recordProcessName(worker.threadId, this.name);
    worker.on("message", (report: WorkerReport) => {
      if (report.kind === "error") this.failure = new ProcessError(this.name, report, 1);
      else this.returned = true;
    });
    worker.on("error", (error: Error) => {
      this.failure ??= new ProcessError(this.name, error, 1);
    });
    const streamEnd = (stream: NodeJS.ReadableStream) => new Promise<void>((resolve) => stream.once("end", resolve));
    const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
    const threadId = worker.threadId;
    this.ended = Promise.all([exited, streamEnd(worker.stdout), streamEnd(worker.stderr)]).then(([code]) => {
      this.code = this.endedBy ?? code;
      untrack(this);
      threadEnded(threadId, this.endedBy !== null || !this.returned);
      if (this.failure !== null && this.joiners === 0) {
        process.stderr.write(`${this.name} failed, and nobody was waiting in join() to hear it:\n${this.failure.stack}\n`);
      }
    });
  }

  /**
   * Waits until the process ends, like Python's `join()`: `await p.join()`. Its output has all been
   * printed by then.
   *
   * @param options - `timeout` in seconds.
   * @throws ProcessError if target threw: the worker's message and stack.
   * @throws TimeoutError if the timeout ran out first (the process goes on running).
   * @throws Error if the process was never started.
   */
  async join(options: JoinOptions = {}): Promise<void> {
    const ended = this.ended;
    if (ended === null) throw new ProcessStateError(`join() was called before start(): start ${this.name} first (as in Python).`);
    const ms = timeoutOption(options, `${this.name}.join()`);
    this.joiners++;
    try {
      if (ms === Infinity) {
        await ended;
      } else {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
        const late = await Promise.race([ended, timedOut]);
        clearTimeout(timer);
        if (late === true && this.code === null) {
          throw new TimeoutError(
            `${this.name}.join()`,
            options.timeout as number,
            `It is still running: await ${this.name}.terminate() to end it, or join() again to keep waiting.`,
          );
        }
      }
    } finally {
      this.joiners--;
    }
    if (this.failure !== null) throw this.failure;
  }

  /** True from `start()` until the worker has ended, like Python's `is_alive()`. */
  isAlive(): boolean {
    return this.worker !== null && this.code === null;
  }

  /**
   * How it ended, like Python's `exitcode`: `null` while running (or not started), 0 when target
   * returned (or what it set as `process.exitCode`), 1 when it threw, -15 when it was ended by
   * `terminate()`, -9 by `kill()`.
   */
  get exitCode(): number | null {
    return this.code;
  }

  /** The worker's `threadId` (Python's `pid`), or `null` before `start()`. */
  get pid(): number | null {
    return this.threadId;
  }

  /**
   * Ends the worker at once, wherever it is, like Python's `terminate()`: `await p.terminate()`.
   * A lock it held is marked abandoned, so nobody waits for it forever.
   *
   * @throws Error if it was never started.
   */
  async terminate(): Promise<void> {
    await this.end(TERMINATED, "terminate()");
  }

  /**
   * Like {@link Process.terminate}, as Python's `kill()` (SIGKILL where `terminate()` sends SIGTERM):
   * a worker has no signal handlers, so both end it at once; `exitCode` says -9 instead of -15.
   * A lock it held is marked abandoned, as after `terminate()`.
   *
   * @throws Error if it was never started.
   */
  async kill(): Promise<void> {
    await this.end(KILLED, "kill()");
  }

  /** Ends the worker if it still runs, recording `code` as its exit code. */
  private async end(code: number, call: string): Promise<void> {
    if (this.worker === null || this.ended === null) {
      throw new ProcessStateError(`${call} was called before start(): ${this.name} is not running.`);
    }
    if (this.code === null) {
      this.endedBy ??= code;
      await this.worker.terminate();
    }
    await this.ended;
  }

  /** Like Python's repr: `<Process name='Process-1' pid=3 stopped exitcode=0>`. */
  toString(): string {
    const state = this.worker === null ? "initial" : this.code === null ? "started" : `stopped exitcode=${this.code}`;
    return `<Process name='${this.name}'${this.pid === null ? "" : ` pid=${this.pid}`} ${state}>`;
  }

  /** What `console.log` and a cell's last expression show. */
  [inspect.custom](): string {
    return this.toString();
  }
}

/** The processes started from this thread that have not ended yet, like Python's `active_children()`. */
export function activeChildren(): Process[] {
  return liveChildren().filter((c): c is Process => c instanceof Process);
}

/**
 * Ends every process started from this thread that is still running, and every pool's workers —
 * for a cell that was interrupted, or left workers behind. Locks they held are marked abandoned.
 *
 * @returns how many processes and pools it ended (a pool counts once).
 */
export async function terminateAll(): Promise<number> {
  return endChildren();
}
