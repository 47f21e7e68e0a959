/**
 * How long a waiter spins before it sleeps: an adaptive bound, one per thread, that a lock asks
 * only after its first `compareExchange` failed (the uncontended path never comes here).
 *
 * Why spin at all, and why so little (three lines for the lock's header):
 *   Spinning pays only while the holder runs on another core: a short section ends within a few looks, sooner than sleep + wake.
 *   With one core, or more runnable workers than cores, a spinner burns the core a preempted holder needs; many spinners fight over one cache line.
 *   So: none on one core; else ≤ 2 × recent spins' looks + 10, ≤ 100 (glibc's adaptive mutex); none while most recent spins lost (retried after ~16 sleeps).
 *
 * Measured: on 16 cores, plain-JS copies (2026-11-25), 16 workers: a futex that spins 100 looks
 * 2.05 M increments/s, one that sleeps at once 6.4 M/s (`bench/README.md`, "Many cores").
 *
 * The state is a few small integers per thread (a module is loaded once per worker), so asking
 * allocates nothing; all of a thread's locks share it, as glibc's estimate is per mutex but a
 * worker here mostly waits on one lock at a time.
 *
 * @packageDocumentation
 */
import { availableParallelism } from "node:os";

/** The most looks one spin may take: glibc's default `max_adaptive_count`. */
export const MOST_LOOKS = 100;
/** Odds are kept in 1/256ths: 256 = every recent spin won. Spinning stops below one half. */
const SURE = 256;
const EVEN = SURE / 2;
/** Recent outcomes weigh 1/8 (a shift by 3), as glibc's estimate. */
const WEIGHT_SHIFT = 3;
/** What the looks estimate starts at, in eighths: a first budget of 64 looks, the old fixed spin. */
const FIRST_LOOKS_8THS = 27 * 8;

/**
 * One thread's spin policy. The library uses one per thread through {@link spinBudget} and
 * {@link spinOutcome}; separate instances are for tests and for reasoning about it.
 *
 * Two estimates, both decaying with weight 1/8:
 * - the looks recent spins took (a lost spin counts all it took, as in glibc), which sets the
 *   budget to twice that plus 10, at most {@link MOST_LOOKS};
 * - the odds that a spin wins. Below one half the budget is 0 (sleep at once); every such sleep
 *   raises the odds by 1/256, so a spin is tried again after about 16 sleeps.
 */
export class SpinPolicy {
  private readonly most: number;
  private looks8 = FIRST_LOOKS_8THS;
  private odds = SURE;

  /**
   * @param cores - the cores this thread may use, `os.availableParallelism()` by default. With
   *   one, the budget is always 0: a spinner could only wait for a holder that cannot run.
   * @throws RangeError if `cores` is not a whole number ≥ 1.
   */
  constructor(cores: number = availableParallelism()) {
    if (!Number.isInteger(cores) || cores < 1) {
      throw new RangeError(`SpinPolicy: cores must be a whole number of at least 1, not ${cores}.`);
    }
    this.most = cores > 1 ? MOST_LOOKS : 0;
  }

  /**
   * How many more looks at the lock before sleeping, now. Ask once per contended acquire: when the
   * answer is 0 because recent spins lost, asking counts as one sleep towards the next try.
   */
  budget(): number {
    if (this.most === 0) return 0;
    if (this.odds < EVEN) {
      this.odds += 1;
      return 0;
    }
    return Math.min(this.most, (this.looks8 >> 2) + 10);
  }

  /**
   * Tells how a spin ended.
   *
   * @param won - whether the spin took the lock.
   * @param used - how many looks it took; 0 (it stopped at the first look, because others already
   *   sleep) teaches nothing and changes nothing.
   */
  outcome(won: boolean, used: number): void {
    if (used === 0) return;
    this.looks8 += used - (this.looks8 >> WEIGHT_SHIFT);
    this.odds += won ? (SURE - this.odds) >> WEIGHT_SHIFT : -(this.odds >> WEIGHT_SHIFT);
  }
}

const thisThread = new SpinPolicy();

/** This thread's {@link SpinPolicy.budget}: how many more looks before sleeping, now. */
export function spinBudget(): number {
  return thisThread.budget();
}

/** This thread's {@link SpinPolicy.outcome}: how the spin that {@link spinBudget} allowed ended. */
export function spinOutcome(won: boolean, used: number): void {
  thisThread.outcome(won, used);
}
