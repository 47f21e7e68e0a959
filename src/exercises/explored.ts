/**
 * Judging an answer over every schedule: the learner's functions become the threads of a small
 * scenario, {@link everySchedule} runs it under `explore`, and a failing schedule comes back as a
 * ✗ text plus its trace, step by step. The search is deterministic, so a racy answer gets its ✗
 * every run, never by luck, and a right answer (no failing schedule) is never rejected.
 *
 * @packageDocumentation
 */
import { explore, formatTrace, type ExploreResult, type Failure, type LostUpdate, type Scenario } from "../explore";
import { Process } from "../process";

/** Above this many schedules a check gives up and says so, rather than keep the learner waiting. */
const MAX_SCHEDULES = 20_000;

/**
 * A learner's function as a thread of an explored scenario, called as `call` says: an argument
 * list written over the scenario's arguments `args`, such as `"args[1], args[0], args[2], 1"`
 * (B's transfer goes the other way, one round). `mp.sleep` does nothing in it: a sleep touches no
 * shared memory, so it is no step and changes no schedule; it would only make every schedule slow.
 *
 * @param fn - the learner's function (already accepted by {@link refusal}).
 * @param call - the arguments to call it with, as JavaScript over `args`.
 */
export function asThread(fn: unknown, call: string): (...args: unknown[]) => unknown {
  return threadAround(fn, `return learner(${call});`);
}

/**
 * A thread whose body, JavaScript over the scenario's arguments `args`, uses the learner's
 * function as `learner`: `"const lock = learner(args[0]); lock.acquire(); ..."`. As in
 * {@link asThread}, `mp.sleep` does nothing. And `performance.now()` moves on by 10 µs at each
 * call, from 0 at the start of each run: the explorer's clocks stand still between timeouts (so
 * that a schedule replays alike), and a busy wait on them, such as notebook 3's slow clerks'
 * `while (performance.now() < end) {}`, would never end. A thread calls it the same number of
 * times in every replay of a schedule, so it stays deterministic.
 *
 * @param fn - the learner's function (already accepted by {@link refusal}).
 * @param body - the thread's code.
 */
export function threadAround(fn: unknown, body: string): (...args: unknown[]) => unknown {
  const source = Function.prototype.toString.call(fn);
  // The thread runs from its source text in a worker of its own: these globals are that worker's.
  return new Function(
    `return function thread(...args) {
      const quiet = { ...globalThis.mp, sleep() {} };
      globalThis.mp = quiet;
      if (globalThis.exports !== undefined) globalThis.exports.mp = quiet;
      let ticks = 0;
      performance.now = () => (ticks += 0.01);
      const learner = (${source});
      ${body}
    }`,
  )() as (...args: unknown[]) => unknown;
}

/** The library's message if it would refuse `fn` as a worker's target (it uses a notebook variable...), or null. */
export function refusal(fn: unknown): string | null {
  try {
    new Process({ target: fn as () => void });
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** What {@link everySchedule} found. */
export interface Judged {
  /** The first failing schedule, or null if none failed. */
  readonly failure: Failure | null;
  /** The search's result. */
  readonly result: ExploreResult;
  /** Which schedules ran, and how many: `"every schedule (126 classes of equivalent schedules, one run each)"`. */
  readonly covered: string;
}

/**
 * Explores `scenario` (stopping at the first failing schedule) and says what it found. With
 * `reduce`, one schedule of each class of equivalent ones runs (every bug is still found); with a
 * preemption bound, every schedule with at most that many preemptions. Timeouts are fair unless
 * the scenario says otherwise (`fairTimeouts`): an answer that waits with a timeout in a loop is
 * not timed out for ever while another thread could go on, a schedule no machine runs.
 *
 * @throws Error when the search ran out of schedules before it was done (the answer takes far more
 *   steps than the exercise needs); the caller turns it into a ✗.
 */
export async function everySchedule<A extends unknown[]>(scenario: Scenario<A>): Promise<Judged> {
  const result = await explore({ maxSchedules: MAX_SCHEDULES, fairTimeouts: true, ...scenario, stopAtFirstFailure: true });
  // A preemption bound and fair timeouts are the check's own limits; only other limits cut it short.
  const limits = (result.bound === null ? [] : result.bound.split("; ")).filter((b) => !/^at most \d+ preemption|^fair timeouts/.test(b));
  if (result.failure === null && !result.exhaustive && limits.length > 0) {
    throw new Error(`the check stopped after ${result.schedules} schedules without trying them all (${result.bound}): ` +
      "your function takes far more shared-memory steps than the exercise needs.");
  }
  const n = result.schedules;
  const fair = /fair timeouts/.test(result.bound ?? "") ? " where no thread's timeouts keep another that could go on waiting" : "";
  const covered = scenario.preemptions !== undefined
    ? `every schedule with at most ${scenario.preemptions} preemption${scenario.preemptions === 1 ? "" : "s"}${fair} (${n} schedules)`
    : scenario.reduce === true ? `every schedule${fair} (${n} classes of equivalent schedules, one run each)` : `every schedule${fair} (${n})`;
  return { failure: result.failure, result, covered };
}

/**
 * Prints a failing schedule for the learner, after the ✗ line: which thread is which, the
 * schedule (one letter per step: which thread took it) and every step of it.
 *
 * @param failure - the failing schedule.
 * @param threads - who the threads are, such as `"A = deposit, B = withdraw"`.
 */
export function showSchedule(failure: Failure, threads: string): void {
  if (failure.trace.length === 0) return;
  if (failure.trace.length <= MAX_TRACE) {
    console.log(`The schedule that breaks it, ${failure.schedule} (${threads}), step by step:`);
    console.log(formatTrace(failure.trace));
    return;
  }
  console.log(`The schedule that breaks it (${threads}) is ${failure.trace.length} steps long; its first ${MAX_TRACE / 2}:`);
  console.log(formatTrace(failure.trace.slice(0, MAX_TRACE / 2)));
}

/** The most steps a failing schedule's trace is printed with in full (a livelock runs to thousands). */
const MAX_TRACE = 120;

/** The most characters of a schedule string a ✗ line shows. */
const MAX_SCHEDULE_TEXT = 160;

/**
 * A schedule string, or any text made from one, as a ✗ line shows it: whole, or its beginning
 * and how long it is (a livelock's schedule runs to thousands of steps).
 */
export function shortSchedule(text: string): string {
  return text.length <= MAX_SCHEDULE_TEXT ? text : `${text.slice(0, MAX_SCHEDULE_TEXT)}… (${text.length} characters in all)`;
}

/**
 * A lost update in words: `"A wrote b.value = 201 at step 8, computed from the 200 it read at step
 * 1: it erased B's write of 199 at step 5"`.
 */
export function lostInWords(lost: LostUpdate): string {
  const erased = lost.overwritten.map((w) => `${w.thread}'s write of ${String(w.after)} at step ${w.step}`).join(" and ");
  return `${lost.write.thread} wrote ${lost.cell} = ${String(lost.write.after)} at step ${lost.write.step}, ` +
    `computed from the ${String(lost.read.before)} it read at step ${lost.read.step}: it erased ${erased}`;
}

/** Where a failure happened, for a ✗ line: `"in the schedule ABBA"`, or, where no thread took a step, `"in the one schedule there is (no shared-memory step)"`. */
export function inSchedule(failure: Failure): string {
  return failure.schedule === "" ? "in the one schedule there is (no thread took a shared-memory step)" : `in the schedule ${shortSchedule(failure.schedule)}`;
}
