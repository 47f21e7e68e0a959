/**
 * `Pool`: a fixed set of worker threads that run a function over many inputs, like Python's
 * `multiprocessing.Pool`. Workers are started once, with the pool, and reused for every task; the
 * function travels as source text, exactly like a Process's target. Tasks and results go by
 * `postMessage` (each task a chunk of calls; a worker runs one and has about a millisecond of work
 * waiting, see pool-worker-slot.ts), and every call returns a promise or an async iterable:
 * nothing here blocks the notebook's thread.
 *
 * The plumbing follows piscina's: a queue of pending work in the parent, an idle worker takes the
 * next chunk, a worker that ends is replaced, and every way a task can fail ends in a clear error
 * on the call that gave it.
 *
 * @packageDocumentation
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { track, untrack } from "../children";
import { describe, MaybeEncodingError, PoolStateError, ProcessStateError, TaskError } from "../errors";
import { host } from "../host";
import { threadEnded } from "../owner-watch";
import { targetSource } from "../target";
import type { AsyncResult } from "./async-result";
import { Collector } from "./collector";
import { IMapIterator } from "./imap-iterator";
import { Job, type CallShape, type Chunk, type JobNaming, type JobSink } from "./job";
import { chunksizeOf, poolSettings, type MapOptions, type PoolOptions, type PoolSettings } from "./pool-options";
import { MOST_AHEAD, PoolWorkerSlot } from "./pool-worker-slot";
import type { PoolAnswer } from "./protocol";

const POOL_WORKER = join(__dirname, "pool-worker.js");

let created = 0;

/** Python's names for a pool's states, as its repr shows them. */
type State = "RUN" | "CLOSE" | "TERMINATE";

/**
 * A pool of worker threads, like Python's `multiprocessing.Pool`: `map`, `imap`, `imapUnordered`,
 * `starmap`, `apply` and their `…Async` twins, then `close()` (or `terminate()`) and `join()`.
 * A task that throws rejects its call with the worker's own message and stack, and the pool goes on
 * with as many workers as before.
 *
 * @example
 * ```ts
 * function square(x: number) { return x * x; }
 * const pool = new mp.Pool(2);
 * console.log(await pool.map(square, [1, 2, 3])); // [ 1, 4, 9 ]
 * pool.close();
 * await pool.join();
 * ```
 */
export class Pool {
  /** The pool's name for messages: `"Pool-1"`, `"Pool-2"`, ... */
  readonly name: string;
  private readonly settings: PoolSettings;
  private state: State = "RUN";
  /** Every worker that has not ended yet, including those the pool is ending. */
  private readonly slots = new Set<PoolWorkerSlot>();
  /** Jobs with input left to hand out, oldest first. */
  private readonly pending: Job[] = [];
  /** Chunks sent to a worker that ended before it started them: handed out again first. */
  private readonly resend: Array<[Job, Chunk]> = [];
  private readonly functionIds = new Map<string, number>();
  private readonly sources: string[] = [];
  private tasks = 0;
  private resolveEnded: () => void = () => undefined;
  private readonly allEnded = new Promise<void>((resolve) => (this.resolveEnded = resolve));

  /**
   * Starts the workers, like Python's `Pool(processes, initializer, initargs, maxtasksperchild)`:
   * `new mp.Pool(2)`, `new mp.Pool(2, { maxtasksperchild: 10 })`, `new mp.Pool({ processes: 2 })`
   * or `new mp.Pool(2, { initializer: setup, initargs: [lock] })`.
   *
   * @param processes - how many workers (default: one per core), or the options.
   * @param options - `maxtasksperchild`, `initializer`, `initargs`.
   * @throws RangeError if `processes` is less than 1 or `maxtasksperchild` less than 1 (Python's
   *   `ValueError`); TypeError if either is not a whole number, or for an initializer that cannot
   *   run in a worker or `initargs` that are not an array.
   */
  constructor(processes?: number | PoolOptions, options?: PoolOptions) {
    this.settings = poolSettings(processes, options);
    if (!existsSync(POOL_WORKER)) {
      throw new ProcessStateError(`The pool's worker code ${POOL_WORKER} is missing: build the library first (npm run build).`);
    }
    this.name = `Pool-${++created}`;
    this.refill();
    track(this);
  }

  /** How many workers the pool keeps, as given to the constructor. */
  get processes(): number {
    return this.settings.processes;
  }

  /**
   * The `threadId`s of the pool's workers now (Python's `[w.pid for w in pool._pool]`): they change
   * as `maxtasksperchild` replaces workers, or when one dies and the pool starts another.
   */
  get pids(): number[] {
    return this.active().map((slot) => slot.threadId);
  }

  /**
   * Runs `fn(...args)` in a worker and resolves to its value, like Python's `apply`.
   *
   * @throws TaskError if `fn` threw (the worker's message and stack); PoolStateError after `close()` or `terminate()`.
   */
  async apply<A extends unknown[], R>(fn: (...args: A) => R, args?: A): Promise<Awaited<R>> {
    return this.one("apply", fn, args).get();
  }

  /**
   * Starts `fn(...args)` in a worker and returns its {@link AsyncResult} at once, like Python's `apply_async`.
   *
   * @throws PoolStateError after `close()` or `terminate()`; TypeError if `fn` cannot run in a worker
   *   or `args` is not an array.
   */
  applyAsync<A extends unknown[], R>(fn: (...args: A) => R, args?: A): AsyncResult<Awaited<R>> {
    return this.one("applyAsync", fn, args);
  }

  private one<A extends unknown[], R>(call: string, fn: (...args: A) => R, args: A = [] as unknown as A): AsyncResult<Awaited<R>> {
    const where = `${this.name}.${call}()`;
    this.checkRunning(where);
    if (!globalThis.Array.isArray(args)) throw new TypeError(`${where}: args must be an array of arguments for the function, such as [7], not ${describe(args)}.`);
    const label = functionLabel(fn);
    const collector = new Collector<Awaited<R>>(`${this.name}.${call}(${label || "…"})`, (values) => values[0] as Awaited<R>);
    this.submit(fn, where, [args][Symbol.iterator](), "args", 1, collector, { item: () => `${where}: args`, call: () => (label === "" ? "the call" : `${label}(...args)`) });
    return collector.result;
  }

  /**
   * Calls `fn` on every item in workers and resolves to the values in input order, like Python's `map`.
   *
   * @param options - `chunksize`: how many items go to a worker at a time (default: about four chunks per worker).
   * @throws TaskError if a call threw (the first error, with the worker's message and stack);
   *   MaybeEncodingError if a value could not be sent back; PoolStateError after `close()` or `terminate()`.
   */
  async map<T, R>(fn: (item: T) => R, items: Iterable<T>, options?: MapOptions): Promise<Awaited<R>[]> {
    return this.gather("map", fn as (...args: unknown[]) => R, items, options, "item").get();
  }

  /**
   * Like {@link Pool.map}, returning an {@link AsyncResult} at once, like Python's `map_async`.
   *
   * @throws PoolStateError after `close()` or `terminate()`; TypeError or RangeError for a bad
   *   function, items or chunksize.
   */
  mapAsync<T, R>(fn: (item: T) => R, items: Iterable<T>, options?: MapOptions): AsyncResult<Awaited<R>[]> {
    return this.gather("mapAsync", fn as (...args: unknown[]) => R, items, options, "item");
  }

  /**
   * Like {@link Pool.map} for a function of several arguments: each item is an array of them, like
   * Python's `starmap` (`starmap(mul, [[1, 2], [3, 4]])` is `[mul(1, 2), mul(3, 4)]`).
   */
  async starmap<A extends unknown[], R>(fn: (...args: A) => R, items: Iterable<A>, options?: MapOptions): Promise<Awaited<R>[]> {
    return this.gather("starmap", fn as (...args: unknown[]) => R, items, options, "args").get();
  }

  /** Like {@link Pool.starmap}, returning an {@link AsyncResult} at once, like Python's `starmap_async`. */
  starmapAsync<A extends unknown[], R>(fn: (...args: A) => R, items: Iterable<A>, options?: MapOptions): AsyncResult<Awaited<R>[]> {
    return this.gather("starmapAsync", fn as (...args: unknown[]) => R, items, options, "args");
  }

  /**
   * The values of `fn` on every item, in input order, each as soon as it (and those before it) are
   * done, like Python's `imap`: `for await (const v of pool.imap(fn, items)) …`. The items are read
   * as workers become free (not as the values are taken, so the workers run ahead of a slow loop, as
   * in Python), so an endless generator works; `break` stops the reading.
   *
   * @param options - `chunksize` (default 1).
   * @throws PoolStateError after `close()` or `terminate()`; TypeError for a bad function or items.
   */
  imap<T, R>(fn: (item: T) => R, items: Iterable<T>, options?: MapOptions): IMapIterator<Awaited<R>> {
    return this.iterate("imap", fn, items, options, true);
  }

  /** Like {@link Pool.imap}, but each value comes as soon as it is done, in any order, like Python's `imap_unordered`. */
  imapUnordered<T, R>(fn: (item: T) => R, items: Iterable<T>, options?: MapOptions): IMapIterator<Awaited<R>> {
    return this.iterate("imapUnordered", fn, items, options, false);
  }

  /**
   * Takes no more tasks, like Python's `close()`: the workers finish what was given and then end.
   * `await pool.join()` to wait for that.
   */
  close(): void {
    if (this.state !== "RUN") return;
    this.state = "CLOSE";
    this.dispatch();
  }

  /**
   * Ends the workers now, wherever they are, like Python's `terminate()`: `await pool.terminate()`.
   * Every task not finished yet rejects with a {@link PoolStateError}; locks the workers held are
   * marked abandoned. An interrupt in a notebook cell does this to every pool.
   */
  async terminate(): Promise<void> {
    if (this.state !== "TERMINATE") {
      this.state = "TERMINATE";
      const error = new PoolStateError(`${this.name} was terminated (by terminate(), or an interrupt) before this task finished, so it has no result.`);
      const jobs = new Set<Job>(this.pending.splice(0));
      for (const [job] of this.resend.splice(0)) jobs.add(job);
      for (const slot of this.slots) for (const { job } of slot.queued) jobs.add(job);
      for (const job of jobs) {
        job.cancel();
        job.sink.abort(error);
      }
      for (const slot of this.slots) void slot.end();
      this.checkEnded();
    }
    await this.allEnded;
  }

  /**
   * Waits until every worker has ended, like Python's `join()`: after `close()` (once the tasks
   * given are done) or `terminate()`.
   *
   * @throws PoolStateError if the pool is still running (call `close()` or `terminate()` first, as in Python).
   */
  async join(): Promise<void> {
    if (this.state === "RUN") {
      throw new PoolStateError(`${this.name}.join() was called while the pool is still running: call close() (to let its tasks finish) or terminate() first, as in Python.`);
    }
    await this.allEnded;
  }

  /** Like Python's repr: `<Pool name='Pool-1' state=RUN pool_size=2>`. */
  toString(): string {
    return `<Pool name='${this.name}' state=${this.state} pool_size=${this.settings.processes}>`;
  }

  /** What `console.log` and a cell's last expression show. */
  [inspect.custom](): string {
    return this.toString();
  }

  private gather<R>(call: string, fn: (...args: unknown[]) => R, items: Iterable<unknown>, options: MapOptions | undefined, shape: CallShape): AsyncResult<Awaited<R>[]> {
    const where = `${this.name}.${call}()`;
    this.checkRunning(where);
    const label = functionLabel(fn);
    const list = [...iterableOf(items, where)];
    const chunksize = chunksizeOf(options, where, list.length, this.settings.processes);
    const collector = new Collector<Awaited<R>[]>(`${this.name}.${call}(${label || "…"})`, (values) => values as Awaited<R>[]);
    this.submit(fn, where, list[Symbol.iterator](), shape, chunksize, collector, naming(where, label, shape));
    return collector.result;
  }

  private iterate<T, R>(call: string, fn: (item: T) => R, items: Iterable<T>, options: MapOptions | undefined, ordered: boolean): IMapIterator<Awaited<R>> {
    const where = `${this.name}.${call}()`;
    this.checkRunning(where);
    const label = functionLabel(fn);
    const input = iterableOf(items, where)[Symbol.iterator]();
    const chunksize = chunksizeOf(options, where, null, this.settings.processes);
    const iterator = new IMapIterator<Awaited<R>>(ordered, `${this.name}.${call}(${label || "…"})`);
    this.submit(fn as (...args: unknown[]) => R, where, input, "item", chunksize, iterator, naming(where, label, "item"));
    return iterator;
  }

  /** Checks `fn`, makes the job and queues it. */
  private submit(fn: (...args: never[]) => unknown, where: string, input: Iterator<unknown>, shape: CallShape, chunksize: number, sink: JobSink, names: JobNaming): void {
    const source = targetSource(fn, where, "function");
    let id = this.functionIds.get(source);
    if (id === undefined) {
      id = this.sources.push(source) - 1;
      this.functionIds.set(source, id);
    }
    const job = new Job(id, functionLabel(fn), input, shape, chunksize, sink, names);
    sink.onStop = () => job.cancel();
    this.pending.push(job);
    this.dispatch();
  }

  private checkRunning(where: string): void {
    if (this.state === "RUN") return;
    const how = this.state === "CLOSE" ? "closed" : "terminated";
    throw new PoolStateError(`${where}: ${this.name} is ${how} and takes no new tasks (Python: "Pool not running"). Make a new Pool for more work.`);
  }

  /** The workers the pool is not ending. */
  private active(): PoolWorkerSlot[] {
    return [...this.slots].filter((slot) => !slot.endedByPool);
  }

  /** Starts workers until the pool has its size again, while it runs (or, once closed, has work left). */
  private refill(): void {
    if (this.state === "TERMINATE" || (this.state === "CLOSE" && !this.hasWork())) return;
    for (let n = this.active().length; n < this.settings.processes; n++) {
      const slot = new PoolWorkerSlot(POOL_WORKER, { name: this.name, host: host().name, initializer: this.settings.initializer });
      this.slots.add(slot);
      this.watch(slot);
    }
  }

  private watch(slot: PoolWorkerSlot): void {
    let failure: Error | null = null;
    slot.worker.on("message", (answer: PoolAnswer) => this.answered(slot, answer));
    slot.worker.on("error", (error: Error) => (failure ??= error));
    void slot.ended.then((code) => {
      this.slots.delete(slot);
      const [running = null, ...waiting] = slot.queued.splice(0);
      threadEnded(slot.threadId, running !== null || !slot.endedByPool);
      // The tasks waiting behind the one it ran never started: another worker takes them.
      if (this.state !== "TERMINATE") for (const { job, chunk } of waiting) this.resend.push([job, chunk]);
      if (running !== null && this.state !== "TERMINATE") {
        const remote = failure ?? {
          name: "Error",
          message: `its worker (thread ${slot.threadId}) ended with exit code ${code} while running it, so it has no result; the pool started a fresh worker in its place`,
        };
        const call = running.job.naming.call(running.chunk.first);
        running.job.sink.chunkFailed(running.chunk.index, new TaskError(this.name, call, remote));
      }
      this.refill();
      this.dispatch();
    });
  }

  private answered(slot: PoolWorkerSlot, answer: PoolAnswer): void {
    const running = slot.running;
    if (running === null || running.task !== answer.task) return;
    slot.answered();
    const { job, chunk } = running;
    if (answer.kind === "result") {
      job.sink.chunkDone(chunk.index, answer.values);
    } else if (answer.kind === "error") {
      job.sink.chunkFailed(chunk.index, new TaskError(this.name, job.naming.call(chunk.first + answer.call), answer.error));
    } else if (answer.kind === "initializer") {
      const init = this.settings.initializer;
      const name = init === null || init.label === "" ? "initializer" : `initializer ${init.label}`;
      job.sink.chunkFailed(
        chunk.index,
        new TaskError(this.name, `the pool's ${name}, so ${job.naming.call(chunk.first)} could not run,`, {
          ...answer.error,
          message: `${answer.error.message}. No task can run in this pool: fix the initializer and make a new Pool`,
        }),
      );
    } else {
      const calls = chunk.calls.length === 1 ? job.naming.call(chunk.first) : `${job.naming.call(chunk.first)} and the ${chunk.calls.length - 1} calls after it`;
      job.sink.chunkFailed(
        chunk.index,
        new MaybeEncodingError(
          `${this.name}: the value returned by ${calls} could not be sent back from its worker: ${answer.message} ` +
            `A value returns to the notebook as a copy (structured clone): return plain data (numbers, strings, arrays, plain objects, Maps), not functions or objects that hold them.`,
        ),
      );
    }
    if (slot.tasksDone >= this.settings.maxtasksperchild && slot.running === null) void slot.end();
    this.refill();
    this.dispatch();
  }

  /**
   * Hands chunks to workers with room for more (see `PoolWorkerSlot.ahead`, and no more than their
   * `maxtasksperchild`), a task to each in turn, so that the work is spread; once closed, ends the
   * idle workers when no work is left.
   */
  private dispatch(): void {
    const slots = this.state === "TERMINATE" ? [] : this.active();
    for (let ahead = 1; ahead <= MOST_AHEAD && this.hasWork(); ahead++) {
      for (const slot of slots) if (ahead <= slot.ahead()) this.fill(slot, ahead);
    }
    if (this.state === "CLOSE" && !this.hasWork()) {
      for (const slot of this.active()) if (slot.running === null) void slot.end();
    }
    this.checkEnded();
  }

  /** Sends `slot` chunks until it has `ahead` tasks (or its `maxtasksperchild`), while there is work. */
  private fill(slot: PoolWorkerSlot, ahead: number): void {
    while (slot.queued.length < ahead && slot.tasksSent < this.settings.maxtasksperchild) {
      const next = this.nextChunk();
      if (next === null) return;
      const [job, chunk] = next;
      try {
        slot.send({ task: this.tasks++, job, chunk }, this.sources[job.fn]);
      } catch (error) {
        job.sink.chunkFailed(chunk.index, new TypeError(`${job.naming.item(chunk.first)} could not be sent to a worker: ${(error as Error).message}`, { cause: error }));
      }
    }
  }

  /** Whether any chunk is left to hand out. */
  private hasWork(): boolean {
    return this.resend.length > 0 || this.pending.length > 0;
  }

  private nextChunk(): [Job, Chunk] | null {
    const again = this.resend.shift();
    if (again !== undefined) return again;
    while (this.pending.length > 0) {
      const job = this.pending[0];
      const chunk = job.next();
      if (chunk !== null) return [job, chunk];
      this.pending.shift();
    }
    return null;
  }

  private checkEnded(): void {
    if (this.state === "RUN" || this.slots.size > 0) return;
    untrack(this);
    this.resolveEnded();
  }
}

/** The function as messages name it: its name, or `""` for an anonymous one. */
function functionLabel(fn: unknown): string {
  return typeof fn === "function" ? fn.name : "";
}

function iterableOf<T>(items: Iterable<T>, where: string): Iterable<T> {
  if (items === null || typeof items !== "object" || typeof (items as Partial<Iterable<T>>)[Symbol.iterator] !== "function") {
    if (typeof items !== "string") throw new TypeError(`${where}: items must be an iterable, such as an array, not ${describe(items)}.`);
  }
  return items;
}

function naming(where: string, label: string, shape: CallShape): JobNaming {
  return {
    item: (i) => `${where}: items[${i}]`,
    call: (i) => (label === "" ? `the call on items[${i}]` : shape === "item" ? `${label}(items[${i}])` : `${label}(...items[${i}])`),
  };
}
