/**
 * MUTANT (deliberately broken, for test/explore-queue.test.ts): an `mp.Queue` whose put forgets
 * to wake a sleeping getter. A consumer that found the queue empty and went to sleep is never
 * woken by the put that follows: a lost wake-up, which the explorer reports as a deadlock.
 */
import { Queue } from "../../dist/queue/queue";

/** The broken queue, over the memory of a real `mp.Queue` (`fromBuffer(q.buffer, q.readLock, q.writeLock)`). */
export class QueueWithoutNotify extends Queue {
  /** The bug: a put wakes nobody. */
  protected override wakeGetter(): void {}
}
