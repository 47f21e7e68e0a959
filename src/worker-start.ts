/**
 * How the library starts a worker thread: with the parent's Node options, minus ts-node (see
 * below). Used by `Process` and by the explorer.
 *
 * @packageDocumentation
 */
import { Worker } from "node:worker_threads";

/**
 * The Node options a worker gets: the parent's (the default), except a `--require` of ts-node. The
 * worker's own code is compiled JavaScript and its target arrives as JavaScript source, so ts-node
 * would only load the TypeScript compiler once more in every worker, which made each start take
 * 0.3-1.4 s instead of 50-100 ms under `node --require ts-node/register` (the library's tests, and
 * scripts run with ts-node). `undefined` keeps Node's own inheritance when there is nothing to drop.
 */
let workerExecArgv: string[] | undefined = withoutTsNode(process.execArgv);

/**
 * Starts a worker running the compiled module `file` with `data`, its output captured (the caller
 * forwards it).
 *
 * @param file - the worker's code: `worker-main.js` for a Process, `explore-worker.js` for the explorer.
 * @param data - its `workerData`.
 */
export function startWorker(file: string, data: unknown): Worker {
  const options = { workerData: data, stdout: true, stderr: true };
  try {
    return new Worker(file, { ...options, execArgv: workerExecArgv });
  } catch (error) {
    // A list given explicitly may not hold V8 flags (--harmony-struct, --stack-size, ...) that
    // inheritance passes on silently: then inherit everything, ts-node included.
    if (workerExecArgv === undefined || (error as { code?: unknown }).code !== "ERR_WORKER_INVALID_EXEC_ARGV") throw error;
    workerExecArgv = undefined;
    return new Worker(file, options);
  }
}

function withoutTsNode(argv: readonly string[]): string[] | undefined {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === "--require" || argv[i] === "-r") && isTsNode(argv[i + 1])) i++;
    else if (!/^(--require|-r)=/.test(argv[i]) || !isTsNode(argv[i].slice(argv[i].indexOf("=") + 1))) kept.push(argv[i]);
  }
  return kept.length === argv.length ? undefined : kept;
}

function isTsNode(module: string | undefined): boolean {
  return module !== undefined && /^ts-node\/register(\/|$)/.test(module);
}
