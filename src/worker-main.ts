/**
 * The only code that runs inside a worker: it rebuilds the target from its source, rebuilds the
 * shared objects in its arguments over the same memory, runs it, and reports how it ended.
 *
 * @packageDocumentation
 */
import { parentPort, workerData } from "node:worker_threads";
import type { WorkerReport, WorkerStart } from "./protocol";
import { functionFromSource } from "./source-function";
import { useProcessNamesTable } from "./process-names";
import { giveTargetGlobals } from "./target-globals";
import { decode } from "./rebuild";
import { explainError } from "./worker-error";

function report(message: WorkerReport): void {
  parentPort?.postMessage(message);
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
    report({ kind: "error", ...explainError(error, "target", OWN_FRAME) });
    process.exit(1);
  }
  // As in Python, the process ends when target returns, even if it left timers behind. Its exit
  // code is 0, or what target set as process.exitCode (Python's sys.exit(3)).
  process.exit(process.exitCode ?? 0);
}

void main(workerData as WorkerStart);
