/**
 * MUTANT (deliberately broken, for test/explore-queue.test.ts): an `mp.Queue` whose get updates
 * the ring's count of bytes in use non-atomically: it reads the count under the lock and writes
 * it back, less the record it took, after letting go of the lock (as a get "shortening its
 * critical section" would). A put that runs in between adds its record to the same cell, and that
 * update is lost: the queue's books no longer match its items.
 */
import { atomics } from "../../dist/atomics";
import { Queue } from "../../dist/queue/queue";

// The cells of src/queue/channel.ts.
const ITEMS = 0;
const GET_SEQ = 2;
const HEAD = 3;
const USED = 4;
const PUT_SLEEPERS = 6;

/** The broken queue, over the memory of a real `mp.Queue` (`fromBuffer(q.buffer, q.lock)`). */
export class QueueRacyCount extends Queue {
  /** The real get's bookkeeping, but for the count of bytes in use. */
  protected override took(head: number, size: number, items: number): void {
    const cells = this.cells;
    atomics.store(cells, HEAD, (head + size) % this.ring.length);
    atomics.store(cells, ITEMS, items - 1);
    atomics.add(cells, GET_SEQ, 1);
    if (atomics.load(cells, PUT_SLEEPERS) > 0) atomics.notify(cells, GET_SEQ);
    const used = atomics.load(cells, USED);
    this.lock.release();
    atomics.store(cells, USED, used - size); // the bug: a put may have changed USED since the load
    this.lock.acquire();
  }
}
