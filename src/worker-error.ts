/**
 * How a worker reports an error thrown by the learner's function: its name, its message (with what
 * a learner needs to know added to the errors a worker typically meets) and its stack, cut where
 * the library's own frames begin. Used by a Process's worker and by a Pool's.
 *
 * @packageDocumentation
 */
import { host } from "./host";

/** An error as it travels from a worker to its parent. */
export interface RemoteError {
  /** The error's name, such as `"TypeError"`. */
  readonly name: string;
  /** Its message, with a hint added where one helps. */
  readonly message: string;
  /** Its stack down to the learner's function, when it has one. */
  readonly stack?: string;
}

/**
 * Describes `error`, thrown by the learner's function inside a worker.
 *
 * @param error - what was thrown.
 * @param role - what the function is, for messages, such as `"target"`.
 * @param ownFrame - matches a stack frame of the worker's own file: the frames from there down are
 *   the library's and Node's, and say nothing about the learner's code.
 */
export function explainError(error: unknown, role: string, ownFrame: RegExp): RemoteError {
  if (!(error instanceof Error)) return { name: "Error", message: `${role} threw ${String(error)}, which is not an Error` };
  let message = error.message;
  if (error instanceof ReferenceError) {
    message += `. ${role} runs in a worker, which has none of ${host().surroundings}: pass what it needs through args.`;
  }
  const lines = error.stack?.replace(`${error.name}: ${error.message}`, `${error.name}: ${message}`).split("\n");
  const below = lines?.findIndex((line) => ownFrame.test(line)) ?? -1;
  const stack = (below < 0 ? lines : lines?.slice(0, below))?.join("\n");
  return { name: error.name, message, stack };
}
