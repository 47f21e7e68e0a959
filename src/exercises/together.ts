/**
 * Runs one learner function in several workers that start at the same moment, so that a racy
 * answer really races: the function travels as source text and is rebuilt in each worker behind a
 * barrier (the way notebook 06's bench runs a lock).
 *
 * @packageDocumentation
 */
import { Barrier } from "../barrier";
import { Process } from "../process";
import { runWorkers, type Outcome } from "./workers";

/** The worker: rebuilds `source`, waits until every worker has, then calls it with `args`. */
function startTogether(source: string, gate: Barrier, args: unknown[]): void {
  const fn = new Function(`return (${source})`)();
  gate.wait();
  fn(...args);
}

/**
 * Runs `fn(...argsOf(i))` in `workers` workers at once, for at most `seconds`. A function the
 * library would refuse as a target (it uses a notebook variable) is refused here too.
 */
export async function runTogether(fn: unknown, workers: number, argsOf: (i: number) => unknown[], seconds: number): Promise<Outcome> {
  try {
    new Process({ target: fn as () => void });
  } catch (error) {
    return { refused: (error as Error).message, threw: null, timedOut: false, output: "" };
  }
  const gate = new Barrier(workers);
  const source = Function.prototype.toString.call(fn);
  const jobs = Array.from({ length: workers }, (_, i) => ({ target: startTogether, args: [source, gate, argsOf(i)] }));
  return runWorkers(jobs, seconds);
}
