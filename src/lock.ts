/**
 * `Lock` and `RLock`: mutual exclusion across workers, kept in a few bytes of shared memory.
 *
 * The lock is the classic three-state futex mutex (Drepper, "Futexes Are Tricky"): one `Int32`
 * says unlocked (0), locked (1) or locked with sleepers (2). Taking a free lock is one
 * `Atomics.compareExchange`; releasing it is one `Atomics.exchange`, plus an `Atomics.notify` only
 * when somebody sleeps in `Atomics.wait`. A fourth state, abandoned (3), is set by the thread that
 * started a worker when that worker ends while holding the lock, so waiters fail instead of hanging.
 *
 * @packageDocumentation
 */
import { LockOwnerDiedError, ReleaseError } from "./errors";
import { SharedPrimitive, acquireOptions, cellsOf, timeoutOption, waitAsync } from "./primitive";
import { ENCODE, registerShareable, watchOwner, type Descriptor, type OwnerWatch } from "./transfer";
import { MAY_BLOCK, OWNER_TAG, refuseBlockingOnMainThread, remaining, threadIdOf } from "./thread";
import { spinBudget, spinOutcome } from "./spin";

const STATE = 0;
const OWNER = 1;
const COUNT = 2;

const UNLOCKED = 0;
const LOCKED = 1;
const CONTENDED = 2;
const ABANDONED = 3;


/** Options of a blocking `acquire`, as in Python's `acquire(block=True, timeout=None)`. */
export interface AcquireOptions {
  /** Wait for the lock (default) or, with `false`, only try once and return at once. */
  readonly blocking?: boolean;
  /** Give up after this many seconds and return `false`. Left out: wait as long as it takes. */
  readonly timeout?: number;
}

/** Options of `acquireAsync`. */
export interface AcquireAsyncOptions {
  /** Give up after this many seconds and resolve to `false`. Left out: wait as long as it takes. */
  readonly timeout?: number;
}

/** Anything with Python's `acquire`/`release` pair: locks, and semaphores. */
export interface Acquirable {
  /** Takes it, waiting in a worker; `true` once held, `false` if a timeout ran out. */
  acquire(options?: AcquireOptions): boolean;
  /** Takes it without blocking the thread; works on the main thread too. */
  acquireAsync(options?: AcquireAsyncOptions): Promise<boolean>;
  /** Gives it back. */
  release(): void;
}

/**
 * A lock shared by workers, like Python's `multiprocessing.Lock`: once one thread holds it, every
 * other `acquire()` waits until it is released. Pass it to a {@link Process} in `args`; the worker
 * gets a `Lock` over the same memory.
 *
 * As in Python, it is not reentrant (a thread that acquires it twice waits for itself forever:
 * use {@link RLock} for that) and any thread may release it, but releasing an unlocked lock is
 * an error.
 *
 * @example
 * ```ts
 * const lock = new mp.Lock();
 * // inside a worker's target:
 * lock.acquire();
 * try { balance.value = balance.value + 1; } finally { lock.release(); }
 * ```
 */
export class Lock extends SharedPrimitive implements Acquirable, OwnerWatch {
  /** Makes a new, unlocked lock in fresh shared memory. */
  constructor();
  /** @internal Rebuilds a lock over existing memory; use {@link Lock.fromBuffer}. */
  constructor(cells: Int32Array);
  constructor(cells?: Int32Array) {
    super(cells ?? new Int32Array(new SharedArrayBuffer(2 * 4)));
  }

  /**
   * Rebuilds a `Lock` over memory that another `Lock` made, for example one received with
   * `postMessage`. (Locks passed in a process's `args` are rebuilt for you.)
   *
   * @param buffer - the other lock's `.buffer`.
   * @throws TypeError if `buffer` is not a lock's memory.
   */
  static fromBuffer(buffer: SharedArrayBuffer): Lock {
    return new Lock(cellsOf(buffer, "Lock", 2));
  }

  /**
   * Takes the lock, waiting until it is free, like Python's `lock.acquire()`.
   *
   * Waiting blocks the thread, so on the main thread (the notebook's kernel) only
   * `acquire({ blocking: false })` is allowed; use {@link Lock.acquireAsync} there.
   *
   * @param options - `blocking: false` to only try; `timeout` in seconds to give up.
   * @returns `true` once the lock is held; `false` if it was not free and `blocking` is false, or
   *   the timeout ran out.
   * @throws LockOwnerDiedError if the holder's worker ended while holding it.
   * @throws BlockingCallError if it would block the main thread.
   */
  acquire(options?: AcquireOptions): boolean {
    if (MAY_BLOCK && options === undefined && Atomics.compareExchange(this.cells, STATE, UNLOCKED, LOCKED) === UNLOCKED) {
      return this.took();
    }
    return this.acquireSlowly(options);
  }

  private acquireSlowly(options: AcquireOptions | undefined): boolean {
    const { blocking, ms } = acquireOptions(options, `${this.kind}.acquire()`);
    const cells = this.cells;
    if (!blocking || ms === 0) {
      if (Atomics.compareExchange(cells, STATE, UNLOCKED, LOCKED) === UNLOCKED) return this.took();
      this.throwIfAbandoned(Atomics.load(cells, STATE));
      return false;
    }
    refuseBlockingOnMainThread(`${this.kind}.acquire()`, "`await lock.acquireAsync()` (or `acquire({ blocking: false })`)");
    // Spin while it pays (src/spin.ts decides how long) and nobody sleeps: a short critical section
    // ends sooner than a sleep and wake-up would take. Once there are sleepers, join them at once.
    const looks = spinBudget();
    let i = 0;
    for (; i < looks; i++) {
      const seen = Atomics.load(cells, STATE);
      if (seen === UNLOCKED) {
        if (Atomics.compareExchange(cells, STATE, UNLOCKED, LOCKED) === UNLOCKED) {
          spinOutcome(true, i + 1);
          return this.took();
        }
      } else if (seen !== LOCKED) {
        break;
      }
    }
    spinOutcome(false, i);
    const deadline = performance.now() + ms;
    let seen = Atomics.exchange(cells, STATE, CONTENDED);
    while (seen !== UNLOCKED) {
      this.throwIfAbandoned(seen);
      const left = remaining(deadline);
      if (left === 0) return false;
      Atomics.wait(cells, STATE, CONTENDED, left);
      seen = Atomics.exchange(cells, STATE, CONTENDED);
    }
    return this.took();
  }

  /**
   * Takes the lock without blocking the thread: `await lock.acquireAsync()`. This is the way to
   * take a lock on the main thread (in a notebook cell) while workers use it.
   *
   * @param options - `timeout` in seconds to give up.
   * @returns resolves to `true` once held, or `false` if the timeout ran out.
   * @throws LockOwnerDiedError if the holder's worker ended while holding it.
   */
  async acquireAsync(options?: AcquireAsyncOptions): Promise<boolean> {
    const ms = timeoutOption(options, `${this.kind}.acquireAsync()`);
    const cells = this.cells;
    if (Atomics.compareExchange(cells, STATE, UNLOCKED, LOCKED) === UNLOCKED) return this.took();
    const deadline = performance.now() + ms;
    let seen = Atomics.exchange(cells, STATE, CONTENDED);
    while (seen !== UNLOCKED) {
      this.throwIfAbandoned(seen);
      const left = remaining(deadline);
      if (left === 0) return false;
      await waitAsync(cells, STATE, CONTENDED, left);
      seen = Atomics.exchange(cells, STATE, CONTENDED);
    }
    return this.took();
  }

  /** Records this thread as the holder, after the state says locked. */
  protected took(): true {
    this.cells[OWNER] = OWNER_TAG;
    return true;
  }

  private throwIfAbandoned(seen: number): void {
    if (seen !== ABANDONED) return;
    // An exchange may just have overwritten the mark: put it back and wake the others to see it.
    Atomics.store(this.cells, STATE, ABANDONED);
    Atomics.notify(this.cells, STATE);
    throw new LockOwnerDiedError(this.kind, threadIdOf(Atomics.load(this.cells, OWNER)));
  }

  /**
   * Releases the lock, waking one waiter if any, like Python's `lock.release()`.
   *
   * @throws ReleaseError if the lock is not locked.
   * @throws LockOwnerDiedError if its holder died holding it.
   */
  release(): void {
    const cells = this.cells;
    const owner = cells[OWNER];
    cells[OWNER] = 0;
    if (Atomics.compareExchange(cells, STATE, LOCKED, UNLOCKED) !== LOCKED) this.releaseSlowly(owner);
  }

  /** Releases a lock with sleepers (waking one), or refuses to release one that is not held. */
  private releaseSlowly(owner: number): void {
    const cells = this.cells;
    for (;;) {
      const seen = Atomics.load(cells, STATE);
      if (seen === ABANDONED) {
        // Leave it as it is: still abandoned, still naming the thread that died.
        cells[OWNER] = owner;
        this.throwIfAbandoned(seen);
      }
      if (seen === UNLOCKED) {
        throw new ReleaseError(`${this.kind}.release() was called, but the lock is not locked (as in Python, that is an error: release only what you acquired).`);
      }
      if (Atomics.compareExchange(cells, STATE, seen, UNLOCKED) === seen) {
        if (seen === CONTENDED) Atomics.notify(cells, STATE, 1);
        return;
      }
    }
  }

  /** True while some thread holds the lock (or its holder died holding it). */
  locked(): boolean {
    return Atomics.load(this.cells, STATE) !== UNLOCKED;
  }

  /** The `threadId` of the holder, or `null` when unlocked. The main thread is 0. */
  owner(): number | null {
    return Atomics.load(this.cells, STATE) === UNLOCKED ? null : threadIdOf(Atomics.load(this.cells, OWNER));
  }

  /** @internal Marks the lock abandoned if the thread that just ended held it. */
  ownerEnded(threadId: number): void {
    const cells = this.cells;
    if (Atomics.load(cells, OWNER) !== threadId + 1) return;
    const state = Atomics.load(cells, STATE);
    if (state === LOCKED || state === CONTENDED) {
      Atomics.store(cells, STATE, ABANDONED);
      Atomics.notify(cells, STATE);
    }
  }

  /** @internal How the lock travels to a worker: by its memory. */
  [ENCODE](): Descriptor {
    watchOwner(this);
    return super[ENCODE]();
  }

  /** Shows the state, like Python's `<Lock(owner=...)>`. */
  toString(): string {
    const state = Atomics.load(this.cells, STATE);
    if (state === UNLOCKED) return `<${this.kind}(unlocked)>`;
    const owner = `thread ${threadIdOf(Atomics.load(this.cells, OWNER))}`;
    return state === ABANDONED ? `<${this.kind}(abandoned by ${owner})>` : `<${this.kind}(locked by ${owner})>`;
  }

}

/**
 * A reentrant lock, like Python's `multiprocessing.RLock`: the thread that holds it may acquire it
 * again, and must release it as many times. Only the holder may release it.
 *
 * Ownership is per thread: on the main thread, every `async` task counts as the same holder.
 */
export class RLock extends Lock {
  /** Makes a new, unlocked reentrant lock in fresh shared memory. */
  constructor();
  /** @internal Rebuilds one over existing memory; use {@link RLock.fromBuffer}. */
  constructor(cells: Int32Array);
  constructor(cells?: Int32Array) {
    super(cells ?? new Int32Array(new SharedArrayBuffer(3 * 4)));
  }

  /**
   * Rebuilds an `RLock` over memory that another `RLock` made.
   *
   * @param buffer - the other lock's `.buffer`.
   * @throws TypeError if `buffer` is not an RLock's memory.
   */
  static fromBuffer(buffer: SharedArrayBuffer): RLock {
    return new RLock(cellsOf(buffer, "RLock", 3));
  }

  /**
   * Takes the lock, or takes it once more if this thread already holds it.
   * See {@link Lock.acquire} for options, results and errors.
   */
  acquire(options?: AcquireOptions): boolean {
    return this.reentered() || super.acquire(options);
  }

  /** Like {@link RLock.acquire}, without blocking the thread. */
  async acquireAsync(options?: AcquireAsyncOptions): Promise<boolean> {
    return this.reentered() || super.acquireAsync(options);
  }

  /** True if this thread holds the lock (only the holder writes its own tag, so a plain read is safe). */
  private heldHere(): boolean {
    return this.cells[OWNER] === OWNER_TAG && Atomics.load(this.cells, STATE) !== UNLOCKED;
  }

  /** Takes one more hold if this thread already holds the lock. */
  private reentered(): boolean {
    if (!this.heldHere()) return false;
    this.cells[COUNT]++;
    return true;
  }

  protected took(): true {
    this.cells[COUNT] = 1;
    return super.took();
  }

  /**
   * Releases one hold; the lock is free once every acquire is matched by a release.
   *
   * @throws ReleaseError if this thread does not hold the lock.
   */
  release(): void {
    if (!this.heldHere()) {
      throw new ReleaseError(
        `RLock.release() was called by thread ${threadIdOf(OWNER_TAG)}, which does not hold this RLock (${this}). ` +
          `Only the holder may release an RLock, once for each acquire.`,
      );
    }
    if (--this.cells[COUNT] > 0) return;
    super.release();
  }

  /** How many times the holder has acquired it without releasing (0 when unlocked). */
  count(): number {
    return Atomics.load(this.cells, STATE) === UNLOCKED ? 0 : this.cells[COUNT];
  }
}

registerShareable("Lock", (d) => Lock.fromBuffer(d.buffer as SharedArrayBuffer));
registerShareable("RLock", (d) => RLock.fromBuffer(d.buffer as SharedArrayBuffer));

/**
 * Runs `fn` while holding `lock`, and releases it however `fn` ends — Python's `with lock:`.
 * For a worker's target; on the main thread use {@link withLockAsync}.
 *
 * @param lock - a `Lock`, `RLock`, `Semaphore`, or anything with `acquire`/`release`.
 * @param fn - the critical section.
 * @returns what `fn` returns.
 */
export function withLock<T>(lock: Acquirable, fn: () => T): T {
  lock.acquire();
  try {
    return fn();
  } finally {
    lock.release();
  }
}

/**
 * Awaits `lock`, runs `fn` (which may be async) while holding it, and releases it however `fn`
 * ends. Works on the main thread.
 *
 * @param lock - a `Lock`, `RLock`, `Semaphore`, or anything with `acquireAsync`/`release`.
 * @param fn - the critical section.
 * @returns what `fn` returns (awaited).
 */
export async function withLockAsync<T>(lock: Acquirable, fn: () => T | Promise<T>): Promise<T> {
  await lock.acquireAsync();
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
