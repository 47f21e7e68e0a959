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

/** The list and power of a second run, drawn afresh each time: an answer cannot know them in advance. */
function unguessable(): { list: number[]; power: number } {
  const list = Array.from({ length: 3 + Math.floor(Math.random() * 3) }, () => 2 + Math.floor(Math.random() * 19));
  const power = [2, 4, 5][Math.floor(Math.random() * 3)];
  return { list, power };
}

/** Runs of printable text a worker printed: what else shares this thread's stdout (a test runner's protocol) is left out. */
function printedLines(output: string): string[] {
  return output.split(/[^ -~]+/).map((l) => l.trim()).filter((l) => l !== "");
}

/**
 * Exercise 1: `cubeWith(numList, power)` must run in a worker, with the power passed through
 * `args`, and print the numbers of `numList` to that power, separated by spaces. The check runs it
 * with `[5, 6, 7, 8]` and 3 and wants `125 216 343 512`; then with a list and a power (2, 4 or 5)
 * drawn at random, so an answer that prints cubes, or those four numbers, whatever it gets fails
 * every run.
 *
 * @example `await check.exercise1(cubeWith);`
 */
export async function exercise1(cubeWith: (numList: number[], power: number) => void): Promise<void> {
  if (typeof cubeWith !== "function") return fail(1, `pass your function itself, such as check.exercise1(cubeWith), not ${typeof cubeWith}.`);
  const other = unguessable();
  for (const { list, power } of [{ list: ITEMS, power: 3 }, other]) {
    const outcome = await runWorkers([{ target: cubeWith, args: [list, power] }], SECONDS);
    const wrong = trouble(outcome, SECONDS);
    if (wrong !== null) return fail(1, `${wrong}. Everything the function needs must come in through its parameters.`);
    const want = list.map((n) => n ** power).join(" ");
    const lines = printedLines(outcome.output);
    if (!lines.includes(want)) {
      const shown = lines.length === 0 ? "nothing" : lines.map((l) => JSON.stringify(l)).join(", ");
      return fail(1, `with [${list.join(", ")}] and power ${power} the worker printed ${shown}, want "${want}": ` +
        "print each number of numList to the power `power`, with one console.log, separated by spaces.");
    }
  }
  pass(1, `your function ran in a worker with the power passed in args: ${CUBES} for [5, 6, 7, 8] and 3, ` +
    `and right for [${other.list.join(", ")}] and ${other.power} too.`);
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

/** A target for exercise 3: it does nothing with what it gets; the question is whether it gets there. */
function receive(value: unknown): void {
  void value;
}

/** Exercise 3's values, by the names the learner's predictions use. */
const VALUES: Record<string, { shown: string; value: unknown }> = {
  number: { shown: "42", value: 42 },
  nested: { shown: "{ squares: [1, 4, 9] }", value: { squares: [1, 4, 9] } },
  map: { shown: 'new Map([[1, "one"]])', value: new Map([[1, "one"]]) },
  fn: { shown: "makeSquaredList (a function)", value: (numList: number[]) => numList.map((n) => n ** 2) },
  method: { shown: "{ side: 3, area() { return this.side ** 2; } }", value: { side: 3, area(this: { side: number }) { return this.side ** 2; } } },
};

/**
 * Exercise 3: which values can travel to a worker in `args`? The learner predicts, for each of
 * five values (a number, a nested object, a `Map`, a function, an object with a method), `true` if
 * `start()` accepts it (the worker gets a copy) or `false` if it refuses it. The check tries each
 * and compares: the concept is that a worker receives copies of data, and code cannot be copied,
 * not even a method inside an object.
 *
 * @example `await check.exercise3({ number: true, nested: true, map: true, fn: false, method: false });`
 */
export async function exercise3(canTravel: Record<string, boolean | undefined>): Promise<void> {
  const names = Object.keys(VALUES);
  if (typeof canTravel !== "object" || canTravel === null || names.some((k) => typeof canTravel[k] !== "boolean")) {
    return fail(3, `give a prediction, true or false, for each of ${names.join(", ")}, such as check.exercise3({ number: true, ... }).`);
  }
  const wrong: string[] = [];
  for (const name of names) {
    const { shown, value } = VALUES[name];
    const p = new Process({ target: receive, args: [value] });
    let refused: Error | null = null;
    try {
      p.start();
      await p.join();
    } catch (error) {
      refused = error as Error;
    }
    if (refused === null && !canTravel[name]) wrong.push(`${name}: start() accepted ${shown}, and the worker got a copy`);
    if (refused !== null && canTravel[name]) wrong.push(`${name}: start() refused ${shown}: ${refused.message.split(";")[0]}`);
  }
  if (wrong.length > 0) {
    return fail(3, `${wrong.length} of ${names.length} predictions were wrong: ${wrong.join("; ")}. ` +
      "A worker receives a copy of its arguments: data (numbers, arrays, objects, Maps) can be copied, code cannot.");
  }
  pass(3, "all five right: data, however nested, travels as a copy; a function cannot be copied, nor an object that holds one.");
}
