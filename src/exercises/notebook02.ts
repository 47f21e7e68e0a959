/**
 * The checks of notebook 02, *Shared memory: `mp.Array` and `mp.Value`*. Each runs the learner's
 * answer in a worker and prints one ✓ or ✗ line.
 *
 * @packageDocumentation
 */
import { Value, type SharedValue } from "../shared";
import type { NumberTypecode } from "../typecodes";
import { fail, listed, pass, sameList } from "./verdict";
import { runWorkers, trouble } from "./workers";

const ITEMS = [5, 6, 7, 8];
const SQUARES = [25, 36, 49, 64];
const SECONDS = 10;

/**
 * Exercise 1: `squaresInto(itemsList, buffer)` must make an `Int32Array` over `buffer` in the
 * worker and write the squares of `itemsList` into it. The check gives it `[5, 6, 7, 8]` and a
 * fresh `SharedArrayBuffer(16)` and wants to see `[25, 36, 49, 64]` from the notebook.
 *
 * @example `await check.exercise1(squaresInto);`
 */
export async function exercise1(squaresInto: (itemsList: number[], buffer: SharedArrayBuffer) => void): Promise<void> {
  if (typeof squaresInto !== "function") return fail(1, `pass your function itself, such as check.exercise1(squaresInto), not ${typeof squaresInto}.`);
  const shared = new SharedArrayBuffer(16);
  const outcome = await runWorkers([{ target: squaresInto, args: [ITEMS, shared] }], SECONDS);
  const wrong = trouble(outcome, SECONDS);
  if (wrong !== null) return fail(1, wrong);
  const seen = new Int32Array(shared);
  if (!sameList(seen, SQUARES)) {
    return fail(1, `the notebook sees ${listed(seen)} in the buffer, want ${listed(SQUARES)}. ` +
      "In the worker, write through a view over the buffer, such as an Int32Array.");
  }
  pass(1, `the notebook sees ${listed(seen)}: the worker wrote into the very bytes the notebook reads.`);
}

/** The reference worker of exercise 1, run by exercise 2 over a plain `ArrayBuffer`. */
function squaresIntoBuffer(itemsList: number[], buffer: ArrayBuffer): void {
  const out = new Int32Array(buffer);
  for (const [i, n] of itemsList.entries()) out[i] = n ** 2;
}

/**
 * Exercise 2: the learner predicts the four numbers the notebook sees in a plain
 * `new ArrayBuffer(16)` after a worker wrote the squares into the one it received. The check runs
 * that worker and compares.
 *
 * @example `await check.exercise2([25, 36, 49, 64]);`
 */
export async function exercise2(predicted: number[]): Promise<void> {
  if (!Array.isArray(predicted) || predicted.length !== 4) {
    return fail(2, "give your prediction as a list of the four numbers, such as check.exercise2([25, 36, 49, 64]).");
  }
  const plain = new ArrayBuffer(16);
  const outcome = await runWorkers([{ target: squaresIntoBuffer, args: [ITEMS, plain] }], SECONDS);
  const wrong = trouble(outcome, SECONDS);
  if (wrong !== null) return fail(2, wrong);
  const seen = new Int32Array(plain);
  if (!sameList(seen, predicted)) {
    return fail(2, `you predicted ${listed(predicted)}, but the notebook sees ${listed(seen)}: ` +
      "an ArrayBuffer is not shared, so the worker received a copy and wrote into that.");
  }
  pass(2, `the notebook sees ${listed(seen)}, as you predicted: an ArrayBuffer travels as a copy.`);
}

/**
 * Exercise 3: `meanOfSquares(itemsList, mean)` must store the mean of the squares of `itemsList`
 * in the shared `mean`, made with the learner's `typecode`. The check runs it with `[5, 6, 7, 8]`
 * and wants 43.5.
 *
 * @example `await check.exercise3(meanOfSquares, "i");`
 */
export async function exercise3(meanOfSquares: (itemsList: number[], mean: SharedValue<NumberTypecode>) => void,
                                typecode: NumberTypecode): Promise<void> {
  if (typeof meanOfSquares !== "function") return fail(3, `pass your function and a typecode, such as check.exercise3(meanOfSquares, "i").`);
  let mean: SharedValue<NumberTypecode>;
  try {
    mean = Value(typecode);
  } catch (error) {
    return fail(3, `mp.Value(${JSON.stringify(typecode)}) was refused: ${(error as Error).message}`);
  }
  const outcome = await runWorkers([{ target: meanOfSquares, args: [ITEMS, mean] }], SECONDS);
  const wrong = trouble(outcome, SECONDS);
  if (wrong !== null) return fail(3, `${wrong}${typecode === "f" || typecode === "d" ? "" : ". Which typecodes hold fractions?"}`);
  if (mean.value !== 43.5) {
    return fail(3, `the shared Value holds ${mean.value}, want 43.5 ((25 + 36 + 49 + 64) / 4). Did the worker set mean.value?`);
  }
  pass(3, `a "${typecode}" Value holds ${mean.value}, the mean the worker computed.`);
}
