/**
 * `AsyncResult`: the answer of `applyAsync`, `mapAsync` and `starmapAsync`, like Python's
 * `multiprocessing.pool.AsyncResult`, with `get({ timeout })`, `wait`, `ready` and `successful`.
 *
 * @packageDocumentation
 */
import { PoolStateError, TimeoutError } from "../errors";
import { timeoutOption } from "../options";

/** How a task ended: its value, or the error it failed with. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error };

/** Options of {@link AsyncResult.get} and {@link AsyncResult.wait}. */
export interface ResultWaitOptions {
  /** Give up after this many seconds. Left out: wait until the result is ready. */
  readonly timeout?: number;
}

/**
 * The result of a task given to a `Pool` without waiting for it, like Python's `AsyncResult`.
 * Its methods never block the notebook's thread: `get` and `wait` return promises.
 *
 * @example
 * ```ts
 * const r = pool.applyAsync(square, [7]);
 * console.log(r.ready());                 // false: it is still running
 * console.log(await r.get({ timeout: 5 })); // 49
 * ```
 */
export class AsyncResult<T> {
  private outcome: Outcome<T> | null = null;
  private readonly settled: Promise<Outcome<T>>;

  /**
   * Made by the pool, not by hand.
   *
   * @param settled - resolves (never rejects) once the task has ended.
   * @param what - how messages name the call, such as `"Pool-1.applyAsync(square)"`.
   */
  constructor(
    settled: Promise<Outcome<T>>,
    private readonly what: string,
  ) {
    this.settled = settled.then((outcome) => (this.outcome = outcome));
  }

  /** Whether the task has ended (returned or failed), like Python's `ready()`. */
  ready(): boolean {
    return this.outcome !== null;
  }

  /**
   * Whether the task ended without an error, like Python's `successful()`.
   *
   * @throws PoolStateError if it has not ended yet (Python raises `ValueError`): check `ready()` or
   *   `await wait()` first.
   */
  successful(): boolean {
    if (this.outcome === null) {
      throw new PoolStateError(`${this.what} is not ready yet, so it has neither succeeded nor failed: await wait() or get() first, or check ready().`);
    }
    return this.outcome.ok;
  }

  /**
   * Waits until the task has ended, like Python's `wait(timeout)`: resolves when it has, or when
   * the timeout runs out (without an error; check `ready()`).
   *
   * @param options - `timeout` in seconds.
   */
  async wait(options: ResultWaitOptions = {}): Promise<void> {
    await this.within(timeoutOption(options, `${this.what}.wait()`));
  }

  /**
   * The task's value, once it has ended, like Python's `get(timeout)`: `await r.get()`.
   *
   * @param options - `timeout` in seconds.
   * @throws TaskError if the function threw in its worker (its message and stack are the worker's).
   * @throws MaybeEncodingError if its value could not be sent back from the worker.
   * @throws PoolStateError if the pool was terminated before the task ended.
   * @throws TimeoutError if the timeout ran out first (the task goes on; `get()` again to keep waiting).
   */
  async get(options: ResultWaitOptions = {}): Promise<T> {
    const outcome = await this.within(timeoutOption(options, `${this.what}.get()`));
    if (outcome === null) {
      throw new TimeoutError(`${this.what}.get()`, options.timeout as number, "The task goes on running: call get() again to keep waiting.");
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** The outcome, or `null` if `ms` milliseconds pass first. */
  private async within(ms: number): Promise<Outcome<T> | null> {
    if (this.outcome !== null || ms === Infinity) return this.settled;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
    try {
      return await Promise.race([this.settled, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
