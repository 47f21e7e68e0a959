/**
 * The code a `Pool`'s worker runs: it calls the pool's initializer (if any), waits for tasks,
 * rebuilds each function from its source once, runs its tasks one at a time in the order they
 * came, a task's calls in order, and answers with their values, or with the error one of them
 * threw (the worker goes on either way), or says that the values could not be sent back.
 *
 * @packageDocumentation
 */
import { parentPort, workerData } from "node:worker_threads";
import { decode } from "../rebuild";
import { functionFromSource } from "../source-function";
import { giveTargetGlobals } from "../target-globals";
import { explainError, type RemoteError } from "../worker-error";
import type { PoolAnswer, PoolTask, PoolWorkerStart } from "./protocol";

/**
 * A stack frame of this file, as the compiled `pool-worker.js` or, with source maps on, as
 * `pool-worker.ts`: the frames from there down are the library's, not the learner's.
 */
const OWN_FRAME = /[\\/]pool-worker\.[jt]s:\d+/;

const start = workerData as PoolWorkerStart;
const functions = new Map<number, (...args: unknown[]) => unknown>();

function answer(message: PoolAnswer): void {
  parentPort?.postMessage(message);
}

/**
 * Waits until what this worker printed so far has reached its parent, so that a task's output is
 * printed before its result arrives (the two travel on different channels).
 */
async function flushOutput(): Promise<void> {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.writableLength > 0) await new Promise<void>((resolve) => stream.write("", () => resolve()));
  }
}

/** Calls the pool's initializer, if any; what it threw, or `null`. */
async function initialize(): Promise<RemoteError | null> {
  if (start.initializer === null) return null;
  try {
    const init = functionFromSource(start.initializer.source, start.name);
    await init(...(decode(start.initializer.args) as unknown[]));
    return null;
  } catch (error) {
    await flushOutput();
    return explainError(error, "the pool's initializer", OWN_FRAME);
  }
}

async function run(task: PoolTask, initFailed: RemoteError | null): Promise<void> {
  if (initFailed !== null) {
    answer({ kind: "initializer", task: task.task, error: initFailed });
    return;
  }
  const values: unknown[] = [];
  try {
    let fn = functions.get(task.fn);
    if (fn === undefined) {
      fn = functionFromSource(task.source as string, start.name);
      functions.set(task.fn, fn);
    }
    for (const args of decode(task.calls) as unknown[][]) values.push(await fn(...args));
  } catch (error) {
    await flushOutput();
    answer({ kind: "error", task: task.task, call: values.length, error: explainError(error, "the pool's function", OWN_FRAME) });
    return;
  }
  await flushOutput();
  try {
    answer({ kind: "result", task: task.task, values });
  } catch (error) {
    answer({ kind: "unsendable", task: task.task, message: (error as Error).message });
  }
}

giveTargetGlobals(start.host);
// The initializer first, then one task at a time, in the order sent: the pool may send the next
// before this one ends.
const initialized = initialize();
let last: Promise<unknown> = initialized;
parentPort?.on("message", (task: PoolTask) => {
  last = last.then(async () => run(task, await initialized));
});
