/**
 * `SimpleQueue`: Python's `multiprocessing.SimpleQueue` — the smallest queue: `put`, `get`,
 * `empty`, `close`, with no size limit but its ring's bytes and no timeouts.
 *
 * @packageDocumentation
 */
import type { Lock } from "../lock";
import { Channel, freshCells, freshLocks, isChannelLocks, rebuiltParts, type ChannelLocks, type RingOptions } from "./channel";
import { outgoing } from "./codec";
import { ClosedError } from "./errors";
import type { QueueKind } from "../transfer";

const KIND = "SimpleQueue";

/**
 * A queue shared by workers with only `put` and `get`, like Python's `SimpleQueue`: `get` waits
 * for an item, `put` waits only while the ring's bytes (1 MiB unless `{ bytes }` says) are full.
 * In a cell (the main thread), use `await getAsync()` and `await putAsync()`.
 */
export class SimpleQueue extends Channel {
  private closedHere = false;

  /**
   * Makes an empty queue in fresh shared memory.
   *
   * @param options - `bytes`: the size of its ring (default 1 MiB); every item must fit in it.
   */
  constructor(options?: RingOptions);
  /** @internal Rebuilds one over existing memory; use `fromBuffer`. */
  constructor(locks: ChannelLocks, cells: Int32Array);
  constructor(first?: RingOptions | ChannelLocks, cells?: Int32Array) {
    super(...(isChannelLocks(first) && cells instanceof Int32Array ? [first, cells] as const : [freshLocks(), freshCells(KIND, 0, first as RingOptions | undefined, `${KIND}()`)] as const));
  }

  /**
   * Rebuilds one over memory another made (its `.buffer`), with its two locks (its `.readLock` and
   * `.writeLock`, rebuilt in this thread).
   *
   * @throws TypeError if `buffer` is not a SimpleQueue's memory, or the locks are not locks.
   */
  static fromBuffer(buffer: SharedArrayBuffer, readLock: Lock, writeLock: Lock): SimpleQueue {
    return new SimpleQueue(...rebuiltParts(buffer, readLock, writeLock, KIND));
  }

  protected get kind(): QueueKind {
    return KIND;
  }

  private checkOpen(call: string): void {
    if (this.closedHere) throw new ClosedError(`SimpleQueue.${call}: this SimpleQueue is closed: close() was called on it in this thread.`);
  }

  /**
   * Puts a copy of `item` at the end, waiting while the ring has no room for it.
   *
   * @throws TypeError if the item cannot be copied; RangeError if it is bigger than the ring.
   * @throws BlockingCallError on the main thread (use {@link SimpleQueue.putAsync}).
   */
  put(item: unknown): void {
    this.checkOpen("put()");
    this.send(outgoing(item, "SimpleQueue.put()"), true, Infinity, "SimpleQueue.put()", "`await q.putAsync(item)`");
  }

  /** Like {@link SimpleQueue.put}, without blocking the thread. */
  async putAsync(item: unknown): Promise<void> {
    this.checkOpen("putAsync()");
    await this.sendAsync(outgoing(item, "SimpleQueue.putAsync()", true), Infinity, "SimpleQueue.putAsync()");
  }

  /**
   * Takes the oldest item out, waiting for one.
   *
   * @throws BlockingCallError on the main thread (use {@link SimpleQueue.getAsync}).
   */
  get(): unknown {
    this.checkOpen("get()");
    // Without a timeout, a get only ends with an item (a SimpleQueue has no ends to close).
    return this.receive(true, Infinity, "SimpleQueue.get()", "`await q.getAsync()`");
  }

  /** Like {@link SimpleQueue.get}, without blocking the thread. */
  async getAsync(): Promise<unknown> {
    this.checkOpen("getAsync()");
    return this.receiveAsync(Infinity);
  }

  /** Whether it is empty: approximate, as others may put meanwhile. */
  empty(): boolean {
    return this.items() === 0;
  }

  /** Closes this thread's handle: `put` and `get` here throw `ClosedError` from now on. */
  close(): void {
    this.closedHere = true;
  }

  /** Shows the state: `<SimpleQueue(items=3)>`. */
  toString(): string {
    return `<SimpleQueue(items=${this.items()})>`;
  }
}
