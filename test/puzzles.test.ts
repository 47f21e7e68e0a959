/**
 * The schedule puzzles' grader (src/puzzles.ts), on the two puzzles of notebook 07: a lock that
 * checks its flag and then sets it (two threads can both get in), and two locks taken in opposite
 * orders (a deadlock). Each test replays real workers under the explorer, so it covers exactly the
 * one schedule it names (and replay's run-on after it).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import * as puzzles from "../dist/puzzles";

/** What `fn` printed with console.log, and what it returned. */
async function printedBy<T>(fn: () => Promise<T>): Promise<{ lines: string[]; value: T }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    return { lines, value: await fn() };
  } finally {
    console.log = log;
  }
}

const brokenDeposit = (b: mp.Value, flag: mp.Value) => {
  while (flag.value !== 0) {}
  flag.value = 1;
  b.value = b.value + 1;
  flag.value = 0;
};
const brokenWithdraw = (b: mp.Value, flag: mp.Value) => {
  while (flag.value !== 0) {}
  flag.value = 1;
  b.value = b.value - 1;
  flag.value = 0;
};

const breakIn: puzzles.SchedulePuzzle<[mp.Value, mp.Value]> = {
  exercise: 1,
  scenario: { threads: [brokenDeposit, brokenWithdraw], args: [mp.Value("i", 200), mp.Value("i", 0)], names: ["b", "flag"] },
  goal: "both workers inside the critical section at once",
  reached: puzzles.bothInside("flag.value"),
  hint: "Let each thread read the flag before either writes it.",
};

test("a schedule that lets both threads past the broken lock gets ✓, with the step where both were inside", async () => {
  const { lines, value } = await printedBy(() => puzzles.checkSchedule(breakIn, "ABAB"));
  assert.equal(value, true);
  assert.match(lines[0], /^✓ exercise 1: "ABAB" \(replay ran it on as ABAB\w+\): both threads were inside at step 4 \(they entered: A at step 3, B at step 4\)\.$/);
  assert.match(lines[1], /^Schedule ABAB/, "the trace follows");
});

test("a schedule that keeps them apart gets ✗, saying what happened and what to try", async () => {
  const { lines, value } = await printedBy(() => puzzles.checkSchedule(breakIn, "AB"));
  assert.equal(value, false);
  assert.equal(
    lines[0],
    `✗ exercise 1: "AB" (replay ran it on as ABBBBBAAAA) did not get both workers inside the critical section at once: ` +
      `every thread finished (final state Value('i', 200), Value('i', 0)). Let each thread read the flag before either writes it.`,
  );
  assert.match(lines[1], /^Schedule ABBBBBAAAA\n/);
});

test("a schedule that cannot be read or cannot happen gets ✗ with the reason; so does a non-string", async () => {
  const bad = await printedBy(() => puzzles.checkSchedule(breakIn, "A?B"));
  assert.equal(bad.value, false);
  assert.match(bad.lines[0], /^✗ exercise 1: replay\(\): the schedule "A\?B" has "\?" at position 2, which is not a step\. .* Let each thread/);
  // A has 5 steps: read and write the flag, read and write b, write the flag. There is no 6th.
  const impossible = await printedBy(() => puzzles.checkSchedule(breakIn, "AAAAAA"));
  assert.equal(impossible.value, false);
  assert.match(impossible.lines[0], /^✗ exercise 1: replay\(\): step 6 of "AAAAAA" is A, which cannot happen there: /);
  const missing = await printedBy(() => puzzles.checkSchedule(breakIn, undefined));
  assert.deepEqual(missing.lines, [`✗ exercise 1: the schedule must be a string of thread letters such as "ABAB", not undefined.`]);
});

test("two locks in opposite orders: a schedule that deadlocks gets ✓, one that does not gets ✗", async () => {
  const first = (one: mp.Lock, two: mp.Lock) => {
    mp.withLock(one, () => mp.withLock(two, () => {}));
  };
  const second = (one: mp.Lock, two: mp.Lock) => {
    mp.withLock(two, () => mp.withLock(one, () => {}));
  };
  const deadlock: puzzles.SchedulePuzzle<[mp.Lock, mp.Lock]> = {
    exercise: 2,
    scenario: { threads: [first, second], args: [new mp.Lock(), new mp.Lock()], names: ["one", "two"] },
    goal: "a deadlock",
    reached: puzzles.deadlocked,
    hint: "Let each take its first lock before the other takes its second.",
  };
  const right = await printedBy(() => puzzles.checkSchedule(deadlock, "AB"));
  assert.equal(right.value, true);
  assert.match(right.lines[0], /^✓ exercise 2: "AB" \(replay ran it on as AB\w+\): deadlock after \d+ steps: every live thread is blocked: A sleeps in wait\(\) on two\[0\]/);
  const wrong = await printedBy(() => puzzles.checkSchedule(deadlock, "AAB"));
  assert.equal(wrong.value, false);
  assert.match(wrong.lines[0], /^✗ exercise 2: "AAB" \(.*\) did not get a deadlock: every thread finished \(final state <Lock\(unlocked\)>, <Lock\(unlocked\)>\)\. Let each/);
});
