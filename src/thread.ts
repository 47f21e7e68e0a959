/**
 * Facts about the thread the code is running on, and the few rules that depend on it: blocking
 * waits are for workers only, and timeouts are seconds, as in Python.
 *
 * @packageDocumentation
 */
import { isMainThread, threadId } from "node:worker_threads";
import { atomics } from "./atomics";
import { BlockingCallError, describe } from "./errors";

/**
 * How this thread marks itself as the holder of a lock in shared memory: its `threadId` plus one,
 * so that 0 can mean "nobody". The main thread (threadId 0) is 1.
 */
export const OWNER_TAG: number = threadId + 1;

/** Turns an owner tag read from shared memory back into a `threadId`. */
export function threadIdOf(tag: number): number {
  return tag - 1;
}

/** Whether this thread may block in `Atomics.wait`: workers only (see {@link BlockingCallError}). */
export const MAY_BLOCK: boolean = !isMainThread;

/**
 * Refuses a blocking wait on the main thread, where `Atomics.wait` would freeze the notebook kernel.
 *
 * @param call - the call being refused, such as `"Lock.acquire()"`.
 * @param instead - what to use on the main thread.
 * @throws BlockingCallError on the main thread.
 */
export function refuseBlockingOnMainThread(call: string, instead: string): void {
  if (!MAY_BLOCK) throw new BlockingCallError(call, instead);
}

/**
 * Checks a timeout given in seconds (as in Python) and returns it in milliseconds for `Atomics.wait`.
 * `undefined` and `null` mean "wait as long as it takes" (Infinity).
 *
 * @param timeout - seconds, a number ≥ 0 (Infinity allowed), or undefined/null for no limit.
 * @param where - the call, for the message.
 * @throws TypeError or RangeError for anything else.
 */
export function timeoutMs(timeout: unknown, where: string): number {
  if (timeout === undefined || timeout === null) return Infinity;
  return secondsToMs(timeout, where, "timeout", " (or left out to wait forever)");
}

/**
 * Checks a duration in seconds and returns it in milliseconds.
 *
 * @param seconds - what the learner passed.
 * @param where - the call, for the message.
 * @param name - the argument's name, for the message.
 * @param note - what else the argument may be, for the message.
 * @throws TypeError if it is not a number; RangeError if it is negative.
 */
function secondsToMs(seconds: unknown, where: string, name: string, note = ""): number {
  if (typeof seconds !== "number" || Number.isNaN(seconds)) {
    throw new TypeError(`${where}: ${name} must be a number of seconds${note}, not ${describe(seconds)}.`);
  }
  if (seconds < 0) {
    throw new RangeError(`${where}: ${name} is ${seconds}, but it must be 0 or more seconds.`);
  }
  return seconds * 1000;
}

/** Milliseconds left until `deadline` (a `performance.now()` time), never negative. */
export function remaining(deadline: number): number {
  return Math.max(0, deadline - atomics.now());
}

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
