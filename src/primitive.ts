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
import { remaining } from "./thread";

// Atomics.waitAsync is in Node 20 but not in TypeScript 5.0's lib, which the notebook kernel uses.
type WaitAsyncResult =
  | { async: false; value: "not-equal" | "timed-out" }
  | { async: true; value: Promise<"ok" | "timed-out"> };

/** `Atomics.waitAsync`, typed. */
export const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeout?: number): WaitAsyncResult;
}).waitAsync;

/**
 * Sleeps in this worker while `cells[index]` is `expected`, until `deadline` (a `performance.now()`
 * time). Returns `false` only if the deadline passed; a wake-up may be spurious, so callers re-check.
 */
export function waitWhile(cells: Int32Array, index: number, expected: number, deadline: number): boolean {
  const left = remaining(deadline);
  if (left === 0) return false;
  Atomics.wait(cells, index, expected, left);
  return true;
}

/** Like {@link waitWhile}, without blocking the thread. */
export async function waitWhileAsync(cells: Int32Array, index: number, expected: number, deadline: number): Promise<boolean> {
  const left = remaining(deadline);
  if (left === 0) return false;
  const waiting = waitAsync(cells, index, expected, left);
  if (waiting.async) await waiting.value;
  return true;
}

/** Checks a buffer handed to `fromBuffer` and returns its cells. */
export function cellsOf(buffer: unknown, kind: string, count: number): Int32Array {
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength !== count * 4) {
    throw new TypeError(
      `${kind}.fromBuffer() needs the SharedArrayBuffer of ${count * 4} bytes that a ${kind} made (its .buffer), not ${describe(buffer)}.`,
    );
  }
  return new Int32Array(buffer);
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

  protected constructor(cells: Int32Array) {
    this.cells = cells;
    this.buffer = cells.buffer as SharedArrayBuffer;
  }

  /** The class name, for messages. */
  protected get kind(): string {
    return this.constructor.name;
  }

  /** Shared objects this one uses (a Condition's lock), to travel with it. */
  protected parts(): Record<string, unknown> {
    return {};
  }

  /** @internal How it travels to a worker: by its memory (and its parts'). */
  [ENCODE](): Descriptor {
    return { $shared: this.kind, buffer: this.buffer, ...(encode(this.parts(), this.kind) as object) };
  }

  /** A one-line description of the state, such as `<Semaphore(value=2)>`. */
  abstract toString(): string;

  /** What `console.log` and a cell's last expression show. */
  [inspect.custom](): string {
    return this.toString();
  }
}
