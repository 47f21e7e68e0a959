/**
 * `Lock` and `RLock`: mutual exclusion across workers, kept in one `Int32` of shared memory, the
 * lock word.
 *
 * The word is 0 when the lock is free. Otherwise it names the holder and two facts about it:
 * `(ownerTag << 2) | ABANDONED | SLEEPERS`, where the owner tag is the holder's `threadId + 1`.
 * Taking a free lock is one `compareExchange(word, 0, myTag << 2)`, which takes the lock and names
 * its holder in the same instant, so a worker terminated at any point leaves either "not taken" or
 * "taken by me", never "locked by nobody" (the idea of Linux's robust futexes). Releasing it is one
 * `compareExchange(word, myTag << 2, 0)`; only when the SLEEPERS bit says somebody sleeps in
 * `Atomics.wait` does a release clear the word with a second compare-exchange and notify one of
 * them, who then takes the lock with the bit set, since others may still sleep (Drepper, "Futexes
 * Are Tricky", mutex 3). When a worker ends holding a lock, the thread that started it sets the
 * ABANDONED bit with a compare-exchange; no transition starts from an abandoned word, so the mark
 * stays, and every later acquire throws `LockOwnerDiedError` instead of waiting forever.
 *
 * How long a waiter spins before it sleeps (`src/spin.ts`):
 *   Spinning pays only while the holder runs on another core: a short section ends within a few looks, sooner than sleep + wake.
 *   With more runnable workers than cores a spinner burns the core a preempted holder needs, and more spinners fight over one cache line.
 *   So: one spinner at a time, none below 3 cores; ≤ 2 × recent spins' looks + 10, ≤ 100 (glibc's adaptive mutex); none while recent spins lost.
 *
 * A waiter woken by a release may find the lock taken again by a thread that kept running. It then
 * naps (`napAfterLostWakeUp`, 1 ms) before it sets the SLEEPERS bit again: marking at once would make
 * that holder's next release wake somebody again, a wake-up per release (measured: half the rate
 * of a busy lock on 2 cores); napping leaves its releases at one compare-exchange meanwhile.
 *
 * @packageDocumentation
 */
import { atomics } from "./atomics";
import { LockOwnerDiedError, ReleaseError } from "./errors";
import { SharedPrimitive } from "./primitive";
import { acquireOptions, timeoutOption } from "./options";
import { cellsOf } from "./kind-mark";
import { remaining } from "./waiting";
import type { MemoryKind } from "./transfer";
import { napAfterLostWakeUp, spinBudget, spinOutcome } from "./spin";
import { pauseMs } from "./sleep";
import { lockWaitIs } from "./lock-watch";
import { MAY_BLOCK, OWNER_TAG, refuseBlockingOnMainThread, threadIdOf } from "./thread";

const WORD = 0;
/** An RLock's recursion count, written only by its holder. */
const COUNT = 1;

const UNLOCKED = 0;
/** Set while some thread sleeps in `Atomics.wait` for the lock (or may: set conservatively). */
const SLEEPERS = 1;
/** Set, for good, once the holder ended without releasing. */
const ABANDONED = 2;
/** The word of a lock that this thread holds and nobody waits for. */
const HELD_HERE = OWNER_TAG << 2;

/** The largest number of holds an RLock can count. */
const MAX_HOLDS = 0x7fffffff;

/** The owner tag in a lock word. */
function tagOf(word: number): number {
  return word >>> 2;
}

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
 * an error. It knows its holder ({@link Lock.owner}), which is how a holder that dies is noticed.
 *
 * @example
 * ```ts
 * const lock = new mp.Lock();
 * // inside a worker's target:
 * lock.acquire();
 * try { balance.value = balance.value + 1; } finally { lock.release(); }
 * ```
 */
export class Lock extends SharedPrimitive implements Acquirable {
  /** Makes a new, unlocked lock in fresh shared memory. */
  constructor();
  /** @internal Rebuilds a lock over existing memory (use {@link Lock.fromBuffer}), or makes `cells` fresh cells. */
  constructor(cells: Int32Array | number);
  constructor(cells?: Int32Array | number) {
    super(cells ?? 1);
  }

  /**
   * Rebuilds a `Lock` over memory that another `Lock` made, for example one received with
   * `postMessage`. (Locks passed in a process's `args` are rebuilt for you.)
   *
   * @param buffer - the other lock's `.buffer`.
   * @throws TypeError if `buffer` is not a lock's memory.
   */
  static fromBuffer(buffer: SharedArrayBuffer): Lock {
    return new Lock(cellsOf(buffer, "Lock", 1));
  }

  /** The kind of object, for messages and for the trip to a worker. */
  protected get kind(): MemoryKind {
    return "Lock";
  }

  /** Whether a holder that ended normally still abandons it (an RLock: nobody else may release it). */
  protected ownedByHolder(): boolean {
    return false;
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
    if (MAY_BLOCK && options === undefined && atomics.compareExchange(this.cells, WORD, UNLOCKED, HELD_HERE) === UNLOCKED) {
      return this.took();
    }
    return this.acquireSlowly(options);
  }

  private acquireSlowly(options: AcquireOptions | undefined): boolean {
    const { blocking, ms } = acquireOptions(options, `${this.kind}.acquire()`);
    if (!blocking || ms === 0) return this.tryTake() && this.took();
    refuseBlockingOnMainThread(`${this.kind}.acquire()`, "`await lock.acquireAsync()` (or `acquire({ blocking: false })`)");
    if (this.tryTake()) return this.took();
    const cells = this.cells;
    // Spin while it pays (src/spin.ts decides how long) and nobody sleeps: a short critical section
    // ends sooner than a sleep and wake-up would take. Once there are sleepers, join them at once.
    const looks = spinBudget();
    if (looks > 0) lockWaitIs("spinning");
    let i = 0;
    for (; i < looks; i++) {
      const seen = atomics.load(cells, WORD);
      if (seen === UNLOCKED) {
        if (atomics.compareExchange(cells, WORD, UNLOCKED, HELD_HERE) === UNLOCKED) {
          spinOutcome(true, i + 1);
          lockWaitIs("done");
          return this.took();
        }
      } else if ((seen & (SLEEPERS | ABANDONED)) !== 0) {
        break;
      }
    }
    spinOutcome(false, i);
    const deadline = atomics.now() + ms;
    let woken = false;
    try {
      for (;;) {
        const seen = this.markSleeper(woken ? deadline : null);
        if (seen === UNLOCKED) return this.took();
        const left = remaining(deadline);
        if (left === 0) return false;
        lockWaitIs("sleeping");
        woken = atomics.wait(cells, WORD, seen, left) !== "timed-out";
      }
    } finally {
      lockWaitIs("done");
    }
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
    if (this.tryTake()) return this.took();
    const deadline = atomics.now() + ms;
    for (;;) {
      const seen = this.markSleeper();
      if (seen === UNLOCKED) return this.took();
      const left = remaining(deadline);
      if (left === 0) return false;
      await atomics.waitAsync(this.cells, WORD, seen, left);
    }
  }

  /** One compare-exchange: takes a free lock, or throws if its holder died. */
  private tryTake(): boolean {
    const seen = atomics.compareExchange(this.cells, WORD, UNLOCKED, HELD_HERE);
    if ((seen & ABANDONED) !== 0) throw this.died(seen);
    return seen === UNLOCKED;
  }

  /**
   * The step of a waiter about to sleep: takes the lock if it is free (with the SLEEPERS bit, as
   * other waiters may sleep), or makes sure the word says somebody sleeps.
   *
   * @param napBy - after a wake-up, the deadline of the acquire: if the lock is found taken again
   *   (a running thread got it first), the waiter first naps as long as `src/spin.ts` says (within
   *   the deadline) and looks again, before it marks; `null` otherwise.
   * @returns `UNLOCKED` if this thread now holds the lock, else the word to sleep on.
   * @throws LockOwnerDiedError if the holder died.
   */
  private markSleeper(napBy: number | null = null): number {
    const cells = this.cells;
    let nap = napBy === null ? 0 : napAfterLostWakeUp();
    for (;;) {
      const seen = atomics.load(cells, WORD);
      if ((seen & ABANDONED) !== 0) throw this.died(seen);
      if (seen === UNLOCKED) {
        if (atomics.compareExchange(cells, WORD, UNLOCKED, HELD_HERE | SLEEPERS) === UNLOCKED) return UNLOCKED;
      } else if (nap > 0 && napBy !== null) {
        lockWaitIs("napping");
        pauseMs(Math.min(nap, remaining(napBy)));
        nap = 0;
      } else if ((seen & SLEEPERS) !== 0 || atomics.compareExchange(cells, WORD, seen, seen | SLEEPERS) === seen) {
        return seen | SLEEPERS;
      }
    }
  }

  /** Called once this thread holds the lock. */
  protected took(): true {
    return true;
  }

  /** The error for an abandoned word. (Its sleepers were woken when the word was marked.) */
  private died(word: number): LockOwnerDiedError {
    return new LockOwnerDiedError(this.kind, threadIdOf(tagOf(word)));
  }

  /**
   * Releases the lock, waking one waiter if any, like Python's `lock.release()`.
   *
   * @throws ReleaseError if the lock is not locked.
   * @throws LockOwnerDiedError if its holder died holding it.
   */
  release(): void {
    if (atomics.compareExchange(this.cells, WORD, HELD_HERE, UNLOCKED) !== HELD_HERE) this.releaseSlowly();
  }

  /** Releases a lock with sleepers (waking one) or held by another thread, or refuses. */
  private releaseSlowly(): void {
    const cells = this.cells;
    for (;;) {
      const seen = atomics.load(cells, WORD);
      if ((seen & ABANDONED) !== 0) throw this.died(seen);
      if (seen === UNLOCKED) {
        throw new ReleaseError(`${this.kind}.release() was called, but the lock is not locked (as in Python, that is an error: release only what you acquired).`);
      }
      if (atomics.compareExchange(cells, WORD, seen, UNLOCKED) === seen) {
        if ((seen & SLEEPERS) !== 0) atomics.notify(cells, WORD, 1);
        return;
      }
    }
  }

  /** True while some thread holds the lock (or its holder died holding it). */
  locked(): boolean {
    return atomics.load(this.cells, WORD) !== UNLOCKED;
  }

  /** The `threadId` of the holder, or `null` when unlocked. The main thread is 0. */
  owner(): number | null {
    const word = atomics.load(this.cells, WORD);
    return word === UNLOCKED ? null : threadIdOf(tagOf(word));
  }

  /** True if this thread holds the lock (the word names it, and it is not abandoned). */
  protected heldHere(): boolean {
    return (atomics.load(this.cells, WORD) & ~SLEEPERS) === HELD_HERE;
  }

  /**
   * @internal Called in the thread that started `threadId` once it has ended: marks the lock
   * abandoned if that thread held it and died (or, for an RLock, ended at all), and after a death
   * wakes every sleeper (see {@link SharedPrimitive.ownerEnded}).
   */
  override ownerEnded(threadId: number, died: boolean): void {
    // A plain Lock whose holder returned stays locked: any thread may release it.
    if (died || this.ownedByHolder()) this.markAbandoned(threadId);
    super.ownerEnded(threadId, died);
  }

  /** Sets the ABANDONED bit if `threadId` holds the lock, and wakes every sleeper to see it. */
  private markAbandoned(threadId: number): void {
    const cells = this.cells;
    const theirs = (threadId + 1) << 2;
    for (;;) {
      const seen = atomics.load(cells, WORD);
      if ((seen & ~SLEEPERS) !== theirs) return; // not held by it, or already marked
      if (atomics.compareExchange(cells, WORD, seen, seen | ABANDONED) === seen) {
        atomics.notify(cells, WORD);
        return;
      }
    }
  }

  /** Shows the state, like Python's `<Lock(owner=...)>`. */
  toString(): string {
    const word = atomics.load(this.cells, WORD);
    if (word === UNLOCKED) return `<${this.kind}(unlocked)>`;
    const owner = `thread ${threadIdOf(tagOf(word))}`;
    return (word & ABANDONED) !== 0 ? `<${this.kind}(abandoned by ${owner})>` : `<${this.kind}(locked by ${owner})>`;
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
    super(cells ?? 2);
  }

  /**
   * Rebuilds an `RLock` over memory that another `RLock` made.
   *
   * @param buffer - the other lock's `.buffer`.
   * @throws TypeError if `buffer` is not an RLock's memory.
   */
  static override fromBuffer(buffer: SharedArrayBuffer): RLock {
    return new RLock(cellsOf(buffer, "RLock", 2));
  }

  protected override get kind(): MemoryKind {
    return "RLock";
  }

  protected override ownedByHolder(): boolean {
    return true;
  }

  /**
   * Takes the lock, or takes it once more if this thread already holds it.
   * See {@link Lock.acquire} for options, results and errors.
   *
   * @throws RangeError if this thread already holds it 2³¹ - 1 times.
   */
  override acquire(options?: AcquireOptions): boolean {
    if (!this.heldHere()) return super.acquire(options);
    acquireOptions(options, "RLock.acquire()");
    return this.reentered();
  }

  /** Like {@link RLock.acquire}, without blocking the thread. */
  override async acquireAsync(options?: AcquireAsyncOptions): Promise<boolean> {
    if (!this.heldHere()) return super.acquireAsync(options);
    timeoutOption(options, "RLock.acquireAsync()");
    return this.reentered();
  }

  /** Takes one more hold, refusing to count past what the cell holds. */
  private reentered(): true {
    const holds = this.cells[COUNT];
    if (holds >= MAX_HOLDS) {
      throw new RangeError(
        `RLock.acquire(): this thread already holds the RLock ${holds} times, the most it can count. ` +
          `Release it before acquiring again (a loop that acquires without releasing?).`,
      );
    }
    this.cells[COUNT] = holds + 1;
    return true;
  }

  protected override took(): true {
    this.cells[COUNT] = 1;
    return true;
  }

  /**
   * Releases one hold; the lock is free once every acquire is matched by a release.
   *
   * @throws ReleaseError if this thread does not hold the lock.
   * @throws LockOwnerDiedError if its holder died holding it.
   */
  override release(): void {
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
    return atomics.load(this.cells, WORD) === UNLOCKED ? 0 : this.cells[COUNT];
  }
}


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
