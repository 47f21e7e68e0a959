/**
 * What makes an explored thread do the same for the same schedule, as stateless model checking
 * needs (each schedule is re-run from the start, and a prefix must replay alike): inside an
 * explored thread `Math.random()` is a fixed pseudo-random sequence (its own per thread, started
 * afresh on every run), and the clocks (`Date.now()`, `new Date()`, `performance.now()`) read the
 * thread's virtual clock (see schedule-protocol.ts), which starts each run at {@link EPOCH} and
 * moves only when a timeout fires. Anything else that differs between runs (a file, the process's
 * own clock) is caught by the scheduler, which compares each replayed step with the last run's
 * (run.ts), and reported as nondeterminism.
 *
 * @packageDocumentation
 */

/** What `Date.now()` reads in an explored thread when its virtual clock is 0: 2026-01-01T00:00:00Z. */
export const EPOCH = Date.UTC(2026, 0, 1);

/**
 * Makes `Math.random`, `Date` and `performance.now` of this worker deterministic.
 *
 * @param clock - the thread's virtual clock, in milliseconds since its run began.
 * @param seed - the thread's seed (its slot): each thread its own sequence.
 * @returns a function to call at the start of each run, which restarts the sequence.
 */
export function makeDeterministic(clock: () => number, seed: number): () => void {
  let state = 0;
  const restart = (): void => {
    state = (0x9e3779b9 * (seed + 1)) >>> 0;
  };
  // mulberry32: small, fast, and the same on every machine.
  Math.random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const RealDate = Date;
  const now = (): number => EPOCH + clock();
  (globalThis as Record<string, unknown>).Date = new Proxy(RealDate, {
    construct: (target, args, newTarget) => Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget) as object,
    apply: () => new RealDate(now()).toString(),
    get: (target, key) => (key === "now" ? now : Reflect.get(target, key)),
  });
  performance.now = clock;
  restart();
  return restart;
}
