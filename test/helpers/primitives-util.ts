/**
 * Helpers for the tests of the synchronisation primitives (primitives.test.ts, properties.test.ts):
 * shared counters, starting several workers at one moment, and joining them all without hanging.
 */
import * as mp from "../../dist";
import { finish, until } from "./util";

/** `n` zeroed Int32 cells in shared memory; a plain Int32Array in `args` travels by memory. */
export function counters(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}

/** `[0, 1, ..., n - 1]`. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * Joins every process, each with `seconds` of timeout (terminated if it runs over). As soon as one
 * fails, the others are terminated too, and the first failure is rethrown: no worker is left
 * running, and a test whose workers wait for a failed one fails at once.
 */
export async function finishAll(processes: readonly mp.Process<never>[], seconds = 20): Promise<void> {
  const finishing = processes.map((p) => finish(p, seconds));
  try {
    await Promise.all(finishing);
  } catch (error) {
    await Promise.all(processes.map((p) => (p.isAlive() ? p.terminate() : undefined)));
    await Promise.allSettled(finishing);
    throw error;
  }
}

/**
 * Starts `processes`, waits until `ready[at]` says every one of them is ready (each worker adds 1
 * there, then waits for `go`), and sets `go`, so that they all begin at the same moment rather than
 * one after another as their threads happen to start.
 */
export async function startTogether(processes: readonly mp.Process<never>[], ready: Int32Array, at: number, go: mp.Event): Promise<void> {
  for (const p of processes) p.start();
  await until(() => Atomics.load(ready, at) === processes.length, `${processes.length} workers to be ready`, 30);
  go.set();
}

/**
 * Keeps Node's event loop alive until `promise` settles. A pending `Atomics.waitAsync` (behind
 * every `…Async` wait of the library) does not, even with a timeout: with no worker left running,
 * Node would exit before a timed-out wait resolves (reported; see primitives.test.ts).
 */
export async function alive<T>(promise: Promise<T>): Promise<T> {
  const timer = setInterval(() => undefined, 1000);
  try {
    return await promise;
  } finally {
    clearInterval(timer);
  }
}

/**
 * Calls `shared[method](options)` in a worker (blocking waits are allowed only there) and returns
 * what it returned, as a number (true is 1), and how many milliseconds the call took.
 */
export async function timeInWorker(shared: object, method: string, options: object): Promise<{ result: number; ms: number }> {
  const out = mp.Array("d", 2);
  const p = new mp.Process({
    target: (shared: Record<string, (options: object) => unknown>, method: string, options: object, out: mp.SharedArray<"d">) => {
      const t0 = performance.now();
      out[0] = Number(shared[method](options));
      out[1] = performance.now() - t0;
    },
    args: [shared as Record<string, (options: object) => unknown>, method, options, out],
  });
  p.start();
  await finish(p);
  return { result: out[0], ms: out[1] };
}
