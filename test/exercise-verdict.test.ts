/**
 * The verdict lines of the exercise checks (src/exercises/verdict.ts): a hint added after a
 * message that already ends in a full stop does not make "..", and an ellipsis stays whole.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { fail } from "../dist/exercises/verdict";

function printed(run: () => void): string {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    run();
  } finally {
    console.log = original;
  }
  return lines.join("\n");
}

test("a hint after a message ending in a full stop gets one full stop", () => {
  const refused = "the library refused it: Process(): target uses `power`, which is not defined inside a worker.";
  assert.equal(
    printed(() => fail(1, `${refused}. Everything the function needs must come in through its parameters.`)),
    "✗ exercise 1: the library refused it: Process(): target uses `power`, which is not defined inside a worker. Everything the function needs must come in through its parameters.",
  );
});

test("an ellipsis and a plain sentence are left as written", () => {
  assert.equal(printed(() => fail(2, "it printed 1, 2, ... and then stopped.")), "✗ exercise 2: it printed 1, 2, ... and then stopped.");
  assert.equal(printed(() => fail(3, "wrong.")), "✗ exercise 3: wrong.");
});
