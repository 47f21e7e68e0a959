/**
 * MUTANT (deliberately broken, for test/explore-queue.test.ts): an `mp.JoinableQueue` whose
 * `taskDone()` updates the count of unfinished items non-atomically: it reads the count and writes
 * it back less one, where the real one takes one away with a compare-exchange. A put, holding the
 * write lock, adds its item to the same count at the same time (`taskDone` takes no lock, as in
 * Python it takes the queue's condition only to notify), and when it lands between the read and the
 * write its update is lost: `join()` can return while an item is not done, or a later `taskDone()`
 * is refused as one too many.
 *
 * (The queue's own indexes have no such race left to break: each count is written by one side
 * only, under that side's lock, see src/queue/channel.ts. The unfinished count is the cell that
 * both a put and a consumer change.)
 */
import { atomics } from "../../dist/atomics";
import { UNFINISHED } from "../../dist/queue/channel";
import { JoinableQueue } from "../../dist/queue/joinable-queue";

/** The broken queue, over the memory of a real `mp.JoinableQueue` (`fromBuffer(q.buffer, q.readLock, q.writeLock)`). */
export class JoinableRacyCount extends JoinableQueue {
  /** The real `taskDone`, but with a load and a store for the count. */
  override taskDone(): void {
    const left = atomics.load(this.cells, UNFINISHED);
    if (left === 0) throw new Error("taskDone() called more times than items were put");
    atomics.store(this.cells, UNFINISHED, left - 1); // the bug: a put may have added to it since the load
    if (left === 1) atomics.notify(this.cells, UNFINISHED);
  }
}
