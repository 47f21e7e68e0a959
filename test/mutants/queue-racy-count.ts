/**
 * MUTANT (deliberately broken, for test/explore-queue.test.ts): an `mp.Queue` whose get updates
 * the ring's count of bytes in use non-atomically: it reads the count and writes it back, less the
 * record it took, where the real get subtracts with one atomic step. A get holds only the read
 * lock; a put, holding the write lock, adds its record to the same cell at the same time, and when
 * it lands between the read and the write its update is lost: the queue's books no longer match
 * its items.
 */
import { atomics } from "../../dist/atomics";
import { Queue } from "../../dist/queue/queue";

// The cells of src/queue/channel.ts.
const ITEMS = 0;
const USED = 1;
const HEAD = 32;
const GET_SEQ = 33;
const PUT_SLEEPERS = 49;

/** The broken queue, over the memory of a real `mp.Queue` (`fromBuffer(q.buffer, q.readLock, q.writeLock)`). */
export class QueueRacyCount extends Queue {
  /** The real get's bookkeeping, but for the count of bytes in use. */
  protected override took(head: number, size: number): void {
    const cells = this.cells;
    atomics.store(cells, HEAD, (head + size) % this.ring.length);
    const used = atomics.load(cells, USED);
    atomics.store(cells, USED, used - size); // the bug: a put may have added to USED since the load
    atomics.sub(cells, ITEMS, 1);
    atomics.add(cells, GET_SEQ, 1);
    if (atomics.load(cells, PUT_SLEEPERS) > 0) atomics.notify(cells, GET_SEQ);
  }
}
