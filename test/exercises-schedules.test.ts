/**
 * The schedule puzzles of notebook 07 (src/exercises/notebook07.ts, src/exercises/schedules.ts): a
 * lock that checks its flag and then sets it (two threads can both get in), and two locks taken in
 * opposite orders (a deadlock). A right schedule gets one `✓` line, a wrong one a `✗` line saying
 * what happened instead; the trace follows. Each test replays real workers under the explorer, so
 * it covers exactly the schedule it names (and replay's run-on after it).
 */
import { after, test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { notebook07 } from "../dist/exercises";

after(() => mp.terminateAll());

/** What `run` printed with console.log. */
async function printed(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    await run();
  } finally {
    console.log = log;
  }
  return lines;
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
const brokenBank: mp.Scenario<[mp.Value, mp.Value]> = { threads: [brokenDeposit, brokenWithdraw], args: [mp.Value("i", 200), mp.Value("i", 0)], names: ["b", "flag"] };

test("exercise 1: a schedule that lets both threads past the broken lock gets ✓, with the step where both were inside", async () => {
  const lines = await printed(() => notebook07.exercise1("ABAB", brokenBank));
  assert.match(lines[0], /^✓ exercise 1: "ABAB" \(replay ran it on as ABAB\w+\): both threads were inside at step 4 \(they entered: A at step 3, B at step 4\)\.$/);
  assert.match(lines[1], /^Schedule ABAB/, "the trace follows");
});

test("exercise 1: a schedule that keeps them apart gets ✗, saying what happened and what to try", async () => {
  const lines = await printed(() => notebook07.exercise1("AB", brokenBank));
  assert.equal(
    lines[0],
    `✗ exercise 1: "AB" (replay ran it on as ABBBBBAAAA) did not get both workers inside the critical section at once: ` +
      `every thread finished (final state Value('i', 200), Value('i', 0)). Where in the trace could the other worker take a step that changes everything?`,
  );
  assert.match(lines[1], /^Schedule ABBBBBAAAA\n/);
});

test("exercise 1: a schedule that cannot be read or cannot happen gets ✗ with the reason; so does a non-string", async () => {
  const bad = await printed(() => notebook07.exercise1("A?B", brokenBank));
  assert.equal(bad.length, 1);
  assert.match(bad[0], /^✗ exercise 1: replay\(\): the schedule "A\?B" has "\?" at position 2, which is not a step\. .* Where in the trace/);
  // A has 5 steps: read and write the flag, read and write b, write the flag. There is no 6th.
  const impossible = await printed(() => notebook07.exercise1("AAAAAA", brokenBank));
  assert.match(impossible[0], /^✗ exercise 1: replay\(\): step 6 of "AAAAAA" is A, which cannot happen there: /);
  const missing = await printed(() => notebook07.exercise1(undefined as unknown as string, brokenBank));
  assert.deepEqual(missing, [`✗ exercise 1: the schedule must be a string of thread letters such as "ABAB", not undefined.`]);
});

test("exercise 2: two locks in opposite orders: a schedule that deadlocks gets ✓, one that does not gets ✗", async () => {
  const forward = (one: mp.Lock, two: mp.Lock) => {
    mp.withLock(one, () => mp.withLock(two, () => {}));
  };
  const backward = (one: mp.Lock, two: mp.Lock) => {
    mp.withLock(two, () => mp.withLock(one, () => {}));
  };
  const twoLocks: mp.Scenario<[mp.Lock, mp.Lock]> = { threads: [forward, backward], args: [new mp.Lock(), new mp.Lock()], names: ["one", "two"] };
  const right = await printed(() => notebook07.exercise2("AB", twoLocks));
  assert.match(right[0], /^✓ exercise 2: "AB" \(replay ran it on as AB\w+\): deadlock after \d+ steps: every live thread is blocked: A sleeps in wait\(\) on two\[0\]/);
  const wrong = await printed(() => notebook07.exercise2("AAB", twoLocks));
  assert.match(wrong[0], /^✗ exercise 2: "AAB" \(.*\) did not get a deadlock: every thread finished \(final state <Lock\(unlocked\)>, <Lock\(unlocked\)>\)\. Each worker/);
});
