/**
 * The messages between a `Process` and its worker: what `Process.start()` sends the worker
 * (`src/worker-main.ts`) and what the worker reports back.
 *
 * @packageDocumentation
 */

import type { HostName } from "./host";

/** What `Process.start()` sends along with a new worker. */
export interface WorkerStart {
  /** The process's name, used as the file name in stack traces. */
  readonly name: string;
  /** An expression that evaluates to the target function. */
  readonly source: string;
  /** The encoded arguments. */
  readonly args: unknown[];
  /** The parent's host (`src/host.ts`), which the worker takes too. */
  readonly host: HostName;
  /** The table of process names (`src/process-names.ts`), shared by every thread. */
  readonly names: SharedArrayBuffer;
}

/** What a worker tells its parent, once, just before it ends. */
export type WorkerReport =
  | { readonly kind: "done" }
  | { readonly kind: "error"; readonly name: string; readonly message: string; readonly stack?: string };
