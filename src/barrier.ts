/**
 * `Barrier`: a meeting point for a fixed number of workers, like Python's
 * `multiprocessing.Barrier` — nobody goes on to the next phase until all have finished this one.
 *
 * @packageDocumentation
 */
import { BrokenBarrierError, describe } from "./errors";
import { Lock, withLock, withLockAsync } from "./lock";
import { SharedPrimitive, cellsOf, timeoutOption, checkCount, waitWhile, waitWhileAsync } from "./primitive";
import { registerShareable } from "./transfer";
import { refuseBlockingOnMainThread } from "./thread";
import type { WaitOptions } from "./event";

const COUNT = 0;
const GENERATION = 1;
const BROKEN = 2;
const PARTIES = 3;
const CELLS = 4;

/**
 * A barrier for `parties` workers, like Python's `multiprocessing.Barrier(parties)`: each
 * `wait()` blocks until `parties` threads are waiting, then all go on together, and the barrier
 * can be used again for the next phase.
 */
export class Barrier extends SharedPrimitive {
  /** The lock that makes arriving one at a time (it travels with the barrier). */
  readonly guard: Lock;

  /**
   * Makes a barrier for `parties` threads.
   *
   * @param parties - how many must arrive before all go on (1 or more).
   * @throws TypeError or RangeError unless it is a whole number ≥ 1.
   */
  constructor(parties: number);
  /** @internal Rebuilds one over existing memory; use `fromBuffer`. */
  constructor(parties: number, cells: Int32Array, guard: Lock);
  constructor(parties: number, cells?: Int32Array, guard?: Lock) {
    super(cells ?? CELLS);
    this.guard = guard ?? new Lock();
    if (cells === undefined) this.cells[PARTIES] = checkCount(parties, "Barrier(): parties", 1);
  }

  /**
   * Rebuilds a barrier over memory another one made.
   *
   * @param buffer - the other barrier's `.buffer`.
   * @param guard - the other barrier's internal lock (rebuilt in this thread).
   */
  static fromBuffer(buffer: SharedArrayBuffer, guard: Lock): Barrier {
    const cells = cellsOf(buffer, "Barrier", CELLS);
    if (!(guard instanceof Lock)) {
      throw new TypeError(`Barrier.fromBuffer() needs the other barrier's .guard (a Lock) too, not ${describe(guard)}.`);
    }
    return new Barrier(cells[PARTIES], cells, guard);
  }

  protected get kind(): string {
    return "Barrier";
  }

  protected parts(): Record<string, unknown> {
    return { guard: this.guard };
  }

  /** How many threads must arrive, like Python's `parties`. */
  get parties(): number {
    return this.cells[PARTIES];
  }

  /** How many are waiting now, like Python's `n_waiting`. */
  get nWaiting(): number {
    return Atomics.load(this.cells, COUNT);
  }

  /** Whether the barrier is broken, like Python's `broken`. */
  get broken(): boolean {
    return Atomics.load(this.cells, BROKEN) === 1;
  }

  /** Breaks the barrier: every waiter, now and later, gets a {@link BrokenBarrierError}. */
  abort(): void {
    Atomics.store(this.cells, BROKEN, 1);
    Atomics.store(this.cells, COUNT, 0);
    Atomics.add(this.cells, GENERATION, 1);
    Atomics.notify(this.cells, GENERATION);
  }

  /** Counts this thread in; returns its arrival index and the generation to wait out (or -1 if it was last). */
  private arrive(): { index: number; generation: number } {
    if (this.broken) throw new BrokenBarrierError("Barrier.wait(): the barrier is broken (a waiter timed out, or abort() was called).");
    const generation = Atomics.load(this.cells, GENERATION);
    const index = Atomics.add(this.cells, COUNT, 1);
    if (index + 1 < this.parties) return { index, generation };
    Atomics.store(this.cells, COUNT, 0);
    Atomics.add(this.cells, GENERATION, 1);
    Atomics.notify(this.cells, GENERATION);
    return { index, generation: -1 };
  }

  private afterWait(passed: boolean, timeout: number | undefined): void {
    if (!passed) {
      this.abort();
      throw new BrokenBarrierError(`Barrier.wait() timed out after ${timeout} s with ${this.nWaiting} of ${this.parties} parties waiting, so the barrier is now broken for everyone.`);
    }
    if (this.broken) throw new BrokenBarrierError("Barrier.wait(): the barrier was broken while this thread waited (a waiter timed out, or abort() was called).");
  }

  /**
   * Waits until all parties have arrived, like Python's `wait()`. On the main thread use `waitAsync`.
   *
   * @param options - `timeout` in seconds; if it runs out, the barrier breaks for everyone.
   * @returns this thread's arrival index, 0 to parties - 1 (exactly one thread gets each).
   * @throws BrokenBarrierError if the barrier is or becomes broken.
   */
  wait(options: WaitOptions = {}): number {
    const deadline = performance.now() + timeoutOption(options, "Barrier.wait()");
    refuseBlockingOnMainThread("Barrier.wait()", "`await barrier.waitAsync()`");
    const { index, generation } = withLock(this.guard, () => this.arrive());
    if (generation >= 0) this.afterWait(waitWhile(this.cells, GENERATION, generation, deadline), options.timeout);
    return index;
  }

  /** Like {@link Barrier.wait}, without blocking the thread: `await barrier.waitAsync()`. */
  async waitAsync(options: WaitOptions = {}): Promise<number> {
    const deadline = performance.now() + timeoutOption(options, "Barrier.waitAsync()");
    const { index, generation } = await withLockAsync(this.guard, () => this.arrive());
    if (generation >= 0) this.afterWait(await waitWhileAsync(this.cells, GENERATION, generation, deadline), options.timeout);
    return index;
  }

  /** Shows the state: `<Barrier(parties=3, waiting=1)>`. */
  toString(): string {
    return `<Barrier(parties=${this.parties}, waiting=${this.nWaiting}${this.broken ? ", broken" : ""})>`;
  }
}

registerShareable("Barrier", (d, part) => Barrier.fromBuffer(d.buffer as SharedArrayBuffer, part(d.guard) as Lock));
