/**
 * Facts about the thread the code is running on, and the one rule that depends on it: blocking
 * waits are for workers only.
 *
 * @packageDocumentation
 */
import { isMainThread, threadId } from "node:worker_threads";
import { BlockingCallError } from "./errors";

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

