/**
 * MUTANT (deliberately broken, for test/explore-mutants.test.ts): a lock that records its owner in
 * a second cell AFTER the compare-exchange that takes it — the bug the lock word fixed. A holder
 * terminated between the two leaves the lock "locked by nobody": the owner-ended logic cannot tell
 * it was the holder, nobody marks it abandoned, and the next acquire waits forever. (Its owner-ended
 * logic wakes every sleeper when a thread dies, so that this is the only way it hangs.)
 */
import { threadId } from "node:worker_threads";
import { atomics } from "../../dist/atomics";
import { LockOwnerDiedError } from "../../dist/errors";

const STATE = 0;
const OWNER = 1;
const FREE = 0;
const TAKEN = 1;
const ABANDONED = 2;

/** The broken lock, over the memory of an `mp.Array("i", 2)`. */
export class OwnerAfterCasLock {
  private readonly cells: Int32Array;

  constructor(memory: { readonly buffer: SharedArrayBuffer }) {
    this.cells = new Int32Array(memory.buffer);
  }

  acquire(): void {
    for (;;) {
      const seen = atomics.compareExchange(this.cells, STATE, FREE, TAKEN);
      if (seen === FREE) break;
      if (seen === ABANDONED) throw new LockOwnerDiedError("OwnerAfterCasLock", atomics.load(this.cells, OWNER) - 1);
      atomics.wait(this.cells, STATE, TAKEN);
    }
    atomics.store(this.cells, OWNER, threadId + 1); // the bug: a second step after taking it
  }

  release(): void {
    atomics.store(this.cells, OWNER, 0);
    atomics.store(this.cells, STATE, FREE);
    atomics.notify(this.cells, STATE, 1);
  }

  /** Called on the thread that started the workers, as a real lock's is (see owner-watch.ts). */
  ownerEnded(ended: number, died: boolean): void {
    if (!died) return;
    if (atomics.load(this.cells, OWNER) === ended + 1) atomics.compareExchange(this.cells, STATE, TAKEN, ABANDONED);
    atomics.notify(this.cells, STATE);
  }
}
