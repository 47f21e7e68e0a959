/**
 * `Queue`: Python's `multiprocessing.Queue` — a first-in, first-out queue of copies of values,
 * shared by workers, bounded by `maxsize` items (and by its ring's bytes). The items live in
 * shared memory (channel.ts), not in `postMessage` messages.
 *
 * @packageDocumentation
 */
import { checkCount } from "../options";
import { blockOptions, DONT_WAIT, type BlockOptions } from "./block-options";
import { Channel, EMPTY, EOF, freshCells, freshLocks, isChannelLocks, rebuiltParts, type ChannelLocks, type GetResult, type PutResult, type RingOptions } from "./channel";
import { outgoing } from "./codec";
import { ClosedError, Empty, Full } from "./errors";
import type { Lock } from "../lock";
import type { QueueKind } from "../transfer";

/** The kind a queue class makes (its `kind` getter, read off its prototype). */
function kindOf(made: unknown): QueueKind {
  return (made as { prototype: { kind: QueueKind } }).prototype.kind;
}

/** Options of {@link Queue.putAsync} and {@link Queue.getAsync}. */
export interface AsyncQueueOptions {
  /** Give up after this many seconds (`Full`/`Empty`). Left out: wait as long as it takes. */
  readonly timeout?: number | null;
}

/**
 * A queue shared by workers, like Python's `multiprocessing.Queue(maxsize)`: `put` copies a value
 * in (any value `postMessage` could send: numbers, strings, arrays, plain objects, Map, Date...),
 * `get` takes the oldest out, in the order they were put. Pass it to a {@link Process} in `args`;
 * the worker gets a `Queue` over the same memory.
 *
 * In a worker, `put` waits while the queue is full and `get` while it is empty (`{ block, timeout }`
 * as in Python). On the main thread (a notebook cell) they may not wait: use `await putAsync()` and
 * `await getAsync()`, or the `Nowait` calls.
 *
 * Differences from Python: there is no feeder thread, so `put` has copied the item into shared
 * memory when it returns (nothing is lost if the worker then ends); besides `maxsize`, the ring's
 * bytes (1 MiB unless `{ bytes }` says) bound it, so even `maxsize` 0 can be full; `close()` is for
 * this thread's handle only, as in Python, and there is no `join_thread`/`cancel_join_thread`.
 *
 * @example
 * ```ts
 * const q = new mp.Queue(10);
 * // in a worker: q.put({ id: 1, text: "hello" });
 * const item = await q.getAsync();   // in a cell
 * ```
 */
export class Queue extends Channel {
  /** Set by {@link Queue.close}: this thread's handle is closed. */
  private closedHere = false;
  /** The names of the calls made most, for their messages: made once, not at every call. */
  private readonly names = {
    put: `${this.kind}.put()`,
    putNowait: `${this.kind}.putNowait()`,
    get: `${this.kind}.get()`,
    getNowait: `${this.kind}.getNowait()`,
  };

  /**
   * Makes an empty queue in fresh shared memory.
   *
   * @param maxsize - the most items it holds; 0 (the default) or less: no limit but its bytes, as in Python.
   * @param options - `bytes`: the size of its ring (default 1 MiB); every item must fit in it.
   * @throws TypeError or RangeError for a `maxsize` or `bytes` that is not a whole number in range.
   */
  constructor(maxsize?: number, options?: RingOptions);
  /** @internal Rebuilds one over existing memory; use `fromBuffer`. */
  constructor(locks: ChannelLocks, cells: Int32Array);
  constructor(first: number | ChannelLocks = 0, second?: RingOptions | Int32Array) {
    super(...Queue.parts(new.target, first, second));
  }

  /** The locks and cells of a new queue of the class `made`, or of one being rebuilt. */
  private static parts(made: unknown, first: unknown, second: unknown): [ChannelLocks, Int32Array] {
    if (isChannelLocks(first) && second instanceof Int32Array) return [first, second];
    const kind = kindOf(made);
    const size = checkCount(first, `${kind}(): maxsize`, -0x7fffffff);
    return [freshLocks(), freshCells(kind, Math.max(0, size), second as RingOptions | undefined, `${kind}()`)];
  }

  /**
   * Rebuilds a queue over memory that another one made (its `.buffer`), with its two locks (its
   * `.readLock` and `.writeLock`, rebuilt in this thread). Queues passed in a process's `args` are
   * rebuilt for you.
   *
   * @throws TypeError if `buffer` is not a queue's memory, or the locks are not locks.
   */
  static fromBuffer<Q extends Queue>(this: new (locks: ChannelLocks, cells: Int32Array) => Q, buffer: SharedArrayBuffer, readLock: Lock, writeLock: Lock): Q {
    return new this(...rebuiltParts(buffer, readLock, writeLock, kindOf(this)));
  }

  protected get kind(): QueueKind {
    return "Queue";
  }

  /** Throws if this thread closed its handle. */
  protected checkOpen(call: string): void {
    if (this.closedHere) {
      throw new ClosedError(`${this.kind}.${call}: this ${this.kind} is closed: close() was called on it in this thread (as in Python, it cannot be used here any more; other threads' handles still work).`);
    }
  }

  private putOutcome(result: PutResult, call: string): void {
    if (result === "full") {
      throw new Full(`${this.kind}.${call}: the queue is full (${this.qsize()} items, maxsize ${this.maxsize || "none"}, ring ${this.ringBytes} bytes). Nothing was put.`);
    }
  }

  private getOutcome(result: GetResult, call: string): unknown {
    if (result === EMPTY || result === EOF) throw new Empty(`${this.kind}.${call}: the queue is empty. Nothing was taken.`);
    return result;
  }

  /**
   * Puts a copy of `item` at the end, like Python's `put(obj, block=True, timeout=None)`. With
   * `block` (the default) it waits while the queue is full, at most `timeout` seconds.
   *
   * @param item - any value structured clone can copy.
   * @param options - `block: false` to not wait; `timeout` in seconds.
   * @throws Full if there was no room (not waiting, or the timeout ran out).
   * @throws TypeError if the item cannot be copied; RangeError if it is bigger than the ring.
   * @throws BlockingCallError for a waiting put on the main thread (use {@link Queue.putAsync}).
   * @throws ClosedError after `close()` in this thread.
   */
  put(item: unknown, options?: BlockOptions): void {
    this.putAs(item, blockOptions(options, this.names.put), this.names.put, "put()");
  }

  /** Puts `item` if there is room now, else throws `Full`: `put(item, { block: false })`. */
  putNowait(item: unknown): void {
    this.putAs(item, DONT_WAIT, this.names.putNowait, "putNowait()");
  }

  /** A put, its errors naming the call the user made (`where`, `call`). */
  private putAs(item: unknown, { block, ms }: { block: boolean; ms: number }, where: string, call: string): void {
    this.checkOpen(call);
    const put = outgoing(item, where);
    this.putOutcome(this.send(put, block, ms, where, "`await q.putAsync(item)` (or `q.putNowait(item)`)"), call);
  }

  /**
   * Like {@link Queue.put}, without blocking the thread: `await q.putAsync(item)`. Works on the main thread.
   *
   * @param options - `timeout` in seconds.
   * @throws Full if the timeout ran out first.
   */
  async putAsync(item: unknown, options?: AsyncQueueOptions): Promise<void> {
    const { ms } = blockOptions(options, `${this.kind}.putAsync()`);
    this.checkOpen("putAsync()");
    const put = outgoing(item, `${this.kind}.putAsync()`, true);
    this.putOutcome(await this.sendAsync(put, ms, `${this.kind}.putAsync()`), "putAsync()");
  }

  /**
   * Takes the oldest item out, like Python's `get(block=True, timeout=None)`. With `block` (the
   * default) it waits while the queue is empty, at most `timeout` seconds.
   *
   * @returns a copy of the item put.
   * @throws Empty if there was none (not waiting, or the timeout ran out).
   * @throws BlockingCallError for a waiting get on the main thread (use {@link Queue.getAsync}).
   * @throws ClosedError after `close()` in this thread.
   */
  get(options?: BlockOptions): unknown {
    return this.getAs(blockOptions(options, this.names.get), this.names.get, "get()");
  }

  /** Takes an item if there is one now, else throws `Empty`: `get({ block: false })`. */
  getNowait(): unknown {
    return this.getAs(DONT_WAIT, this.names.getNowait, "getNowait()");
  }

  /** A get, its errors naming the call the user made (`where`, `call`). */
  private getAs({ block, ms }: { block: boolean; ms: number }, where: string, call: string): unknown {
    this.checkOpen(call);
    return this.getOutcome(this.receive(block, ms, where, "`await q.getAsync()` (or `q.getNowait()`)"), call);
  }

  /**
   * Like {@link Queue.get}, without blocking the thread: `await q.getAsync()`. Works on the main thread.
   *
   * @param options - `timeout` in seconds.
   * @throws Empty if the timeout ran out first.
   */
  async getAsync(options?: AsyncQueueOptions): Promise<unknown> {
    const { ms } = blockOptions(options, `${this.kind}.getAsync()`);
    this.checkOpen("getAsync()");
    return this.getOutcome(await this.receiveAsync(ms), "getAsync()");
  }

  /** How many items are in the queue: approximate, as other threads may put or get meanwhile (as in Python). */
  qsize(): number {
    return this.items();
  }

  /** Whether the queue is empty: approximate, as in Python. */
  empty(): boolean {
    return this.items() === 0;
  }

  /** Whether the queue holds `maxsize` items: approximate, as in Python (false when there is no maxsize). */
  full(): boolean {
    return this.maxsize > 0 && this.items() >= this.maxsize;
  }

  /**
   * Closes this thread's handle, like Python's `close()`: from now on `put` and `get` here throw
   * `ClosedError`. Other threads' handles, and the items already put, are not touched.
   */
  close(): void {
    this.closedHere = true;
  }

  /** Whether this thread's handle was closed. */
  get closed(): boolean {
    return this.closedHere;
  }

  /** Shows the state: `<Queue(maxsize=2, items=1)>`. */
  toString(): string {
    return `<${this.kind}(maxsize=${this.maxsize}, items=${this.items()}${this.closedHere ? ", closed here" : ""})>`;
  }
}
