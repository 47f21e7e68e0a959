/**
 * How long a waiter spins before it sleeps: an adaptive bound, one per thread, that a lock asks
 * only after its first `compareExchange` failed (the uncontended path never comes here). And how
 * long a waiter naps when a wake-up found the lock taken again ({@link napAfterLostWakeUp}).
 *
 * Why spin at all, and why so little (three lines for the lock's header):
 *   Spinning pays only while the holder runs on another core: a short section ends within a few looks, sooner than sleep + wake.
 *   With more runnable workers than cores a spinner burns the core a preempted holder needs, and more spinners fight over one cache line.
 *   So: one spinner at a time, none below 3 cores; ≤ 2 × recent spins' looks + 10, ≤ 100 (glibc's adaptive mutex); none while recent spins lost.
 *
 * Measured: a futex that spins against one that sleeps at once, in M increments/s. On 16 cores
 * (plain-JS copies, 2026-11-25, `bench/README.md`, "Many cores"), 100 looks: 7.5 vs 7.1 with 2
 * workers (one spinner: it pays a little), 4.2 vs 5.8 with 4, 2.05 vs 6.4 with 16. On 2 cores
 * (`npm run bench`'s futex copies, 8 runs on 2026-12-01), 64 looks reached 0.84×, 0.96×, 0.88×
 * and 0.90× of sleeping at once with 2, 4, 8 and 16 workers (geometric means; sleeping was ahead
 * in 5 runs of 8): the holder, the spinner and everything else share two cores.
 *
 * The estimates are a few small integers per thread (a module is loaded once per worker), so asking
 * allocates nothing; all of a thread's locks share them (glibc keeps its estimate per mutex, but a
 * worker here mostly waits on one lock at a time). The count of spinning threads is one cell of
 * shared memory for the whole process (a count per lock would let waiters of different locks spin
 * at the same time; the lock's memory has no room for it yet): the main thread puts it in
 * `worker_threads`' environment data when the library loads, and every worker started after that
 * inherits it. A worker terminated in the middle of a spin (a window of microseconds) leaves that
 * count one too high for good: no more spinning in that process, so slower hand-offs between two
 * workers, never a wrong result.
 *
 * @packageDocumentation
 */
import { availableParallelism } from "node:os";
import { getEnvironmentData, setEnvironmentData } from "node:worker_threads";

/** The most looks one spin may take: glibc's default `max_adaptive_count`. */
export const MOST_LOOKS = 100;
/** Odds are kept in 1/256ths: 256 = every recent spin won. Spinning stops below one half. */
const SURE = 256;
const EVEN = SURE / 2;
/** Recent outcomes weigh 1/8 (a shift by 3), as glibc's estimate. */
const WEIGHT_SHIFT = 3;
/** What the looks estimate starts at, in eighths: a first budget of 64 looks, the old fixed spin. */
const FIRST_LOOKS_8THS = 27 * 8;
/** The environment-data key of the process's count of spinning threads. */
const SPINNERS_KEY = "mp.spinners";

/**
 * This process's count of threads spinning now (one `Int32` of shared memory), the one this
 * thread inherited, or a new one that the workers it starts will inherit.
 */
function processSpinners(): Int32Array {
  const inherited: unknown = getEnvironmentData(SPINNERS_KEY);
  if (inherited instanceof Int32Array && inherited.buffer instanceof SharedArrayBuffer) return inherited;
  const spinners = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  setEnvironmentData(SPINNERS_KEY, spinners);
  return spinners;
}

/**
 * One thread's spin policy. The library uses one per thread through {@link spinBudget} and
 * {@link spinOutcome}; separate instances are for tests and for reasoning about it.
 *
 * Three things bound a spin:
 * - the cores and the others: one thread of the process spins at a time (one spinner is the only
 *   case where spinning paid on 16 cores), and none below 3 cores, where a spinner and a holder
 *   leave no core for anything else (spinning lost at every count measured on 2 cores);
 * - the looks recent spins took, a mean decaying with weight 1/8 (a lost spin counts all it took,
 *   as in glibc): the budget is twice that plus 10, at most {@link MOST_LOOKS};
 * - the odds that a spin wins, decaying the same way. Below one half the budget is 0 (sleep at
 *   once); every such sleep raises the odds by 1/256, so a spin is tried again after about 16.
 */
export class SpinPolicy {
  private readonly mostSpinners: number;
  private looks8 = FIRST_LOOKS_8THS;
  private odds = SURE;
  private spinning = false;

  /**
   * @param cores - the cores this process may use, `os.availableParallelism()` by default; below 3
   *   the budget is always 0.
   * @param spinners - the count of spinning threads it shares with the other threads: by default
   *   the process's own (see the module's comment); a test passes a fresh one.
   * @throws RangeError if `cores` is not a whole number ≥ 1.
   */
  constructor(cores: number = availableParallelism(), private readonly spinners: Int32Array = processSpinners()) {
    if (!Number.isInteger(cores) || cores < 1) {
      throw new RangeError(`SpinPolicy: cores must be a whole number of at least 1, not ${cores}.`);
    }
    this.mostSpinners = cores >= 3 ? 1 : 0;
  }

  /**
   * How many more looks at the lock before sleeping, now. Ask once per contended acquire, and
   * report every answer but 0 with {@link SpinPolicy.outcome}, which also ends this thread's turn
   * as a spinner. When the answer is 0 because recent spins lost, asking counts as one sleep
   * towards the next try.
   */
  budget(): number {
    if (this.mostSpinners === 0) return 0;
    if (this.odds < EVEN) {
      this.odds += 1;
      return 0;
    }
    if (Atomics.add(this.spinners, 0, 1) >= this.mostSpinners) {
      Atomics.sub(this.spinners, 0, 1);
      return 0;
    }
    this.spinning = true;
    return Math.min(MOST_LOOKS, (this.looks8 >> 2) + 10);
  }

  /**
   * Tells how a spin ended (after a budget of 0, it changes nothing).
   *
   * @param won - whether the spin took the lock.
   * @param used - how many looks it took; 0 (it stopped at the first look, because others already
   *   sleep) teaches nothing.
   */
  outcome(won: boolean, used: number): void {
    if (!this.spinning) return;
    this.spinning = false;
    Atomics.sub(this.spinners, 0, 1);
    if (used === 0) return;
    this.looks8 += used - (this.looks8 >> WEIGHT_SHIFT);
    this.odds += won ? (SURE - this.odds) >> WEIGHT_SHIFT : -(this.odds >> WEIGHT_SHIFT);
  }
}

/**
 * How long a waiter naps, in milliseconds, after a wake-up that found the lock taken again: about
 * one time slice of Linux's scheduler. See {@link napAfterLostWakeUp}.
 */
export const NAP_MS = 1;

/** How a thread decides: its own {@link SpinPolicy} and {@link NAP_MS}, or fixed looks and no nap. */
interface Decides {
  budget(): number;
  outcome(won: boolean, used: number): void;
  readonly napMs: number;
}

let thisThread: Decides = Object.assign(new SpinPolicy(), { napMs: NAP_MS });

/**
 * Makes every spin of this thread take the same `looks`, whatever happened before and however many
 * cores there are, and turns its naps off: a worker under `explore` does this, so that a schedule
 * replays alike on any machine (the adaptive policy depends on history and on the core count). A
 * nap touches no shared memory, so leaving it out changes no schedule; it would only slow exploring.
 *
 * @param looks - how many looks each spin may take.
 */
export function useFixedSpin(looks: number): void {
  thisThread = { budget: () => looks, outcome: () => undefined, napMs: 0 };
}

/** This thread's {@link SpinPolicy.budget}: how many more looks before sleeping, now. */
export function spinBudget(): number {
  return thisThread.budget();
}

/** This thread's {@link SpinPolicy.outcome}: how the spin that {@link spinBudget} allowed ended. */
export function spinOutcome(won: boolean, used: number): void {
  thisThread.outcome(won, used);
}

/**
 * How long this thread naps (milliseconds; 0: not at all) when `Atomics.notify` woke it from a
 * lock and it finds the lock taken again, before it looked or just before it could take it: a
 * running thread released and took it back in the meantime (a lock lets a running thread in
 * before a sleeping one, as Drepper's mutex does; waking the sleeper takes microseconds). Going straight back to sleep would set the
 * sleepers bit again at once, so that holder's next release would wake somebody again: one
 * wake-up per release, each a system call for the holder and, on few cores, a context switch,
 * which on 2 cores halved the rate of a busy lock. Napping first, without marking anything, leaves
 * the holder's releases at one compare-exchange for the length of the nap; the napper then looks
 * again and, if the lock is still taken, sleeps as before. A nap never makes anybody wait for the
 * napper: the lock stays free to take, and other sleepers are woken by the napper's own mark.
 * Measured in `bench/README.md` ("A nap after a lost wake-up").
 */
export function napAfterLostWakeUp(): number {
  return thisThread.napMs;
}
