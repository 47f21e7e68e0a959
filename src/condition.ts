/**
 * `Condition`: wait, while holding a lock, until another worker says something changed — the way a
 * consumer waits for a producer, like Python's `multiprocessing.Condition`.
 *
 * @packageDocumentation
 */
import { describe } from "./errors";
import { Lock, RLock } from "./lock";
import { SharedPrimitive, cellsOf, timeoutOption, checkCount, waitWhile, waitWhileAsync } from "./primitive";
import { decode, registerShareable } from "./transfer";
import { OWNER_TAG, refuseBlockingOnMainThread, remaining, threadIdOf } from "./thread";
import type { WaitOptions } from "./event";

const SEQUENCE = 0;
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
export class Condition extends SharedPrimitive {
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
    super(cells ?? new Int32Array(new SharedArrayBuffer(4)));
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
    return new Condition(lock, cellsOf(buffer, "Condition", 1));
  }

  protected parts(): Record<string, unknown> {
    return { lock: this.lock };
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
      throw new Error(`Condition.${call} needs the condition's lock held by this thread (as in Python): acquire it first, e.g. with mp.withLock(cond, ...).`);
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
   * @returns `false` if the timeout ran out, `true` otherwise.
   */
  wait(options?: WaitOptions): boolean {
    const deadline = performance.now() + timeoutOption(options, "Condition.wait()");
    this.checkHeld("wait()");
    refuseBlockingOnMainThread("Condition.wait()", "`await cond.waitAsync()`");
    const seen = Atomics.load(this.cells, SEQUENCE);
    const holds = this.releaseAll();
    const notified = waitWhile(this.cells, SEQUENCE, seen, deadline);
    for (let i = 0; i < holds; i++) this.lock.acquire();
    return notified;
  }

  /** Like {@link Condition.wait}, without blocking the thread: `await cond.waitAsync()`. */
  async waitAsync(options?: WaitOptions): Promise<boolean> {
    const deadline = performance.now() + timeoutOption(options, "Condition.waitAsync()");
    this.checkHeld("waitAsync()");
    const seen = Atomics.load(this.cells, SEQUENCE);
    const holds = this.releaseAll();
    const notified = await waitWhileAsync(this.cells, SEQUENCE, seen, deadline);
    for (let i = 0; i < holds; i++) await this.lock.acquireAsync();
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
    const deadline = performance.now() + timeoutOption(options, "Condition.waitFor()");
    let result = predicate();
    while (!result && remaining(deadline) > 0) {
      this.wait({ timeout: remaining(deadline) / 1000 });
      result = predicate();
    }
    return result;
  }

  /** Like {@link Condition.waitFor}, without blocking the thread. */
  async waitForAsync<T>(predicate: () => T, options?: WaitOptions): Promise<T> {
    const deadline = performance.now() + timeoutOption(options, "Condition.waitForAsync()");
    let result = predicate();
    while (!result && remaining(deadline) > 0) {
      await this.waitAsync({ timeout: remaining(deadline) / 1000 });
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes up to `n` waiters, like Python's `notify(n)`. They run once they get the lock back.
   *
   * @param n - how many to wake (default 1).
   */
  notify(n = 1): void {
    checkCount(n, "Condition.notify(): n", 0);
    this.checkHeld("notify()");
    Atomics.add(this.cells, SEQUENCE, 1);
    Atomics.notify(this.cells, SEQUENCE, n);
  }

  /** Wakes every waiter, like Python's `notify_all()`. */
  notifyAll(): void {
    this.checkHeld("notifyAll()");
    Atomics.add(this.cells, SEQUENCE, 1);
    Atomics.notify(this.cells, SEQUENCE);
  }

  /** Shows the lock's state: `<Condition(<RLock(unlocked)>)>`. */
  toString(): string {
    return `<Condition(${this.lock})>`;
  }
}

registerShareable("Condition", (d) => Condition.fromBuffer(d.buffer as SharedArrayBuffer, decode(d.lock) as Lock));
