/**
 * Threads for the explorer that differ only in a number. `mp.explore` gives every thread the same
 * arguments, so a scenario of three philosophers needs three functions; {@link atSeat} makes
 * them from one function that takes its seat first. Plumbing for notebook 05.
 *
 * @packageDocumentation
 */

/**
 * A thread function that calls `fn(seat, ...args)`. It is rebuilt from `fn`'s source text, so
 * `fn` must follow the rules of a worker's target (its arguments, JavaScript's globals, `mp`).
 *
 * @param fn - the function, with the seat as its first parameter.
 * @param seat - the number this thread passes.
 * @returns a function of the remaining arguments, for `mp.explore`'s `threads`.
 * @throws TypeError if `fn` is not a function or `seat` not a whole number.
 */
export function atSeat<A extends unknown[], R>(fn: (seat: number, ...args: A) => R, seat: number): (...args: A) => R {
  if (typeof fn !== "function") throw new TypeError(`atSeat(): pass a function that takes the seat first, not ${typeof fn}.`);
  if (!Number.isInteger(seat)) throw new TypeError(`atSeat(): the seat must be a whole number, not ${String(seat)}.`);
  const source = Function.prototype.toString.call(fn);
  return new Function("...args", `return (${source})(${seat}, ...args);`) as (...args: A) => R;
}
