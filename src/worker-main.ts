/**
 * The only code that runs inside a worker: it rebuilds the target from its source, rebuilds the
 * shared objects in its arguments over the same memory, runs it, and reports how it ended.
 *
 * @packageDocumentation
 */
import { parentPort, workerData } from "node:worker_threads";
import { host } from "./host";
import type { WorkerReport, WorkerStart } from "./protocol";
import { functionFromSource } from "./source-function";
import { useProcessNamesTable } from "./process-names";
import { giveTargetGlobals } from "./target-globals";
import { decode } from "./rebuild";

function report(message: WorkerReport): void {
  parentPort?.postMessage(message);
}

/** Adds what a learner needs to know to the errors a worker typically meets. */
function explain(error: unknown): { name: string; message: string; stack?: string } {
  if (!(error instanceof Error)) return { name: "Error", message: `target threw ${String(error)}, which is not an Error` };
  let message = error.message;
  if (error instanceof ReferenceError) {
    message += `. target runs in a worker, which has none of ${host().surroundings}: pass what it needs through args.`;
  }
  // The frames below target are this file's and Node's: they say nothing about the learner's code.
  const lines = error.stack?.replace(`${error.name}: ${error.message}`, `${error.name}: ${message}`).split("\n");
  const below = lines?.findIndex((line) => OWN_FRAME.test(line)) ?? -1;
  const stack = (below < 0 ? lines : lines?.slice(0, below))?.join("\n");
  return { name: error.name, message, stack };
}

/**
 * A stack frame of this file, as the compiled `worker-main.js` or, when source maps are on (ts-node,
 * `--enable-source-maps`), as `worker-main.ts`.
 */
const OWN_FRAME = /[\\/]worker-main\.[jt]s:\d+/;

async function main(start: WorkerStart): Promise<void> {
  useProcessNamesTable(start.names);
  giveTargetGlobals(start.host);
  try {
    const target = functionFromSource(start.source, start.name);
    await target(...(decode(start.args) as unknown[]));
    report({ kind: "done" });
  } catch (error) {
    report({ kind: "error", ...explain(error) });
    process.exit(1);
  }
  // As in Python, the process ends when target returns, even if it left timers behind. Its exit
  // code is 0, or what target set as process.exitCode (Python's sys.exit(3)).
  process.exit(process.exitCode ?? 0);
}

void main(workerData as WorkerStart);
