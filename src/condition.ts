/**
 * `Condition`: wait, while holding a lock, until another worker says something changed — the way a
 * consumer waits for a producer, like Python's `multiprocessing.Condition`.
 *
 * Each waiter takes a slot of the condition's memory (under the lock) holding its ticket, and sleeps
 * on that slot alone. `notify(n)` (also under the lock) marks the `n` oldest waiting slots notified
 * and wakes each; a waiter leaves its slot under the lock again, and returns `true` exactly when its
 * slot was marked. So `notify(n)` wakes at most `n` waiters, and a wait whose timeout ran out before
 * anybody notified it returns `false`, as in Python. A waiter whose worker dies while waiting has its
 * slot freed by the thread that started it, so a `notify()` is never spent on a dead thread.
 *
 * @packageDocumentation
 */
import { atomics } from "./atomics";
import { describe, ConditionError } from "./errors";
import { Lock, RLock } from "./lock";
import { SharedPrimitive } from "./primitive";
import { cellsOf } from "./kind-mark";
import { timeoutOption, checkCount } from "./options";
import { waitWhile, waitWhileAsync, remaining } from "./waiting";
import { watchOwner, type OwnerWatch } from "./owner-watch";
import { ENCODE, encodeShared, type Descriptor, type Encoded } from "./transfer";
import { OWNER_TAG, refuseBlockingOnMainThread, threadIdOf } from "./thread";
import type { WaitOptions } from "./event";

/** How many threads may wait on one condition at the same time. */
export const MAX_CONDITION_WAITERS = 64;

/** The last ticket handed out (tickets are 1, 2, … 2³¹ - 1, then 1 again). */
const TICKET = 0;
/** Slot `i` is cell `SLOTS + i`: 0 free, a ticket while its waiter waits, NOTIFIED once notified. */
const SLOTS = 1;
/** The owner tag of slot `i`'s waiter is in cell `OWNERS + i`. */
const OWNERS = SLOTS + MAX_CONDITION_WAITERS;
const CELLS = OWNERS + MAX_CONDITION_WAITERS;

const FREE = 0;
const NOTIFIED = -1;
const ME = threadIdOf(OWNER_TAG);

/**
 * A condition variable shared by workers, like Python's `multiprocessing.Condition(lock)`.
 * Hold its lock, check your condition, and `wait()` while it is false; another worker changes the
 * state under the same lock and calls `notify()`.
 *
 * @example
 * ```ts
 * // consumer, in a worker
 * mp.withLock(cond, () => {
 *   cond.waitFor(() => queue.get(0) > 0);
 *   take(queue);
 * });
 * ```
 */
export class Condition extends SharedPrimitive implements OwnerWatch {
  /** The lock the condition's state is protected by (an `RLock` unless one was given). */
  readonly lock: Lock;

  /**
   * Makes a condition over `lock`, or over a new `RLock` as Python does.
   *
   * @param lock - the lock that protects the state being waited for.
   * @throws TypeError if `lock` is not a Lock or RLock.
   */
  constructor(lock?: Lock);
  /** @internal Rebuilds one over existing memory; use `fromBuffer`. */
  constructor(lock: Lock, cells: Int32Array);
  constructor(lock: Lock = new RLock(), cells?: Int32Array) {
    super(cells ?? CELLS);
    if (!(lock instanceof Lock)) {
      throw new TypeError(`Condition(): lock must be a Lock or RLock, not ${describe(lock)}.`);
    }
    this.lock = lock;
  }

  /**
   * Rebuilds a condition over memory another one made, with that condition's lock.
   *
   * @param buffer - the other condition's `.buffer`.
   * @param lock - the other condition's `.lock` (rebuilt in this thread).
   */
  static fromBuffer(buffer: SharedArrayBuffer, lock: Lock): Condition {
    return new Condition(lock, cellsOf(buffer, "Condition", CELLS));
  }

  protected get kind(): "Condition" {
    return "Condition";
  }

  /** Takes the condition's lock (in a worker). See {@link Lock.acquire}. */
  acquire(...options: Parameters<Lock["acquire"]>): boolean {
    return this.lock.acquire(...options);
  }

  /** Takes the condition's lock without blocking the thread. See {@link Lock.acquireAsync}. */
  acquireAsync(...options: Parameters<Lock["acquireAsync"]>): Promise<boolean> {
    return this.lock.acquireAsync(...options);
  }

  /** Releases the condition's lock. */
  release(): void {
    this.lock.release();
  }

  private checkHeld(call: string): void {
    if (this.lock.owner() !== ME) {
      throw new ConditionError(`Condition.${call} needs the condition's lock held by this thread (as in Python): acquire it first, e.g. with mp.withLock(cond, ...).`);
    }
  }

  /** Releases the lock completely (every hold of an RLock) and says how many holds to take back. */
  private releaseAll(): number {
    const holds = this.lock instanceof RLock ? this.lock.count() : 1;
    for (let i = 0; i < holds; i++) this.lock.release();
    return holds;
  }

  /**
   * Releases the lock, sleeps until notified (or the timeout), and takes the lock back, like
   * Python's `wait()`. A wake-up does not promise the state changed: check it again, or use
   * {@link Condition.waitFor}. On the main thread use `waitAsync`.
   *
   * @param options - `timeout` in seconds.
   * @returns `true` if a `notify()` woke this waiter, `false` if the timeout ran out first.
   * @throws ConditionError if this thread does not hold the lock, or
   *   {@link MAX_CONDITION_WAITERS} threads wait already.
   */
  wait(options?: WaitOptions): boolean {
    const deadline = atomics.now() + timeoutOption(options, "Condition.wait()");
    this.checkHeld("wait()");
    refuseBlockingOnMainThread("Condition.wait()", "`await cond.waitAsync()`");
    const { slot, ticket } = this.enqueue();
    const holds = this.releaseAll();
    waitWhile(this.cells, slot, ticket, deadline);
    for (let i = 0; i < holds; i++) this.lock.acquire();
    return this.leave(slot);
  }

  /** Like {@link Condition.wait}, without blocking the thread: `await cond.waitAsync()`. */
  async waitAsync(options?: WaitOptions): Promise<boolean> {
    const deadline = atomics.now() + timeoutOption(options, "Condition.waitAsync()");
    this.checkHeld("waitAsync()");
    const { slot, ticket } = this.enqueue();
    const holds = this.releaseAll();
    await waitWhileAsync(this.cells, slot, ticket, deadline);
    for (let i = 0; i < holds; i++) await this.lock.acquireAsync();
    return this.leave(slot);
  }

  /** Takes a free slot with the next ticket (the lock is held). */
  private enqueue(): { slot: number; ticket: number } {
    const cells = this.cells;
    for (let i = 0; i < MAX_CONDITION_WAITERS; i++) {
      if (atomics.load(cells, SLOTS + i) !== FREE) continue;
      const last = atomics.load(cells, TICKET);
      const ticket = last === 0x7fffffff ? 1 : last + 1;
      atomics.store(cells, TICKET, ticket);
      atomics.store(cells, OWNERS + i, OWNER_TAG);
      atomics.store(cells, SLOTS + i, ticket);
      return { slot: SLOTS + i, ticket };
    }
    throw new ConditionError(
      `Condition.wait(): ${MAX_CONDITION_WAITERS} threads wait on this condition already, the most it has room for. ` +
        `Use fewer waiting workers, or several conditions.`,
    );
  }

  /** Gives the slot back (the lock is held again) and says whether it was notified. */
  private leave(slot: number): boolean {
    const notified = atomics.load(this.cells, slot) === NOTIFIED;
    atomics.store(this.cells, slot, FREE);
    return notified;
  }

  /**
   * Waits until `predicate()` is true, like Python's `wait_for()`: checks it, and waits again
   * after every wake-up while it is false.
   *
   * @param predicate - reads the shared state (the lock is held while it runs).
   * @param options - `timeout` in seconds for the whole wait.
   * @returns the predicate's last result (false only if the timeout ran out).
   */
  waitFor<T>(predicate: () => T, options?: WaitOptions): T {
    const deadline = atomics.now() + timeoutOption(options, "Condition.waitFor()");
    let result = predicate();
    while (!result && remaining(deadline) > 0) {
      this.wait({ timeout: remaining(deadline) / 1000 });
      result = predicate();
    }
    return result;
  }

  /** Like {@link Condition.waitFor}, without blocking the thread. */
  async waitForAsync<T>(predicate: () => T, options?: WaitOptions): Promise<T> {
    const deadline = atomics.now() + timeoutOption(options, "Condition.waitForAsync()");
    let result = predicate();
    while (!result && remaining(deadline) > 0) {
      await this.waitAsync({ timeout: remaining(deadline) / 1000 });
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes up to `n` waiters, the longest-waiting first, like Python's `notify(n)`. They run once
   * they get the lock back.
   *
   * @param n - how many to wake (default 1).
   * @returns how many waiters it woke (Python returns nothing; 0 means nobody was waiting).
   */
  notify(n = 1): number {
    checkCount(n, "Condition.notify(): n", 0);
    this.checkHeld("notify()");
    let woken = 0;
    while (woken < n && this.wakeOldest()) woken++;
    return woken;
  }

  /** Wakes every waiter, like Python's `notify_all()`; returns how many. */
  notifyAll(): number {
    this.checkHeld("notifyAll()");
    let woken = 0;
    while (this.wakeOldest()) woken++;
    return woken;
  }

  /** Marks the waiting slot with the oldest ticket notified and wakes its waiter; false if none waits. */
  private wakeOldest(): boolean {
    const cells = this.cells;
    for (;;) {
      let oldest = -1;
      let oldestTicket = 0;
      for (let i = SLOTS; i < SLOTS + MAX_CONDITION_WAITERS; i++) {
        const ticket = atomics.load(cells, i);
        // Tickets wrap at 2³¹ - 1, so "older" is a negative difference, not a smaller number.
        if (ticket > 0 && (oldest < 0 || ((ticket - oldestTicket) | 0) < 0)) {
          oldest = i;
          oldestTicket = ticket;
        }
      }
      if (oldest < 0) return false;
      // A compare-exchange, as the thread that started a dead waiter may free its slot meanwhile.
      if (atomics.compareExchange(cells, oldest, oldestTicket, NOTIFIED) === oldestTicket) {
        atomics.notify(cells, oldest, 1);
        return true;
      }
    }
  }

  /** @internal Frees the slots of a waiter whose worker ended while it waited. */
  ownerEnded(threadId: number): void {
    const cells = this.cells;
    for (let i = 0; i < MAX_CONDITION_WAITERS; i++) {
      const ticket = atomics.load(cells, SLOTS + i);
      // Waiting, or notified but gone before it could leave: either way nobody will free it now.
      if ((ticket > 0 || ticket === NOTIFIED) && atomics.load(cells, OWNERS + i) === threadId + 1) {
        atomics.compareExchange(cells, SLOTS + i, ticket, FREE);
      }
    }
  }

  /** @internal How it travels to a worker: memory and lock; its waiters are watched from here. */
  [ENCODE](seen: Encoded): Descriptor {
    watchOwner(this);
    return { $shared: "Condition", buffer: this.buffer, lock: encodeShared(this.lock, seen) };
  }

  /** Shows the lock's state: `<Condition(<RLock(unlocked)>)>`. */
  toString(): string {
    return `<Condition(${this.lock})>`;
  }
}

