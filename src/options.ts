/**
 * Reading what a learner passes to a call: options objects, Python's `blocking` and `timeout`
 * (seconds, turned into milliseconds), and whole-number counts. Each check throws a `TypeError` or
 * `RangeError` that names the call, the value and what is allowed.
 *
 * @packageDocumentation
 */
import { describe } from "./errors";

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
 * Checks a timeout given in seconds (as in Python) and returns it in milliseconds for `Atomics.wait`.
 * `undefined` and `null` mean "wait as long as it takes" (Infinity).
 *
 * @param timeout - seconds, a number ≥ 0 (Infinity allowed), or undefined/null for no limit.
 * @param where - the call, for the message.
 * @throws TypeError or RangeError for anything else.
 */
export function timeoutMs(timeout: unknown, where: string): number {
  if (timeout === undefined || timeout === null) return Infinity;
  return secondsToMs(timeout, where, "timeout", " (or left out to wait forever)");
}

/**
 * Checks a duration in seconds and returns it in milliseconds.
 *
 * @param seconds - what the learner passed.
 * @param where - the call, for the message.
 * @param name - the argument's name, for the message.
 * @param note - what else the argument may be, for the message.
 * @throws TypeError if it is not a number; RangeError if it is negative.
 */
export function secondsToMs(seconds: unknown, where: string, name: string, note = ""): number {
  if (typeof seconds !== "number" || Number.isNaN(seconds)) {
    throw new TypeError(`${where}: ${name} must be a number of seconds${note}, not ${describe(seconds)}.`);
  }
  if (seconds < 0) {
    throw new RangeError(`${where}: ${name} is ${seconds}, but it must be 0 or more seconds.`);
  }
  return seconds * 1000;
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
