/**
 * The checks of notebook 04, *Atomics versus locks*. Each runs the learner's function in workers
 * that start together, so that a racy answer really races, and prints one ✓ or ✗ line.
 *
 * @packageDocumentation
 */
import { lostUpdates, replay } from "../explore";
import { asThread, everySchedule, lostInWords, refusal, inSchedule, showSchedule } from "./explored";
import { fail, pass } from "./verdict";
import { runTogether } from "./together";
import { trouble } from "./workers";

const SECONDS = 30;

/** Increments per explored worker: two, so that a worker can lose one between its own two. */
const EXPLORED_INCREMENTS = 2;

/**
 * Exercise 1: `increment(counter, n)` adds 1 to `counter[0]`, `n` times, with
 * `Atomics.compareExchange` and without `Atomics.add`. The check first explores two workers doing
 * 2 increments each, every schedule (classes of equivalent ones: every lost update is still
 * found), where the count must end at 4, no update may be lost, and no step may be an
 * `Atomics.add` (or `sub`): a load and then a store, or a compare-exchange whose failure is
 * ignored, loses an increment in some schedule, every run. Then it runs it in 2 and in 4 real
 * workers that start together, 1,000,000 increments in all each time, and wants the count exact.
 *
 * @example `await check.exercise1(increment);`
 */
export async function exercise1(increment: (counter: Int32Array, n: number) => void): Promise<void> {
  if (typeof increment !== "function") return fail(1, `pass your function itself, such as check.exercise1(increment), not ${typeof increment}.`);
  const refused = refusal(increment);
  if (refused !== null) return fail(1, `the library refused it: ${refused}`);
  const want = 2 * EXPLORED_INCREMENTS;
  let what = "";
  let judged;
  try {
    judged = await everySchedule({
      threads: [0, 1].map(() => asThread(increment, `args[0], ${EXPLORED_INCREMENTS}`)),
      args: [new Int32Array(new SharedArrayBuffer(4))],
      names: ["counter"],
      reduce: true,
      check: (final) => {
        const [counter] = final.args as [Int32Array];
        const lost = lostUpdates(final, "counter[0]");
        const t = final.threads.find((x) => x.outcome !== "returned");
        const adds = final.trace.filter((s) => s.op === "add" || s.op === "sub");
        if (t !== undefined) what = `thread ${t.thread} ${t.outcome}${t.error ? ` ${t.error.name}: ${t.error.message.replace(/\.$/, "")}` : ""}.`;
        else if (adds.length > 0) what = `step ${adds[0].step} is Atomics.${adds[0].op}: the exercise is to build the add from Atomics.compareExchange, without it.`;
        else if (lost.length > 0) what = `${lostInWords(lost[0])}. The count ended at ${counter[0]}, want ${want}.`;
        else if (counter[0] !== want) what = `the count ended at ${counter[0]}, want ${want}.`;
        else return true;
        return false;
      },
    });
  } catch (error) {
    return fail(1, (error as Error).message);
  }
  const { failure, covered } = judged;
  if (failure !== null) {
    if (failure.kind !== "check") what = `a ${failure.kind}: ${failure.message}.`;
    fail(1, `two workers doing ${EXPLORED_INCREMENTS} increments each, ${inSchedule(failure)}: ${what} ` +
      "Loop: read the counter, then compareExchange(counter, 0, seen, seen + 1); it returns what it found, and only if that is seen did your write go in; if not, try again from what it found.");
    return showSchedule(failure, "A and B are the two workers");
  }
  const total = 1_000_000;
  const results: string[] = [];
  for (const workers of [2, 4]) {
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const outcome = await runTogether(increment, workers, () => [counter, total / workers], SECONDS);
    const wrong = trouble(outcome, SECONDS);
    if (wrong !== null) return fail(1, `in ${workers} real workers: ${wrong}`);
    if (counter[0] !== total) return fail(1, `${workers} real workers counted ${counter[0]} of ${total}: ${total - counter[0]} updates lost.`);
    results.push(`${workers} workers: ${counter[0]}`);
  }
  pass(1, `no increment lost and no Atomics.add in ${covered} of two workers doing ${EXPLORED_INCREMENTS} each; ` +
    `then exact in real workers (${results.join(", ")}).`);
}

/**
 * Runs `sumOfSquares` for one worker's part of a few numbers under the explorer, where every access
 * to the shared arrays is a step of the trace, and says how often it read and wrote `partials`:
 * once written and never read is the exercise; a write on every iteration is what it warns against.
 */
async function sharedSteps(sumOfSquares: unknown): Promise<{ reads: number; writes: number; cells: string[] } | string> {
  const values = new Int32Array(new SharedArrayBuffer(4 * 8)).map((_, i) => i + 1);
  const partials = new Float64Array(new SharedArrayBuffer(8 * 2));
  let run;
  try {
    run = await replay({ threads: [asThread(sumOfSquares, "args[0], 4, 8, args[1], 1")], args: [values, partials], names: ["values", "partials"] }, "");
  } catch (error) {
    return (error as Error).message;
  }
  if (run.failure !== null) return `sumOfSquares(values, 4, 8, partials, 1) on the numbers 1 … 8: ${run.failure.message}`;
  const onPartials = run.trace.filter((s) => s.cell.startsWith("partials"));
  return {
    reads: onPartials.filter((s) => s.op === "read").length,
    writes: onPartials.filter((s) => s.op === "write").length,
    cells: [...new Set(onPartials.map((s) => s.cell))],
  };
}

/**
 * Exercise 2: `sumOfSquares(values, from, to, partials, id)` adds up the squares of
 * `values[from]` … `values[to - 1]` in a local variable and stores the result in `partials[id]`,
 * once. The check first runs it for one part of the numbers 1 … 8 under the explorer, which sees
 * every access to the shared arrays, and wants exactly one access to `partials`: the write of
 * `partials[id]` (adding into `partials[id]` on every iteration gets a ✗ every run, whatever the
 * sum). Then it gives 4 real workers a quarter each of the numbers 1 … 200,000 and wants the exact sum.
 *
 * @example `await check.exercise2(sumOfSquares);`
 */
export async function exercise2(sumOfSquares: (values: Int32Array, from: number, to: number, partials: Float64Array, id: number) => void): Promise<void> {
  if (typeof sumOfSquares !== "function") return fail(2, `pass your function itself, such as check.exercise2(sumOfSquares), not ${typeof sumOfSquares}.`);
  const refused = refusal(sumOfSquares);
  if (refused !== null) return fail(2, `the library refused it: ${refused}`);
  const steps = await sharedSteps(sumOfSquares);
  if (typeof steps === "string") return fail(2, steps);
  if (steps.writes !== 1 || steps.reads !== 0 || steps.cells.join() !== "partials[1]") {
    const did = `for values[4] … values[7] (id 1), your function read the shared partials ${steps.reads} time${steps.reads === 1 ? "" : "s"} ` +
      `and wrote it ${steps.writes} time${steps.writes === 1 ? "" : "s"}${steps.cells.length === 0 ? "" : ` (${steps.cells.join(", ")})`}, want one write of partials[1] and no read`;
    const hint = steps.writes > 1 || steps.reads > 0
      ? ": every access to shared memory is a trip other workers' cores may have to wait for. Sum in a local variable (let sum = 0), then store it in partials[id] once, after the loop."
      : ": store the sum in partials[id], once, after the loop.";
    return fail(2, did + hint);
  }
  const n = 200_000;
  const workers = 4;
  const values = new Int32Array(new SharedArrayBuffer(4 * n)).map((_, i) => i + 1);
  const partials = new Float64Array(new SharedArrayBuffer(8 * workers));
  const part = n / workers;
  const outcome = await runTogether(sumOfSquares, workers, (id) => [values, id * part, (id + 1) * part, partials, id], SECONDS);
  const wrong = trouble(outcome, SECONDS);
  if (wrong !== null) return fail(2, wrong);
  const want = (n * (n + 1) * (2 * n + 1)) / 6;
  const got = partials.reduce((a, b) => a + b, 0);
  if (got !== want) {
    const bad = [...partials].map((p, id) => ({ p, id })).filter(({ p, id }) => {
      let s = 0;
      for (let i = id * part + 1; i <= (id + 1) * part; i++) s += i * i;
      return p !== s;
    });
    return fail(2, `the partial sums add up to ${got}, want ${want}; worker${bad.length === 1 ? "" : "s"} ${bad.map((b) => b.id).join(", ")} stored a wrong sum. ` +
      "Sum values[i] * values[i] for from <= i < to in a local variable, then store it in partials[id] once.");
  }
  pass(2, `one write to the shared partials and no read, and the 4 partial sums add up to ${got}, the sum of the squares of 1 … ${n}: ` +
    "no worker touched shared memory while summing.");
}
