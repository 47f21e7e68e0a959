/**
 * The checks of notebook 04, *Atomics versus locks*. Each runs the learner's function in workers
 * that start together, so that a racy answer really races, and prints one ✓ or ✗ line.
 *
 * @packageDocumentation
 */
import { Barrier } from "../barrier";
import { explore, lostUpdates, replay, type Failure } from "../explore";
import { Process } from "../process";
import { Array as SharedArrayOf, Value, type SharedArray, type SharedValue } from "../shared";
import { asThread, everySchedule, lostInWords, refusal, inSchedule, showSchedule } from "./explored";
import { fail, listed, pass, sameList, sourceOf } from "./verdict";

import { runTogether } from "./together";
import { runWorkers, trouble } from "./workers";

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

/** The values exercise 3 publishes, in order. */
const PUBLISHED = [10, 20, 30];

/**
 * The reader of exercise 3, as a thread of the explorer: it reads `count.value` once, then the
 * elements below it, and returns what it saw.
 */
function readPublished(data: SharedArray<"i">, count: SharedValue<"i">): number[] {
  const n = count.value;
  const seen: number[] = [];
  for (let i = 0; i < n; i++) seen.push(data[i]);
  return seen;
}

/**
 * Exercise 3: `publishAll(data, count)` writes 10, 20 and 30 into `data[0]`, `data[1]`,
 * `data[2]` and makes `count.value` say how many are ready. A reader reads `count.value` once,
 * then the elements below it. The check runs the two under the explorer, over every schedule
 * (one per class of schedules that differ only in the order of independent steps), and wants the
 * reader to find every element below the count it saw filled in, and the count 3 at the end.
 *
 * @example `await check.exercise3(publishAll);`
 */
export async function exercise3(publishAll: (data: SharedArray<"i">, count: SharedValue<"i">) => void): Promise<void> {
  if (typeof publishAll !== "function") return fail(3, `pass your function itself, such as check.exercise3(publishAll), not ${typeof publishAll}.`);
  let result;
  try {
    result = await explore({
      threads: [publishAll, readPublished],
      args: [SharedArrayOf("i", 3, { lock: false }), Value("i", 0, { lock: false })] as [SharedArray<"i">, SharedValue<"i">],
      names: ["data", "count"],
      reduce: true,
      stopAtFirstFailure: true,
      state: ({ args: [data, count], threads: [, reader] }) =>
        `the reader saw ${reader.outcome === "returned" ? listed(reader.value as number[]) : reader.outcome}, data ended ${listed(data.toArray())}, count ${count.value}`,
      check: ({ args: [data, count], threads: [, reader] }) => {
        if (reader.outcome !== "returned") return false;
        const seen = reader.value as number[];
        return count.value === 3 && sameList(data.toArray(), PUBLISHED) && sameList(seen, PUBLISHED.slice(0, seen.length));
      },
    });
  } catch (error) {
    return fail(3, `the explorer could not run it: ${(error as Error).message.split("\n")[0]}`);
  }
  if (result.failure !== null) {
    return fail(3, `in the schedule ${result.failure.schedule} (A your publishAll, B the reader) ${result.failure.state}. ` +
      "The count must never run ahead of the data: write an element first, and only then the count that includes it. " +
      "At the end, data must hold 10, 20, 30 and count.value must be 3.");
  }
  pass(3, `in every schedule (${result.schedules} classes of equivalent ones) the reader found every element below the count it read filled in, and the count ended at 3.`);
}

/** Exercise 4's waiter: rebuilds the learner's function, passes the gate with the other side, calls it. */
function waitBehindGate(source: string, gate: Barrier, args: unknown[]): void {
  const fn = new Function(`return (${source})`)();
  gate.wait();
  fn(...args);
}

/** Exercise 4's other side: 200 ms after the gate, writes the data, then raises the flag and wakes sleepers. */
function raiseFlagLater(flag: Int32Array, data: Int32Array, gate: Barrier): void {
  gate.wait();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  data[0] = 42;
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

/** Exercise 4's other side as a thread of the explorer: writes the data, then raises the flag and wakes sleepers. */
function raiseFlag(flag: Int32Array, data: Int32Array): void {
  data[0] = 42;
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

/**
 * Explores exercise 4's waiter (A) beside the flag's writer (B), every schedule (one per class of
 * equivalent ones), a wait's timeout free to fire wherever a wait has one (fairly: not again and
 * again while the writer could go on): what it covered, or the ✗ text with the schedule. An answer that copies before it waits, waits for the wrong value, or
 * trusts a single timed wait copies 0 in some schedule, whatever the machine's timing.
 */
async function exploreWaiter(waitThenCopy: unknown): Promise<string | { what: string; failure: Failure | null }> {
  let judged;
  try {
    judged = await everySchedule({
      threads: [asThread(waitThenCopy, "args[0], args[1], args[2]"), raiseFlag],
      args: [new Int32Array(new SharedArrayBuffer(4)), new Int32Array(new SharedArrayBuffer(4)), new Int32Array(new SharedArrayBuffer(4))] as [Int32Array, Int32Array, Int32Array],
      names: ["flag", "data", "out"],
      reduce: true,
      check: ({ args: [, , out], threads: [waiter] }) => waiter.outcome === "returned" && out[0] === 42,
      state: ({ args: [, , out], threads: [waiter] }) =>
        waiter.outcome === "returned" ? `out[0] is ${out[0]}` : `your function ${waiter.outcome} ${waiter.error?.name}: ${waiter.error?.message}`,
    });
  } catch (error) {
    return { what: (error as Error).message, failure: null };
  }
  const { failure, covered } = judged;
  if (failure === null) return covered;
  const where = `${inSchedule(failure)} (A your function, B the writer: data[0] = 42, then Atomics.store(flag, 0, 1) and Atomics.notify)`;
  if (failure.kind === "deadlock") {
    return { failure, what: `${where}, a deadlock: ${failure.message}. Sleep with Atomics.wait(flag, 0, 0) (it returns at once if the flag is no longer 0), in a loop until Atomics.load(flag, 0) is 1.` };
  }
  if (failure.kind === "livelock") return { failure: null, what: `your function never finished beside the flag's writer: ${failure.message}.` };
  if (failure.kind !== "check" || !failure.state.startsWith("out[0]")) return { failure, what: `${where}: ${failure.kind === "check" ? failure.state : failure.message}.` };
  const timedOut = /A~/.test(failure.schedule) ? " Your wait's timeout fired (A~) before the flag went up, and your function copied anyway: a wait that ends says nothing by itself." : "";
  return {
    failure,
    what: `${where}: ${failure.state}, want 42: your function copied data[0] before the flag said the data was there.${timedOut} ` +
      "Wait until the flag is 1 first (while (Atomics.load(flag, 0) !== 1) Atomics.wait(flag, 0, 0)), and only then copy data[0].",
  };
}

/** The names of a function's parameters, from its source (`function f(a, b)`, `(a, b) =>`, `a =>`). */
function parameterNames(source: string): string[] {
  const list = /^[^(=]*\(([^)]*)\)/.exec(source)?.[1] ?? /^\s*(?:async\s+)?([\w$]+)\s*=>/.exec(source)?.[1] ?? "";
  return list.split(",").map((p) => p.replace(/[:=].*$/s, "").trim()).filter((p) => p !== "");
}

/**
 * Exercise 4: `waitThenCopy(flag, data, out)` runs in a worker: it waits until `flag[0]` is 1,
 * reading the flag only with `Atomics` (`load` in a loop, or `wait`), then copies `data[0]` into
 * `out[0]`. The check first explores it beside the flag's writer (which writes 42 into `data[0]`,
 * then raises the flag with `Atomics.store` and `Atomics.notify`), every schedule, a timeout free
 * to fire wherever a wait has one, and wants 42 in `out[0]` in every one: an answer that copies
 * first, waits for the wrong value, or trusts one timed wait gets a ✗ every run, with the
 * schedule. Then it runs it in a real worker, which starts with the writer's at a barrier, the
 * writer 200 ms later, and wants 42 within 10 s; and no plain read of the flag (`flag[0]`) in the
 * source.
 *
 * @example `await check.exercise4(waitThenCopy);`
 */
export async function exercise4(waitThenCopy: (flag: Int32Array, data: Int32Array, out: Int32Array) => void): Promise<void> {
  if (typeof waitThenCopy !== "function") return fail(4, `pass your function itself, such as check.exercise4(waitThenCopy), not ${typeof waitThenCopy}.`);
  const seconds = 10;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const data = new Int32Array(new SharedArrayBuffer(4));
  const out = new Int32Array(new SharedArrayBuffer(4));
  try {
    new Process({ target: waitThenCopy });
  } catch (error) {
    return fail(4, `the library refused it: ${(error as Error).message}`);
  }
  const explored = await exploreWaiter(waitThenCopy);
  if (typeof explored !== "string") {
    fail(4, explored.what);
    if (explored.failure !== null) showSchedule(explored.failure, "A your function, B the writer");
    return;
  }
  const gate = new Barrier(2);
  const outcome = await runWorkers([
    { target: waitBehindGate, args: [sourceOf(waitThenCopy), gate, [flag, data, out]] },
    { target: raiseFlagLater, args: [flag, data, gate] },
  ], seconds);
  const wrong = trouble(outcome, seconds);
  if (wrong !== null) return fail(4, wrong);
  if (out[0] !== 42) {
    return fail(4, `out[0] is ${out[0]}, want 42: the data was written 200 ms after the start, just before the flag went up. ` +
      "Wait until the flag is 1 first (while (Atomics.load(flag, 0) !== 1) {}), and only then copy data[0].");
  }
  const source = sourceOf(waitThenCopy);
  const flagName = parameterNames(source)[0];
  if (flagName !== undefined && new RegExp(`(?<![\\w$.])${flagName.replace(/\$/g, "\\$")}\\s*\\[`).test(source)) {
    return fail(4, `it copied 42, but it reads the flag with a plain access (${flagName}[...]): an engine may read that once and loop for ever, ` +
      "and a plain read does not order the data's read after it. Read the flag with Atomics.load (or sleep on it with Atomics.wait).");
  }
  if (!/Atomics\s*\.\s*(load|wait)\s*\(/.test(source)) {
    return fail(4, "it copied 42, but it never waits with Atomics.load or Atomics.wait: it was lucky. Wait for the flag first.");
  }
  pass(4, `it waited for the flag with Atomics and copied 42, in ${explored} beside the flag's writer, and in real workers: the data's write happens before its read.`);
}

/**
 * Exercise 5: `cellIndex(id)` gives worker `id` (0 to 7) the index of its cell in an `Int32Array`
 * of 256 elements, so that no two workers' cells share a 64-byte cache line. The check asks for
 * all eight and wants whole numbers from 0 to 255 on eight different lines.
 *
 * @example `check.exercise5(cellIndex);`
 */
export function exercise5(cellIndex: (id: number) => number): void {
  if (typeof cellIndex !== "function") return fail(5, `pass your function itself, such as check.exercise5(cellIndex), not ${typeof cellIndex}.`);
  const indices: unknown[] = [];
  for (let id = 0; id < 8; id++) {
    try {
      indices.push(cellIndex(id));
    } catch (error) {
      return fail(5, `cellIndex(${id}) threw ${(error as Error).name}: ${(error as Error).message}`);
    }
  }
  const bad = indices.findIndex((i) => typeof i !== "number" || !Number.isInteger(i) || i < 0 || i > 255);
  if (bad >= 0) return fail(5, `cellIndex(${bad}) is ${String(indices[bad])}: want a whole number from 0 to 255 (an index into an Int32Array of 256 elements).`);
  const lines = (indices as number[]).map((i) => Math.floor((4 * i) / 64));
  for (let a = 0; a < 8; a++) {
    for (let b = a + 1; b < 8; b++) {
      if (lines[a] === lines[b]) {
        return fail(5, `workers ${a} and ${b} get cells ${indices[a]} and ${indices[b]}, bytes ${4 * (indices[a] as number)} and ${4 * (indices[b] as number)}: ` +
          `both on the 64-byte line that starts at byte ${64 * lines[a]}. An Int32 is 4 bytes, so a line holds 16 of them: space the cells 16 elements apart (or 32, for 128 bytes).`);
      }
    }
  }
  pass(5, `cells ${listed(indices)}: eight workers, eight different cache lines.`);
}
