/**
 * Reading the options of a queue's `put`/`get`: Python's `block` and `timeout` (seconds).
 *
 * @packageDocumentation
 */
import { describe } from "../errors";
import { optionsObject, timeoutMs } from "../options";

/** Options of a queue's `put` and `get`, as Python's `put(obj, block=True, timeout=None)`. */
export interface BlockOptions {
  /** Wait for room (or an item): default `true`. With `false`, answer at once (`Full`/`Empty`). */
  readonly block?: boolean;
  /** With `block`, give up after this many seconds (`Full`/`Empty`). Left out: wait as long as it takes. */
  readonly timeout?: number | null;
}

/** What `putNowait` and `getNowait` mean: do not wait. */
export const DONT_WAIT = Object.freeze({ block: false, ms: 0 });

/** What no options mean: wait as long as it takes. */
const WAIT_FOREVER = Object.freeze({ block: true, ms: Infinity });

/**
 * Reads `{ block, timeout }`.
 *
 * @returns whether to wait, and for how many milliseconds at most (Infinity for no limit; 0 for
 *   `block: false`, where Python ignores the timeout).
 * @throws TypeError or RangeError for options that are not an object, a non-boolean `block`, or a bad timeout.
 */
export function blockOptions(options: unknown, where: string): { block: boolean; ms: number } {
  if (options === undefined) return WAIT_FOREVER;
  const { block = true, timeout } = optionsObject(options, where) as { block?: unknown; timeout?: unknown };
  if (typeof block !== "boolean") throw new TypeError(`${where}: block must be true or false, not ${describe(block)}.`);
  const ms = timeoutMs(timeout, where);
  return { block, ms: block ? ms : 0 };
}
