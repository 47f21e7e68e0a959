/**
 * Schedule puzzles: the learner types a schedule (`"ABAB"`), {@link replay} runs it, and
 * {@link checkSchedule} prints `✓ exercise N: …` if the replay reached the puzzle's goal, or
 * `✗ exercise N: …` with what happened instead and a hint, followed by the trace. It grades the
 * learner's schedule by what its replay did, never by comparing it with a reference answer: any
 * schedule that gets there is right.
 *
 * @packageDocumentation
 */
import { describe } from "../errors";
import { replay, type ReplayResult, type Scenario } from "../explore";
import { fail, pass } from "./verdict";

/** What a schedule of a puzzle must reach. */
export interface ScheduleGoal {
  /** The goal in a few words, for the `✗` line: `"both workers inside the critical section at once"`. */
  readonly goal: string;
  /**
   * Whether a replay reached the goal: a sentence saying how (for the `✓` line), or null if it did
   * not. {@link bothInside} and {@link deadlocked} are two such tests.
   */
  readonly reached: (result: ReplayResult) => string | null;
  /** What to try when a schedule misses the goal. */
  readonly hint: string;
}

/**
 * A goal: two threads inside a critical section at once, where a thread enters by writing a
 * non-zero value to `flagCell` (`"flag.value"`, as a trace names it) and leaves by writing 0 there.
 *
 * @param flagCell - the cell of the lock's flag, as traces name it.
 * @returns a test for {@link ScheduleGoal.reached}.
 */
export function bothInside(flagCell: string): (result: ReplayResult) => string | null {
  return (result) => {
    const inside = new Map<string, number>();
    for (const s of result.trace) {
      if (s.cell !== flagCell || s.op !== "write" || s.after === undefined) continue;
      if (Number(s.after) === 0) inside.delete(s.thread);
      else inside.set(s.thread, s.step);
      if (inside.size >= 2) {
        const entered = [...inside].map(([thread, step]) => `${thread} at step ${step}`).join(", ");
        return `both threads were inside at step ${s.step} (they entered: ${entered})`;
      }
    }
    return null;
  };
}

/**
 * A goal: every live thread blocked for good (the replay ended in a deadlock).
 *
 * @param result - a replay.
 * @returns how it ended, or null if it did not deadlock.
 */
export function deadlocked(result: ReplayResult): string | null {
  return result.end === "deadlock" ? `deadlock after ${result.trace.length} steps: ${result.failure?.message ?? "every thread is blocked"}` : null;
}

/** What a replay did, when it missed the goal. */
function outcome(result: ReplayResult): string {
  if (result.end !== "finished") return `it ended in a ${result.end} (${result.failure?.message ?? result.state})`;
  return `every thread finished (final state ${result.state})`;
}

/**
 * Replays the learner's schedule of `scenario` and prints one check line, then the trace: `✓
 * exercise n: …` if the replay reached the goal, else `✗ exercise n: …` with what happened instead
 * and the hint. A schedule that cannot be read, or names a step that cannot happen where it stands,
 * gets a `✗` with the reason. Where the schedule stops before the threads do, {@link replay} runs
 * them on (the thread that moved last first), and that counts too: the trace shows those steps.
 *
 * @param n - the exercise's number.
 * @param scenario - the puzzle's threads and their arguments.
 * @param schedule - the learner's schedule, such as `"ABAB"`.
 * @param goal - what the replay must reach.
 */
export async function checkSchedule<A extends unknown[]>(n: number, scenario: Scenario<A>, schedule: unknown, goal: ScheduleGoal): Promise<void> {
  if (typeof schedule !== "string") return fail(n, `the schedule must be a string of thread letters such as "ABAB", not ${describe(schedule)}.`);
  let result: ReplayResult;
  try {
    result = await replay(scenario, schedule);
  } catch (error) {
    return fail(n, `${error instanceof Error ? error.message : String(error)} ${goal.hint}`);
  }
  const how = goal.reached(result);
  const typed = `"${schedule}"${result.schedule === schedule.replace(/[\s,|]/g, "").toUpperCase() ? "" : ` (replay ran it on as ${result.schedule})`}`;
  if (how !== null) pass(n, `${typed}: ${how}.`);
  else fail(n, `${typed} did not get ${goal.goal}: ${outcome(result)}. ${goal.hint}`);
  console.log(String(result));
}
