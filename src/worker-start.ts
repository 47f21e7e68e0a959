/**
 * How the library starts a worker thread: with the parent's Node options, minus ts-node and any
 * option a worker refuses (see below). Used by `Process` and by the explorer.
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
 * @param file - the worker's code: `worker-main.js` for a Process, `explore/worker.js` for the explorer.
 * @param data - its `workerData`.
 */
export function startWorker(file: string, data: unknown): Worker {
  const options = { workerData: data, stdout: true, stderr: true };
  for (;;) {
    try {
      return new Worker(file, { ...options, execArgv: workerExecArgv });
    } catch (error) {
      if (workerExecArgv === undefined || (error as { code?: unknown }).code !== "ERR_WORKER_INVALID_EXEC_ARGV") throw error;
      workerExecArgv = withoutRefused(workerExecArgv, (error as Error).message);
    }
  }
}

/**
 * `argv` less the options a worker refused, which Node names only in the error's message
 * ("Initiated Worker with invalid execArgv flags: --a=1, --b"). Inheritance passes them on silently:
 * V8 and process-wide flags (`--stack-size`, `--tls-cipher-list`, ...) already hold for the whole
 * process. From Node 24 on, a `node --test` child gets every option's value in its `process.execArgv`,
 * so they are there in every test file. `undefined` (inherit everything, ts-node included) when
 * none of the refused options can be found in `argv`.
 */
function withoutRefused(argv: readonly string[], message: string): string[] | undefined {
  const refused = new Set(message.slice(message.indexOf(": ") + 2).split(", "));
  const kept = argv.filter((arg) => !refused.has(arg));
  return kept.length === argv.length ? undefined : kept;
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
