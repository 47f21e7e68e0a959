/**
 * What every synchronisation object besides `Lock` has in common: a few `Int32` cells of shared
 * memory, a way to travel to a worker, a readable display, and the two ways of waiting for a cell
 * to change (blocking in a worker, or `await` anywhere).
 *
 * @packageDocumentation
 */
import { inspect } from "node:util";
import { describe } from "./errors";
import { ENCODE, encode, type Descriptor, type Shareable } from "./transfer";
import { remaining, timeoutMs } from "./thread";
import { atomics } from "./atomics";

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
 * Reads the options of an `acquire` (Python's `block` and `timeout`), checking each.
 *
 * @param options - what the learner passed (undefined for none).
 * @param where - the call, for messages.
 * @returns whether to block, and for how many milliseconds at most (Infinity for no limit).
 * @throws TypeError for options that are not an object, a non-boolean `blocking`, a bad timeout,
 *   or a timeout together with `blocking: false` (as in Python).
 */
export function acquireOptions(options: unknown, where: string): { blocking: boolean; ms: number } {
  const { blocking = true, timeout } = optionsObject(options, where) as { blocking?: unknown; timeout?: unknown };
  if (typeof blocking !== "boolean") {
    throw new TypeError(`${where}: blocking must be true or false, not ${describe(blocking)}.`);
  }
  const ms = timeoutMs(timeout, where);
  if (!blocking && timeout !== undefined) {
    throw new TypeError(`${where}: a timeout makes no sense with blocking: false (as in Python). Leave one of them out.`);
  }
  return { blocking, ms };
}

/**
 * Reads the `timeout` (seconds) of a wait's options and returns it in milliseconds, Infinity when
 * it is left out.
 *
 * @param options - what the learner passed (undefined for none).
 * @param where - the call, for messages.
 * @throws TypeError or RangeError for options that are not an object or a bad timeout.
 */
export function timeoutOption(options: unknown, where: string): number {
  return timeoutMs((optionsObject(options, where) as { timeout?: unknown }).timeout, where);
}

/**
 * Checks that `options` is an options object (or left out) and returns it.
 *
 * @throws TypeError naming the call if it is anything else.
 */
export function optionsObject(options: unknown, where: string): object {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${where}: options must be an object such as { timeout: 1 }, not ${describe(options)}.`);
  }
  return options;
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

/**
 * The number that marks a primitive's memory as being of `kind`: its first four letters as bytes
 * (`"Lock"` is 0x4c6f636b), so a hex dump reads it. It sits in the last cell of every primitive's
 * memory, and `fromBuffer` refuses memory with another kind's mark.
 */
export function kindMark(kind: string): number {
  const letters = kind.padEnd(4, " ");
  return ((letters.charCodeAt(0) << 24) | (letters.charCodeAt(1) << 16) | (letters.charCodeAt(2) << 8) | letters.charCodeAt(3)) | 0;
}

/** Checks a buffer handed to `fromBuffer` (its size and its kind mark) and returns its cells. */
export function cellsOf(buffer: unknown, kind: string, count: number): Int32Array {
  const needed = `the SharedArrayBuffer of ${(count + 1) * 4} bytes that a ${kind} made (its .buffer)`;
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength !== (count + 1) * 4) {
    throw new TypeError(`${kind}.fromBuffer() needs ${needed}, not ${describe(buffer)}.`);
  }
  const cells = new Int32Array(buffer);
  if (cells[count] !== kindMark(kind)) {
    throw new TypeError(`${kind}.fromBuffer() needs ${needed}, but this memory was made by another kind of object.`);
  }
  return cells;
}

/** Checks a whole-number argument such as a semaphore's value or a barrier's parties. */
export function checkCount(value: unknown, where: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${where} must be a whole number, not ${describe(value)}.`);
  }
  if (value < min || value > 0x7fffffff) {
    throw new RangeError(`${where} is ${value}, but it must be between ${min} and ${0x7fffffff}.`);
  }
  return value;
}

/**
 * The base of `Semaphore`, `Event`, `Condition` and `Barrier`: shared cells that travel to a
 * worker by memory and are rebuilt there.
 */
export abstract class SharedPrimitive implements Shareable {
  /** The object's shared memory: the same bytes in every thread that has it. */
  readonly buffer: SharedArrayBuffer;
  /** The same memory as 32-bit integers. */
  protected readonly cells: Int32Array;

  /**
   * @param cells - the memory to rebuild over (checked by `fromBuffer`), or how many cells fresh
   *   memory needs: it gets one more, holding the kind mark (see {@link kindMark}).
   */
  protected constructor(cells: Int32Array | number) {
    if (typeof cells === "number") {
      const fresh = new Int32Array(new SharedArrayBuffer((cells + 1) * 4));
      // `kind` is a getter on the subclass's prototype, so it is there before any constructor runs.
      fresh[cells] = kindMark((this as unknown as { readonly kind: string }).kind);
      cells = fresh;
    }
    this.cells = cells;
    this.buffer = cells.buffer as SharedArrayBuffer;
  }

  /**
   * The kind of object, such as `"Lock"`: in messages, and on the trip to a worker, where the same
   * kind is rebuilt (a subclass travels as its library class: its own code cannot travel).
   */
  protected abstract get kind(): string;

  /** Shared objects this one uses (a Condition's lock), to travel with it. */
  protected parts(): Record<string, unknown> {
    return {};
  }

  /** @internal How it travels to a worker: by its memory (and its parts'). */
  [ENCODE](seen?: Map<object, unknown>): Descriptor {
    return { $shared: this.kind, buffer: this.buffer, ...(encode(this.parts(), this.kind, seen) as object) };
  }

  /** A one-line description of the state, such as `<Semaphore(value=2)>`. */
  abstract toString(): string;

  /** What `console.log` and a cell's last expression show. */
  [inspect.custom](): string {
    return this.toString();
  }
}
