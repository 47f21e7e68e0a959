/**
 * MUTANT (deliberately broken, for test/explore-mutants.test.ts): a condition variable that counts
 * notifications instead of signalling waiters — the design the slot-per-waiter Condition replaced.
 * A waiter returns `true` when the count changed while it waited, so a waiter whose timeout ran out
 * after somebody ELSE was notified says it was notified too: `notify(1)` seems to wake two.
 */
import { atomics } from "../../dist/atomics";

const COUNT = 0;

/** The broken condition, over the memory of an `mp.Array("i", 1)`, used with a lock. */
export class CountingCondition {
  private readonly cells: Int32Array;

  constructor(
    memory: { readonly buffer: SharedArrayBuffer },
    private readonly lock: { acquire(): unknown; release(): void },
  ) {
    this.cells = new Int32Array(memory.buffer);
  }

  /** Waits (the lock held) at most `seconds`; true if the count changed meanwhile. */
  wait(seconds: number): boolean {
    const seen = atomics.load(this.cells, COUNT);
    const deadline = atomics.now() + seconds * 1000;
    this.lock.release();
    for (;;) {
      if (atomics.load(this.cells, COUNT) !== seen) break;
      const left = Math.max(0, deadline - atomics.now());
      if (left === 0) break;
      atomics.wait(this.cells, COUNT, seen, left);
    }
    const notified = atomics.load(this.cells, COUNT) !== seen; // the bug: anybody's notify counts
    this.lock.acquire();
    return notified;
  }

  /** Wakes up to `n` waiters (the lock held); returns how many it woke. */
  notify(n: number): number {
    atomics.add(this.cells, COUNT, 1);
    return atomics.notify(this.cells, COUNT, n);
  }
}
