/**
 * `Event`: a shared flag that workers can wait for, like Python's `multiprocessing.Event` — a start
 * signal that lets every worker begin at the same moment.
 *
 * @packageDocumentation
 */
import { atomics } from "./atomics";
import { SharedPrimitive } from "./primitive";
import { cellsOf } from "./kind-mark";
import { timeoutOption } from "./options";
import { waitWhile, waitWhileAsync } from "./waiting";
import type { MemoryKind } from "./transfer";
import { refuseBlockingOnMainThread } from "./thread";

const FLAG = 0;

/** Options of {@link Event.wait} and similar waits. */
export interface WaitOptions {
  /** Give up after this many seconds. Left out: wait as long as it takes. */
  readonly timeout?: number;
}

/**
 * A flag shared by workers, like Python's `multiprocessing.Event`: `wait()` blocks until some
 * thread calls `set()`.
 */
export class Event extends SharedPrimitive {
  /** Makes a new event, not set. */
  constructor();
  /** @internal Rebuilds one over existing memory; use `fromBuffer`. */
  constructor(cells: Int32Array);
  constructor(cells?: Int32Array) {
    super(cells ?? 1);
  }

  /**
   * Rebuilds an event over memory another one made (its `.buffer`).
   *
   * @param buffer - the other event's `.buffer`.
   */
  static fromBuffer(buffer: SharedArrayBuffer): Event {
    return new Event(cellsOf(buffer, "Event", 1));
  }

  protected get kind(): MemoryKind {
    return "Event";
  }

  /** Sets the flag and wakes every waiter, like Python's `set()`. */
  set(): void {
    atomics.store(this.cells, FLAG, 1);
    atomics.notify(this.cells, FLAG);
  }

  /** Lowers the flag again, like Python's `clear()`. */
  clear(): void {
    atomics.store(this.cells, FLAG, 0);
  }

  /** Whether the flag is set, like Python's `is_set()`. */
  isSet(): boolean {
    return atomics.load(this.cells, FLAG) === 1;
  }

  /**
   * Blocks this worker until the flag is set, like Python's `wait()`. On the main thread use
   * `await event.waitAsync()`.
   *
   * @param options - `timeout` in seconds.
   * @returns whether the flag is set (`false` means the timeout ran out).
   */
  wait(options?: WaitOptions): boolean {
    const ms = timeoutOption(options, "Event.wait()");
    if (this.isSet() || ms === 0) return this.isSet();
    const deadline = atomics.now() + ms;
    refuseBlockingOnMainThread("Event.wait()", "`await event.waitAsync()`");
    return waitWhile(this.cells, FLAG, 0, deadline);
  }

  /**
   * Waits for the flag without blocking the thread: `await event.waitAsync()`.
   *
   * @param options - `timeout` in seconds.
   * @returns resolves to whether the flag is set.
   */
  async waitAsync(options?: WaitOptions): Promise<boolean> {
    const deadline = atomics.now() + timeoutOption(options, "Event.waitAsync()");
    return waitWhileAsync(this.cells, FLAG, 0, deadline);
  }

  /** Shows the flag: `<Event(set)>` or `<Event(unset)>`. */
  toString(): string {
    return `<Event(${this.isSet() ? "set" : "unset"})>`;
  }
}

