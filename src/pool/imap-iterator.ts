/**
 * `IMapIterator`: what `imap` and `imapUnordered` return, like Python's `IMapIterator`: an async
 * iterable of the calls' values — in input order for `imap`, as they finish for `imapUnordered` —
 * each available as soon as its chunk is done. A failed chunk is one error, thrown where it falls;
 * `next()` after it goes on with the rest, as in Python.
 *
 * @packageDocumentation
 */
import { TimeoutError } from "../errors";
import { timeoutOption } from "../options";
import type { Outcome } from "./async-result";
import type { JobSink } from "./job";

/** Options of {@link IMapIterator.next}. */
export interface NextOptions {
  /** Give up after this many seconds with a `TimeoutError`, as Python's `next(timeout)`. */
  readonly timeout?: number;
}

interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: Error): void;
}

/**
 * The values of an `imap` or `imapUnordered`, as they come: `for await (const x of pool.imap(f, items))`.
 * Leaving the loop early (`break`) stops the pool from reading more of the input.
 */
export class IMapIterator<T> implements JobSink, AsyncIterableIterator<T> {
  /** Called when the reader goes away (`return()`), so the job reads no more input. */
  onStop: () => void = () => undefined;
  private readonly ready: Outcome<T>[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private readonly chunks = new Map<number, Outcome<unknown[]>>();
  private nextChunk = 0;
  private total: number | null = null;
  private closed = false;

  /**
   * Made by the pool, not by hand.
   *
   * @param ordered - `true` for `imap` (input order), `false` for `imapUnordered` (finishing order).
   * @param what - how messages name the call, such as `"Pool-1.imap(square)"`.
   */
  constructor(
    private readonly ordered: boolean,
    private readonly what: string,
  ) {}

  /** This iterator itself, so that `for await` works on it. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * The next value, like Python's `next(it, timeout)`: `{ done: true }` once every value has come.
   *
   * @param options - `timeout` in seconds.
   * @throws TaskError (or `MaybeEncodingError`) where a chunk failed; the error the input threw
   *   where reading it failed; `PoolStateError` if the pool was terminated first.
   * @throws TimeoutError if the timeout ran out first (the calls go on; call `next()` again).
   */
  next(options?: NextOptions): Promise<IteratorResult<T, undefined>> {
    let ms: number;
    try {
      ms = timeoutOption(options, `${this.what}.next()`);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const now = this.take();
    if (now !== null) return now;
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject };
      this.waiters.push(waiter);
      if (ms === Infinity) return;
      const timer = setTimeout(() => {
        const at = this.waiters.indexOf(waiter);
        if (at < 0) return;
        this.waiters.splice(at, 1);
        reject(new TimeoutError(`${this.what}.next()`, options?.timeout as number, "The calls go on running: call next() again to keep waiting."));
      }, ms);
      const settle = { resolve: waiter.resolve, reject: waiter.reject };
      waiter.resolve = (result) => (clearTimeout(timer), settle.resolve(result));
      waiter.reject = (error) => (clearTimeout(timer), settle.reject(error));
    });
  }

  /** Stops reading: the pool reads no more of the input (what `break` in a `for await` calls). */
  async return(): Promise<IteratorResult<T, undefined>> {
    if (!this.closed) {
      this.closed = true;
      this.onStop();
    }
    this.ready.length = 0;
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ done: true, value: undefined });
    return { done: true, value: undefined };
  }

  /** Queues a chunk's values. */
  chunkDone(index: number, values: unknown[]): void {
    this.arrive(index, { ok: true, value: values });
  }

  /** Queues a chunk's error, where the chunk falls. */
  chunkFailed(index: number, error: Error): void {
    this.arrive(index, { ok: false, error });
  }

  /** Learns how many chunks there are. */
  inputEnded(chunks: number): void {
    this.total = chunks;
    this.serve();
  }

  /** Ends the iteration with the pool's error (after what has already come). */
  abort(error: Error): void {
    if (this.finished()) return;
    this.ready.push({ ok: false, error });
    this.total = 0;
    this.chunks.clear();
    this.nextChunk = 0;
    this.serve();
  }

  private arrive(index: number, outcome: Outcome<unknown[]>): void {
    if (this.closed) return;
    if (this.ordered) {
      this.chunks.set(index, outcome);
      for (let next = this.chunks.get(this.nextChunk); next !== undefined; next = this.chunks.get(this.nextChunk)) {
        this.chunks.delete(this.nextChunk++);
        this.queue(next);
      }
    } else {
      this.nextChunk++;
      this.queue(outcome);
    }
    this.serve();
  }

  private queue(outcome: Outcome<unknown[]>): void {
    if (outcome.ok) for (const value of outcome.value) this.ready.push({ ok: true, value: value as T });
    else this.ready.push(outcome);
  }

  /** Whether every chunk has been queued. */
  private finished(): boolean {
    return this.total !== null && this.nextChunk >= this.total;
  }

  private serve(): void {
    while (this.waiters.length > 0) {
      const now = this.take();
      if (now === null) return;
      const waiter = this.waiters.shift() as Waiter<T>;
      now.then(waiter.resolve, waiter.reject);
    }
  }

  /** The next answer if one is known now, else `null`. */
  private take(): Promise<IteratorResult<T, undefined>> | null {
    const first = this.ready.shift();
    if (first !== undefined) return first.ok ? Promise.resolve({ done: false, value: first.value }) : Promise.reject(first.error);
    if (this.closed || this.finished()) return Promise.resolve({ done: true, value: undefined });
    return null;
  }
}
