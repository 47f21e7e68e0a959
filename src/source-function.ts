/**
 * The other half of `target.ts`: turns the source text of a function, checked there before it left
 * its thread, back into a function inside a worker. A process's target and a barrier's action both
 * travel this way.
 *
 * @packageDocumentation
 */
import { runInThisContext } from "node:vm";

/**
 * Compiles `source` (an expression that `targetSource` returned) in this thread's global scope.
 *
 * @param source - the function's source, as an expression.
 * @param filename - the name stack traces show for it, such as the process's name.
 * @returns the rebuilt function.
 */
export function functionFromSource(source: string, filename: string): (...args: unknown[]) => unknown {
  return runInThisContext(source, { filename }) as (...args: unknown[]) => unknown;
}
