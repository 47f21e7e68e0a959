/**
 * Runs a learner's function in real workers, the way the notebooks do, and says how it went: what
 * the workers printed, whether the library refused the function, whether a worker threw, and
 * whether the workers had to be ended because they ran past a deadline (a deadlock, an endless
 * loop). Nothing here throws: a check turns every outcome into a ✓ or ✗ line.
 *
 * @packageDocumentation
 */
import { Process } from "../process";

/** One worker to start: a target function and its arguments, as for `new mp.Process`. */
export interface Job {
  /** The function the worker runs. */
  readonly target: unknown;
  /** Its arguments. */
  readonly args: readonly unknown[];
}

/** How a group of workers ended. */
export interface Outcome {
  /** `new mp.Process` or `start()` refused the target or its arguments: the library's message. */
  readonly refused: string | null;
  /** The first worker that threw: its error's name and message. */
  readonly threw: string | null;
  /** True if the workers had not all ended by the deadline and were terminated. */
  readonly timedOut: boolean;
  /** Everything the workers printed, in the order it arrived. */
  readonly output: string;
}

/**
 * Starts every job in its own worker at once, waits up to `seconds` for all of them, and
 * terminates those still running after that. What the workers print is shown as usual and also
 * kept in `output`.
 */
export async function runWorkers(jobs: readonly Job[], seconds: number): Promise<Outcome> {
  let processes: Process[];
  try {
    processes = jobs.map((job) => new Process({ target: job.target as (...args: unknown[]) => void, args: [...job.args] }));
  } catch (error) {
    return { refused: (error as Error).message, threw: null, timedOut: false, output: "" };
  }
  const stdout = process.stdout;
  const write = stdout.write;
  let output = "";
  stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    output += String(chunk);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof stdout.write;
  const started: Process[] = [];
  let refused: string | null = null;
  let threw: string | null = null;
  let timedOut = false;
  try {
    for (const p of processes) {
      p.start();
      started.push(p);
    }
  } catch (error) {
    refused = (error as Error).message;
  }
  try {
    const deadline = Date.now() + seconds * 1000;
    for (const p of started) {
      try {
        await p.join({ timeout: Math.max(0.001, (deadline - Date.now()) / 1000) });
      } catch (error) {
        const e = error as Error & { remoteName?: string };
        if (e.name === "TimeoutError") timedOut = true;
        else threw ??= e.remoteName === undefined ? `${e.name}: ${firstLine(e.message)}` : firstLine(e.message);
        if (timedOut) break;
      }
    }
    if (timedOut || refused !== null) await Promise.all(started.map((p) => p.terminate()));
  } finally {
    stdout.write = write;
  }
  return { refused, threw, timedOut, output };
}

function firstLine(text: string): string {
  return text.split("\n")[0];
}

/** The ✗ text for an outcome that went wrong before any result could be looked at, or null. */
export function trouble(outcome: Outcome, seconds: number): string | null {
  if (outcome.refused !== null) return `the library refused it: ${outcome.refused}`;
  if (outcome.threw !== null) return `a worker threw ${outcome.threw}`;
  if (outcome.timedOut) {
    return `the workers had not finished after ${seconds} s and were terminated: do they wait for something that never comes (a deadlock, a loop that never ends)?`;
  }
  return null;
}
