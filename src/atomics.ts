/**
 * The one door through which the primitives touch memory that other threads see, and read the
 * clock their timeouts run on. By default every operation is the native `Atomics` one (and the
 * clock is `performance.now()`), called through a plain object so that V8 still inlines it.
 *
 * Nothing in the library calls `Atomics` directly: `Lock`, `RLock`, `Semaphore`, `Event`,
 * `Condition`, `Barrier` and the elements of `Value`/`Array` all come here. That is what lets a
 * worker run under a deterministic scheduler (see `explore`): it swaps these operations for ones
 * that ask the scheduler before each step, and the clock for a virtual one, without any primitive
 * knowing.
 *
 * @packageDocumentation
 */
import type { AnyTypedArray } from "./typecodes";

/** What `Atomics.wait` answers. */
export type WaitResult = "ok" | "not-equal" | "timed-out";

/** The shared-memory operations and the clock the primitives use; see {@link atomics}. */
export interface SharedMemoryOps {
  /** `Atomics.load` of a 32-bit cell. */
  load(cells: Int32Array, index: number): number;
  /** `Atomics.store` of a 32-bit cell; returns the value stored. */
  store(cells: Int32Array, index: number, value: number): number;
  /** `Atomics.add`; returns the old value. */
  add(cells: Int32Array, index: number, value: number): number;
  /** `Atomics.sub`; returns the old value. */
  sub(cells: Int32Array, index: number, value: number): number;
  /** `Atomics.exchange`; returns the old value. */
  exchange(cells: Int32Array, index: number, value: number): number;
  /** `Atomics.compareExchange`; returns the old value (the exchange happened if it equals `expected`). */
  compareExchange(cells: Int32Array, index: number, expected: number, replacement: number): number;
  /** `Atomics.wait`: sleeps while `cells[index]` is `value`, at most `ms` milliseconds. */
  wait(cells: Int32Array, index: number, value: number, ms?: number): WaitResult;
  /**
   * `Atomics.waitAsync`, awaited: settles once `cells[index]` is not `value`, or it is woken, or
   * `ms` milliseconds passed (what `wait` answers, as a promise). It never blocks the thread
   * natively; under the explorer it is modelled as `wait` (see explore/scheduled-ops.ts).
   */
  waitAsync(cells: Int32Array, index: number, value: number, ms: number): Promise<WaitResult>;
  /** `Atomics.notify`: wakes up to `count` sleepers on the cell (all when left out); returns how many. */
  notify(cells: Int32Array, index: number, count?: number): number;
  /**
   * Reads element `index` of a `Value`'s or `Array`'s memory: `Atomics.load` when `atomic` (integer
   * typecodes), a plain read otherwise (`"f"`, `"d"`: `Atomics` has no floats).
   */
  read(values: AnyTypedArray, index: number, atomic: boolean): number | bigint;
  /** Writes element `index`, with `Atomics.store` when `atomic`, a plain write otherwise. */
  write(values: AnyTypedArray, index: number, value: number | bigint, atomic: boolean): void;
  /** The clock deadlines are measured on, in milliseconds (`performance.now()`). */
  now(): number;
}

// Taken once, at load: under the explorer a thread's global `Atomics` and clocks are replaced
// (see explore/raw-memory.ts), and the native operations must stay native.
const { load, store } = Atomics;
const clock = performance.now.bind(performance);

// Atomics.waitAsync is in Node 20 but not in TypeScript 5.0's lib, which the notebook kernel uses.
type WaitAsyncResult = { async: false; value: "not-equal" | "timed-out" } | { async: true; value: Promise<"ok" | "timed-out"> };
const nativeWaitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeout?: number): WaitAsyncResult;
}).waitAsync;

/**
 * `Atomics.waitAsync`, awaited. A pending `waitAsync` does not keep Node's event loop alive by
 * itself, so a timer does, until the wait settles: otherwise a script whose only pending work is
 * this wait would exit before it ends.
 */
async function waitAsync(cells: Int32Array, index: number, value: number, ms: number): Promise<WaitResult> {
  const waiting = nativeWaitAsync(cells, index, value, ms);
  if (!waiting.async) return waiting.value;
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    return await waiting.value;
  } finally {
    clearInterval(keepAlive);
  }
}

/** The native operations, the default. Frozen: {@link useSharedMemoryOps} restores from it. */
export const nativeOps: Readonly<SharedMemoryOps> = Object.freeze({
  load: Atomics.load,
  store: Atomics.store,
  add: Atomics.add,
  sub: Atomics.sub,
  exchange: Atomics.exchange,
  compareExchange: Atomics.compareExchange,
  wait: Atomics.wait,
  waitAsync,
  notify: Atomics.notify,
  read(values: AnyTypedArray, index: number, atomic: boolean): number | bigint {
    return atomic ? load(values as Int32Array, index) : values[index];
  },
  write(values: AnyTypedArray, index: number, value: number | bigint, atomic: boolean): void {
    if (atomic) store(values as Int32Array, index, value as number);
    else values[index] = value as number;
  },
  now: clock,
} as SharedMemoryOps);

/**
 * The operations in force in this thread: {@link nativeOps} unless a scheduler swapped them.
 * The primitives call `atomics.compareExchange(...)` where they would call `Atomics.compareExchange(...)`.
 */
export const atomics: SharedMemoryOps = { ...nativeOps };

/**
 * Swaps the operations of this thread (a worker under a scheduler does this before its target
 * runs), or puts the native ones back when called with {@link nativeOps}.
 *
 * @param ops - the operations to use from now on in this thread.
 */
export function useSharedMemoryOps(ops: SharedMemoryOps): void {
  Object.assign(atomics, ops);
}
