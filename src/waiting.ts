/**
 * The two ways of waiting for a cell of shared memory to change: blocking in a worker
 * (`Atomics.wait`) or awaiting anywhere (`Atomics.waitAsync`), against a deadline on the clock of
 * `src/atomics.ts`.
 *
 * @packageDocumentation
 */
import { atomics } from "./atomics";

/** Milliseconds left until `deadline` (a `performance.now()` time), never negative. */
export function remaining(deadline: number): number {
  return Math.max(0, deadline - atomics.now());
}

/**
 * Sleeps in this worker while `cells[index]` is `expected`, until it changes or `deadline` (a
 * `performance.now()` time) passes. Wake-ups that change nothing are slept through.
 *
 * @returns whether the cell changed (false: the deadline passed first).
 */
export function waitWhile(cells: Int32Array, index: number, expected: number, deadline: number): boolean {
  while (atomics.load(cells, index) === expected) {
    const left = remaining(deadline);
    if (left === 0) return false;
    atomics.wait(cells, index, expected, left);
  }
  return true;
}

/** Like {@link waitWhile}, without blocking the thread. */
export async function waitWhileAsync(cells: Int32Array, index: number, expected: number, deadline: number): Promise<boolean> {
  while (atomics.load(cells, index) === expected) {
    const left = remaining(deadline);
    if (left === 0) return false;
    await atomics.waitAsync(cells, index, expected, left);
  }
  return true;
}
