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

// Atomics.waitAsync is in Node 20 but not in TypeScript 5.0's lib, which the notebook kernel uses.
type WaitAsyncResult =
  | { async: false; value: "not-equal" | "timed-out" }
  | { async: true; value: Promise<"ok" | "timed-out"> };

const atomicsWaitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeout?: number): WaitAsyncResult;
}).waitAsync;

/**
 * `Atomics.waitAsync(cells, index, expected, ms)`, awaited. A pending `waitAsync` does not keep
 * Node's event loop alive by itself, so a timer does, until the wait settles: otherwise a script
 * whose only pending work is this wait would exit before it ends.
 */
export async function waitAsync(cells: Int32Array, index: number, expected: number, ms: number): Promise<void> {
  const waiting = atomicsWaitAsync(cells, index, expected, ms);
  if (!waiting.async) return;
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    await waiting.value;
  } finally {
    clearInterval(keepAlive);
  }
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
    await waitAsync(cells, index, expected, left);
  }
  return true;
}
