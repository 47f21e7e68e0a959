/**
 * The explorer's row of `npm run bench`: how fast `mp.explore` runs schedules and steps, on the
 * tutorial's bank with a Lock (2 threads x 2 locked updates, at most 4 preemptions per schedule).
 * Each step is a round trip between a worker and the scheduler, so this measures that hand-off
 * more than anything else.
 *
 * @packageDocumentation
 */
import * as mp from "../dist";

/** What one exploration measured. */
export interface ExploreSpeed {
  readonly schedules: number;
  readonly steps: number;
  readonly seconds: number;
  readonly schedulesPerSecond: number;
  readonly stepsPerSecond: number;
  /** The row, as the table prints it. */
  readonly line: string;
}

/** Explores the bank with a Lock once and reports its speed. */
export async function exploreSpeed(): Promise<ExploreSpeed> {
  const result = await mp.explore({
    threads: [
      (b: mp.Value, lock: mp.Lock) => {
        for (let i = 0; i < 2; i++) mp.withLock(lock, () => (b.value = b.value + 1));
      },
      (b: mp.Value, lock: mp.Lock) => {
        for (let i = 0; i < 2; i++) mp.withLock(lock, () => (b.value = b.value - 1));
      },
    ],
    args: [mp.Value("i", 200), new mp.Lock()] as [mp.Value, mp.Lock],
    reduce: true,
    preemptions: 4,
    check: ({ args: [b] }) => b.value === 200,
  });
  if (result.failure !== null) throw new Error(`the explorer found a failure in the bank with a Lock:\n${result}`);
  const { schedules, steps, seconds } = result;
  const schedulesPerSecond = schedules / seconds;
  const stepsPerSecond = steps / seconds;
  const line =
    `mp.explore (bank with a Lock, 2 x 2, ≤ 4 preemptions): ${schedules} schedules, ${steps} steps in ${seconds.toFixed(2)} s = ` +
    `${schedulesPerSecond.toFixed(0)} schedules/s, ${stepsPerSecond.toFixed(0)} steps/s`;
  return { schedules, steps, seconds, schedulesPerSecond, stepsPerSecond, line };
}
