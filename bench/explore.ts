/**
 * The explorer's row of `npm run bench`: how fast `mp.explore` runs schedules and steps, on the
 * tutorial's bank with a Lock (2 threads x 2 locked updates, at most 4 preemptions per schedule),
 * where short schedules make a schedule's own start and end count; and the cost of one step in
 * long schedules (2 threads x 200 writes of a Value, at most 1 preemption: 400 schedules of 400
 * steps). Each step is a round trip between a worker and the scheduler, so the second measures
 * that hand-off more than anything else.
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
  /** Microseconds per step in long schedules. */
  readonly microsPerLongStep: number;
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
  const writes = new Function("v", "for (let i = 0; i < 200; i++) v.value = i;") as (v: mp.Value) => void;
  const long = await mp.explore({ threads: [writes, writes], args: [mp.Value("i", 0, { lock: false })] as [mp.Value], preemptions: 1 });
  const microsPerLongStep = (long.seconds / long.steps) * 1e6;
  const line =
    `mp.explore (bank with a Lock, 2 x 2, ≤ 4 preemptions): ${schedules} schedules, ${steps} steps in ${seconds.toFixed(2)} s = ` +
    `${schedulesPerSecond.toFixed(0)} schedules/s, ${stepsPerSecond.toFixed(0)} steps/s\n` +
    `mp.explore (2 x 200 writes, ≤ 1 preemption): ${long.schedules} schedules, ${long.steps} steps in ${long.seconds.toFixed(2)} s = ` +
    `${microsPerLongStep.toFixed(1)} µs a step`;
  return { schedules, steps, seconds, schedulesPerSecond, stepsPerSecond, microsPerLongStep, line };
}
