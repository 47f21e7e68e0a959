/**
 * `sleep` and `sleepAsync`: Python's `time.sleep`, in seconds, for workers and for the main thread.
 *
 * @packageDocumentation
 */
import { secondsToMs } from "./options";
import { refuseBlockingOnMainThread } from "./thread";

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Pauses this worker for `seconds`, like Python's `time.sleep`, without using the CPU.
 * It blocks the thread, so it is for code inside a process's `target`; on the main thread use
 * {@link sleepAsync}.
 *
 * @param seconds - how long to pause; fractions allowed (0.01 is 10 ms).
 * @throws BlockingCallError on the main thread.
 */
export function sleep(seconds: number): void {
  const ms = secondsToMs(seconds, "sleep()", "seconds");
  refuseBlockingOnMainThread("sleep()", "`await mp.sleepAsync(seconds)`");
  pauseMs(ms);
}

/**
 * @internal Blocks this thread for `ms` milliseconds, without checks: {@link sleep} and a lock's nap
 * (`src/spin.ts`). A native wait on this thread's own cell, which nobody notifies: it touches no
 * memory that other threads see, so it is not a step a scheduler needs to see.
 */
export function pauseMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * Pauses for `seconds` without blocking the thread: `await mp.sleepAsync(0.5)`. Works everywhere.
 *
 * @param seconds - how long to pause; fractions allowed.
 */
export function sleepAsync(seconds: number): Promise<void> {
  const ms = secondsToMs(seconds, "sleepAsync()", "seconds");
  if (ms === Infinity) return new Promise(() => undefined);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
