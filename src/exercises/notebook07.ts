/**
 * The checks of notebook 07, *Every interleaving*: schedule puzzles. The learner types a schedule;
 * the check replays it on the notebook's scenario under the explorer and grades what happened.
 *
 * @packageDocumentation
 */
import type { Scenario } from "../explore";
import { bothInside, checkSchedule, deadlocked } from "./schedules";

/**
 * Exercise 1: a schedule of the bank guarded by the broken lock (`while (flag.value !== 0) {}`
 * then `flag.value = 1`) that has both workers inside the critical section at once, that is,
 * both between their `flag.value = 1` and their `flag.value = 0` at the same step.
 *
 * @example `await check.exercise1(mySchedule1, brokenBank);`
 * @param schedule - the learner's schedule, such as `"AABB"`.
 * @param scenario - the notebook's `brokenBank`, whose second argument is named `flag`.
 */
export async function exercise1<A extends unknown[]>(schedule: string, scenario: Scenario<A>): Promise<void> {
  await checkSchedule(1, scenario, schedule, {
    goal: "both workers inside the critical section at once",
    reached: bothInside("flag.value"),
    hint: "Where in the trace could the other worker take a step that changes everything?",
  });
}

/**
 * Exercise 2: a schedule of two workers taking two locks in opposite orders that deadlocks them.
 *
 * @example `await check.exercise2(mySchedule2, twoLocks);`
 * @param schedule - the learner's schedule, such as `"AABB"`.
 * @param scenario - the notebook's `twoLocks`.
 */
export async function exercise2<A extends unknown[]>(schedule: string, scenario: Scenario<A>): Promise<void> {
  await checkSchedule(2, scenario, schedule, {
    goal: "a deadlock",
    reached: deadlocked,
    hint: "Each worker needs both locks: when can neither of them get its second one?",
  });
}

/**
 * Exercise 3: a schedule of the notebook's Treiber stack without a tag (`abaStack(false)`, thread A
 * pops one node, B pops two and pushes the first back) that breaks it, that is, whose replay fails
 * the scenario's own check (every node on the stack or in a thread's hands, exactly once): the
 * ABA problem.
 *
 * @example `await check.exercise3(mySchedule3, abaStack(false));`
 * @param schedule - the learner's schedule, such as `"AABBB"`.
 * @param scenario - the notebook's `abaStack(false)`, which has a `check`.
 */
export async function exercise3<A extends unknown[]>(schedule: string, scenario: Scenario<A>): Promise<void> {
  await checkSchedule(3, scenario, schedule, {
    goal: "a broken stack",
    reached: (result) => (result.failure?.kind === "check" ? `the stack broke: ${result.state}` : null),
    hint: "Let A read top and the node under it (two steps), then let B do all its work before A's compare-exchange.",
  });
}
