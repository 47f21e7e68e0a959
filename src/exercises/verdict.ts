/**
 * The one line a check prints: `✓ exercise N: …` when the learner's answer did what was asked,
 * `✗ exercise N: …` with what went wrong and a hint when it did not.
 *
 * @packageDocumentation
 */

/** Prints `✓ exercise n: text`. */
export function pass(n: number, text: string): void {
  console.log(`✓ exercise ${n}: ${text}`);
}

/**
 * Prints `✗ exercise n: text`: what was wrong, and what to try. A check that adds its hint after a
 * message ending in a full stop (an error's own message, say) gets one full stop, not two.
 */
export function fail(n: number, text: string): void {
  console.log(`✗ exercise ${n}: ${text.replace(/(?<!\.)\.\.(?!\.)/g, ".")}`);
}

/** A list printed the way Python prints it: `[25, 36, 49, 64]`. */
export function listed(values: ArrayLike<unknown>): string {
  return `[${Array.from(values).join(", ")}]`;
}

/** Whether two lists hold the same numbers in the same order. */
export function sameList(a: ArrayLike<unknown>, b: ArrayLike<unknown>): boolean {
  return a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));
}

/** The source text of a learner's function, for a worker that rebuilds it from that text. */
export function sourceOf(fn: unknown): string {
  return typeof fn === "function" ? Function.prototype.toString.call(fn) : "";
}
