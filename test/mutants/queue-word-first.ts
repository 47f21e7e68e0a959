/**
 * MUTANT (deliberately broken, for test/explore-queue.test.ts): an `mp.Queue` whose sleepers say
 * they will sleep before they read the sequence cell they sleep on, where the real queue reads it
 * first (src/queue/channel.ts's header says why). A put that stored its item before the getter's
 * word but reads the word after it moves the sequence cell for that item; the getter, which had
 * already taken that item, reads the moved cell, finds nothing, and sleeps on it; the next put sees
 * no new word and wakes nobody: a lost wake-up, which the explorer reports as a deadlock.
 */
import { atomics } from "../../dist/atomics";
import { Queue } from "../../dist/queue/queue";

/** The broken queue, over the memory of a real `mp.Queue` (`fromBuffer(q.buffer, q.readLock, q.writeLock)`). */
export class QueueWordFirst extends Queue {
  /** The real word and read, the other way round. */
  protected override sayWillSleep(waits: number, seq: number): number {
    atomics.add(this.cells, waits, 1); // the bug: this comes after the load of seq in the real queue
    return atomics.load(this.cells, seq);
  }
}
