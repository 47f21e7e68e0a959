/**
 * The messages between a `Pool` and its workers: what a worker gets when it starts, each task the
 * pool sends it (a worker runs them one at a time, in the order sent), and what the worker answers
 * for each.
 *
 * @packageDocumentation
 */
import type { HostName } from "../host";
import type { RemoteError } from "../worker-error";
import type { PoolInitializer } from "./pool-options";

/** What a pool sends along with a new worker. */
export interface PoolWorkerStart {
  /** The pool's name, used as the file name in stack traces. */
  readonly name: string;
  /** The parent's host (`src/host.ts`), which the worker takes too. */
  readonly host: HostName;
  /** The pool's initializer, which the worker calls before its first task, or `null`. */
  readonly initializer: PoolInitializer | null;
}

/** One task: the function (by number, with its source the first time this worker meets it) and a chunk of calls. */
export interface PoolTask {
  /** The task's number in its pool, echoed in the answer. */
  readonly task: number;
  /** The function's number in its pool. */
  readonly fn: number;
  /** The function's source, sent only the first time this worker meets this function. */
  readonly source?: string;
  /** One array of encoded arguments per call, run in order. */
  readonly calls: unknown[][];
}

/** What a worker answers for a task. */
export type PoolAnswer =
  /** Every call returned: their values, in order. */
  | { readonly kind: "result"; readonly task: number; readonly values: unknown[] }
  /** Call number `call` of the chunk threw. */
  | { readonly kind: "error"; readonly task: number; readonly call: number; readonly error: RemoteError }
  /** Every call returned, but the values could not be sent back (structured clone refused them). */
  | { readonly kind: "unsendable"; readonly task: number; readonly message: string }
  /** The worker's initializer threw, so it runs no task: this one, and every one after it, answer this. */
  | { readonly kind: "initializer"; readonly task: number; readonly error: RemoteError };
