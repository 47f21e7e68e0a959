/**
 * `Semaphore` and `BoundedSemaphore`: a shared counter of free places, like Python's
 * `multiprocessing.Semaphore`. `acquire()` takes a place (waiting while there is none) and
 * `release()` gives one back — two printers shared by five workers, say.
 *
 * @packageDocumentation
 */
import { ReleaseError } from "./errors";
import type { AcquireAsyncOptions, AcquireOptions, Acquirable } from "./lock";
import { atomics } from "./atomics";
import { SharedPrimitive } from "./primitive";
import { acquireOptions, checkCount, timeoutOption } from "./options";
import { cellsOf } from "./kind-mark";
import { waitWhile, waitWhileAsync } from "./waiting";
import type { MemoryKind } from "./transfer";
import { MAY_BLOCK, refuseBlockingOnMainThread } from "./thread";

const VALUE = 0;
const WAITERS = 1;
const BOUND = 2;
const CELLS = 3;

/**
 * A counter of free places shared by workers, like Python's `multiprocessing.Semaphore(value)`.
 * Works with {@link withLock} like a lock.
 *
 * @example
 * ```ts
 * const printers = new mp.Semaphore(2);
 * // in each worker: mp.withLock(printers, () => print(job));
 * ```
 */
export class Semaphore extends SharedPrimitive implements Acquirable {
  /**
   * Makes a semaphore with `value` free places.
   *
   * @param value - how many may hold it at once (default 1).
   * @throws TypeError or RangeError unless it is a whole number ≥ 0.
   */
  constructor(value?: number);
  /** @internal Rebuilds one over existing memory; use `fromBuffer`. */
  constructor(value: number | undefined, cells: Int32Array);
  constructor(value = 1, cells?: Int32Array) {
    super(cells ?? CELLS);
    if (cells === undefined) {
      const start = checkCount(value, `${this.kind}(): value`, 0);
      this.cells[VALUE] = start;
      this.cells[BOUND] = this.bounded() ? start : -1;
    }
  }

  /**
   * Rebuilds a semaphore over memory another one made (its `.buffer`).
   *
   * @param buffer - the other semaphore's `.buffer`.
   */
  static fromBuffer(buffer: SharedArrayBuffer): Semaphore {
    return new Semaphore(undefined, cellsOf(buffer, "Semaphore", CELLS));
  }

  protected get kind(): MemoryKind {
    return "Semaphore";
  }

  /** Whether release() may not go above the starting value. */
  protected bounded(): boolean {
    return false;
  }

  private tryTake(): boolean {
    for (let v = atomics.load(this.cells, VALUE); v > 0; v = atomics.load(this.cells, VALUE)) {
      if (atomics.compareExchange(this.cells, VALUE, v, v - 1) === v) return true;
    }
    return false;
  }

  /**
   * Takes a place, waiting while there is none, like Python's `acquire()`. Waiting blocks the
   * thread, so on the main thread only `{ blocking: false }` is allowed; use `acquireAsync` there.
   *
   * @param options - `blocking: false` to only try; `timeout` in seconds to give up.
   * @returns `true` once a place is taken; `false` if none was free in time.
   */
  acquire(options?: AcquireOptions): boolean {
    if (MAY_BLOCK && options === undefined && this.tryTake()) return true;
    const { blocking, ms } = acquireOptions(options, `${this.kind}.acquire()`);
    if (!blocking || ms === 0) return this.tryTake();
    refuseBlockingOnMainThread(`${this.kind}.acquire()`, "`await semaphore.acquireAsync()` (or `acquire({ blocking: false })`)");
    if (this.tryTake()) return true;
    const deadline = atomics.now() + ms;
    atomics.add(this.cells, WAITERS, 1);
    try {
      while (!this.tryTake()) {
        if (!waitWhile(this.cells, VALUE, 0, deadline)) return false;
      }
      return true;
    } finally {
      atomics.sub(this.cells, WAITERS, 1);
    }
  }

  /**
   * Takes a place without blocking the thread: `await semaphore.acquireAsync()`.
   *
   * @param options - `timeout` in seconds to give up.
   * @returns resolves to `true` once a place is taken, `false` if none was free in time.
   */
  async acquireAsync(options?: AcquireAsyncOptions): Promise<boolean> {
    const deadline = atomics.now() + timeoutOption(options, `${this.kind}.acquireAsync()`);
    atomics.add(this.cells, WAITERS, 1);
    try {
      while (!this.tryTake()) {
        if (!(await waitWhileAsync(this.cells, VALUE, 0, deadline))) return false;
      }
      return true;
    } finally {
      atomics.sub(this.cells, WAITERS, 1);
    }
  }

  /**
   * Gives a place back and wakes one waiter, like Python's `release()`.
   *
   * @throws ReleaseError for a `BoundedSemaphore` already at its starting value.
   */
  release(): void {
    const bound = this.cells[BOUND];
    for (;;) {
      const v = atomics.load(this.cells, VALUE);
      if (bound >= 0 && v >= bound) {
        throw new ReleaseError(
          `${this.kind}.release() would raise its value above the starting value ${bound}: it was released more times than acquired.`,
        );
      }
      if (atomics.compareExchange(this.cells, VALUE, v, v + 1) === v) break;
    }
    if (atomics.load(this.cells, WAITERS) > 0) atomics.notify(this.cells, VALUE, 1);
  }

  /** How many places are free now, like Python's `get_value()`. */
  getValue(): number {
    return atomics.load(this.cells, VALUE);
  }

  /** Shows the value, like `<Semaphore(value=2)>`. */
  toString(): string {
    return `<${this.kind}(value=${this.getValue()}${this.cells[BOUND] >= 0 ? `, maxvalue=${this.cells[BOUND]}` : ""})>`;
  }
}

/**
 * A semaphore that refuses to be released more often than it was acquired, like Python's
 * `BoundedSemaphore`: a `release()` that would go above the starting value throws.
 */
export class BoundedSemaphore extends Semaphore {
  /**
   * Rebuilds a bounded semaphore over memory another one made (its `.buffer`).
   *
   * @param buffer - the other semaphore's `.buffer`.
   */
  static override fromBuffer(buffer: SharedArrayBuffer): BoundedSemaphore {
    return new BoundedSemaphore(undefined, cellsOf(buffer, "BoundedSemaphore", CELLS));
  }

  protected override get kind(): MemoryKind {
    return "BoundedSemaphore";
  }

  protected override bounded(): boolean {
    return true;
  }
}

