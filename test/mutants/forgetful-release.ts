/**
 * MUTANT (deliberately broken, for test/explore-mutants.test.ts): a lock whose release forgets to
 * wake a sleeper. A waiter that went to sleep in `Atomics.wait` before the release sleeps forever:
 * a lost wake-up.
 */
import { atomics } from "../../dist/atomics";

const STATE = 0;
const FREE = 0;
const TAKEN = 1;
const SLEEPERS = 2;

/** The broken lock, over the memory of an `mp.Array("i", 1)`. */
export class ForgetfulLock {
  private readonly cells: Int32Array;

  constructor(memory: { readonly buffer: SharedArrayBuffer }) {
    this.cells = new Int32Array(memory.buffer);
  }

  acquire(): void {
    if (atomics.compareExchange(this.cells, STATE, FREE, TAKEN) === FREE) return;
    // Drepper's mutex: mark that somebody sleeps, sleep, and take it marked when it is free.
    while (atomics.exchange(this.cells, STATE, SLEEPERS) !== FREE) atomics.wait(this.cells, STATE, SLEEPERS);
  }

  release(): void {
    atomics.store(this.cells, STATE, FREE); // the bug: no notify, even when STATE was SLEEPERS
  }
}
