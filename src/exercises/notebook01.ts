/**
 * The checks of notebook 01, *Each process has its own memory*. Each runs the learner's answer
 * (in a worker where the exercise is about workers) and prints one ✓ or ✗ line.
 *
 * @packageDocumentation
 */
import { Process } from "../process";
import { fail, pass } from "./verdict";
import { runWorkers, trouble } from "./workers";

const ITEMS = [5, 6, 7, 8];
const CUBES = "125 216 343 512";
const SECONDS = 10;

/**
 * Exercise 1: `cubeWith(numList, power)` must run in a worker, with the power passed through
 * `args`, and print the numbers of `numList` to that power, separated by spaces. The check runs it
 * with `[5, 6, 7, 8]` and 3 and wants `125 216 343 512`.
 *
 * @example `await check.exercise1(cubeWith);`
 */
export async function exercise1(cubeWith: (numList: number[], power: number) => void): Promise<void> {
  if (typeof cubeWith !== "function") return fail(1, `pass your function itself, such as check.exercise1(cubeWith), not ${typeof cubeWith}.`);
  const outcome = await runWorkers([{ target: cubeWith, args: [ITEMS, 3] }], SECONDS);
  const wrong = trouble(outcome, SECONDS);
  if (wrong !== null) return fail(1, `${wrong}. Everything the function needs must come in through its parameters.`);
  // Runs of printable text: what else shares this thread's stdout (a test runner's protocol) is left out.
  const lines = outcome.output.split(/[^ -~]+/).map((l) => l.trim()).filter((l) => l !== "");
  if (!lines.includes(CUBES)) {
    const shown = lines.length === 0 ? "nothing" : lines.map((l) => JSON.stringify(l)).join(", ");
    return fail(1, `with [5, 6, 7, 8] and power 3 the worker printed ${shown}, want "${CUBES}": ` +
      "print the powers with one console.log, separated by spaces.");
  }
  pass(1, `your function ran in a worker with the power passed in args, and printed ${CUBES}.`);
}

/** A worker that pushes the squares into the box it was given. */
function fillBox(numList: number[], b: { squares: number[] }): void {
  for (const n of numList) b.squares.push(n ** 2);
}

/**
 * Exercise 2: the learner predicts `box.squares.length` in the notebook after a worker pushed the
 * four squares into the `box` it received in `args`. The check runs that worker and compares.
 *
 * @example `await check.exercise2(4);`
 */
export async function exercise2(predictedLength: number): Promise<void> {
  if (typeof predictedLength !== "number") {
    return fail(2, `give your prediction as a number, such as check.exercise2(4)${predictedLength === undefined ? "" : `, not ${JSON.stringify(predictedLength)}`}.`);
  }
  const box = { squares: [] as number[] };
  const outcome = await runWorkers([{ target: fillBox, args: [ITEMS, box] }], SECONDS);
  const wrong = trouble(outcome, SECONDS);
  if (wrong !== null) return fail(2, wrong);
  const length = box.squares.length;
  if (predictedLength !== length) {
    return fail(2, `you predicted ${predictedLength}, but the notebook's box.squares has ${length} elements after the worker ran. ` +
      "The worker received a copy of box, and the array inside it was copied too.");
  }
  pass(2, `box.squares.length is ${length}, as you predicted: the worker filled its copy of the box, nested array and all.`);
}

/** A target that calls the function it was given. */
function callIt(fn: (numList: number[]) => void): void {
  fn([1, 2, 3]);
}

/**
 * Exercise 3: the learner predicts the name of the error `start()` throws when `args` holds a
 * function (such as `"TypeError"`). The check tries it and compares.
 *
 * @example `await check.exercise3("RangeError");`
 */
export async function exercise3(predictedErrorName: string): Promise<void> {
  if (typeof predictedErrorName !== "string" || predictedErrorName === "") {
    return fail(3, 'give the name of the error you expect as a string, such as check.exercise3("RangeError").');
  }
  let thrown: Error | null = null;
  const p = new Process({ target: callIt, args: [(numList: number[]) => numList] });
  try {
    p.start();
  } catch (error) {
    thrown = error as Error;
  }
  if (thrown === null) {
    await p.join();
    return fail(3, "start() sent the function without complaint: this library version no longer refuses it.");
  }
  if (thrown.name !== predictedErrorName) {
    return fail(3, `start() threw a ${thrown.name}, not a ${predictedErrorName}: ${thrown.message}`);
  }
  pass(3, `start() threw a ${thrown.name}: ${thrown.message}`);
}
