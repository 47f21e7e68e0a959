/**
 * The explorer's search: depth first over the scheduler's choices, as stateless model checking
 * does (CHESS, loom). Each schedule is run from the start; the next one replays the longest prefix
 * that still has an untried choice, then takes that choice. With a preemption bound, a thread that
 * could go on may be switched away from at most that many times per schedule (CHESS's insight:
 * most concurrency bugs need one or two); a switch away from a thread that sleeps, spins or has
 * ended is free. At most one kill per schedule.
 *
 * With `reduce`, sleep sets (Godefroid, 1996) skip schedules that differ from one already run only
 * in the order of steps that commute (different cells, or reads of the same cell): after choice `c`
 * was explored at a point, a later sibling's subtree does not take `c` again until a step that
 * does not commute with it has happened. Each class of equivalent schedules then ends once; a run
 * that finds every choice asleep is cut short and not counted.
 *
 * @packageDocumentation
 */
import { independent, letter, type Choice, type Footprint, type ScheduleRun } from "./run";

/** The limits of a search. */
export interface SearchBounds {
  /** Preemptions allowed per schedule (Infinity: no bound). */
  readonly preemptions: number;
  /** Stop after this many schedules. */
  readonly maxSchedules: number;
  /** A schedule longer than this many steps is reported as a livelock. */
  readonly maxSteps: number;
  /** Which threads may be killed (by slot); none: no kills. */
  readonly killable: readonly boolean[];
  /** Skip schedules equivalent to one already run (sleep sets). */
  readonly reduce: boolean;
}

/** How a run ended. */
export type RunEnd =
  | { readonly kind: "finished" }
  | { readonly kind: "deadlock" | "livelock" | "invariant"; readonly message: string };

/** What the search does after each step and each run. */
export interface SearchHooks {
  /** Checks the invariant after a step: a message if it fails, else null. */
  afterStep(): string | null;
  /** Looks at the end of a run (its memory is still the run's); returns true to stop the search. */
  afterRun(end: RunEnd, schedule: string): Promise<boolean>;
}

/** What a search did. */
export interface SearchSummary {
  /** Schedules run. */
  readonly schedules: number;
  /** Steps taken, over all schedules (and runs cut short as equivalent to one already run). */
  readonly steps: number;
  /** Runs cut short because every way on was equivalent to a schedule already run (with `reduce`). */
  readonly redundant: number;
  /** True if every schedule was run (no bound cut any off, and the search was not stopped). */
  readonly exhaustive: boolean;
  /** Which bound cut schedules off, in words; null if none did. */
  readonly bound: string | null;
}

/** One schedule string token: `A` (A steps), `A~` (A's wait times out), `A!` (A is killed). */
export function token(choice: Choice): string {
  return letter(choice.thread) + (choice.kind === "timeout" ? "~" : choice.kind === "kill" ? "!" : "");
}

interface Point {
  readonly choices: readonly Choice[];
  taken: number;
  /** What each choice touched, once it has been taken. */
  readonly touched: Footprint[];
}

/** A choice that need not be taken again until something it does not commute with happens. */
interface Asleep {
  readonly choice: Choice;
  readonly touched: Footprint;
}

/**
 * The choices worth trying at this point, in the order to try them: the last thread's own step
 * first (no preemption), then the others' steps, timeouts, and kills.
 */
function ordered(run: ScheduleRun, bounds: SearchBounds, last: number, preemptions: number, killed: boolean): { choices: Choice[]; pruned: boolean } {
  const all = run.choices(!killed).filter((c) => c.kind !== "kill" || bounds.killable[c.thread]);
  const lastGoesOn = last >= 0 && run.enabled(last);
  const own = all.filter((c) => c.kind === "step" && c.thread === last);
  const switches = all.filter((c) => c.kind !== "kill" && !(c.kind === "step" && c.thread === last));
  const kills = all.filter((c) => c.kind === "kill");
  if (lastGoesOn && preemptions >= bounds.preemptions) return { choices: [...own, ...kills], pruned: switches.length > 0 };
  return { choices: [...own, ...switches, ...kills], pruned: false };
}

/**
 * Runs every schedule within `bounds` (depth first), calling `hooks` after each step and run.
 *
 * @param run - the scenario's runs over its workers.
 */
export async function search(run: ScheduleRun, bounds: SearchBounds, hooks: SearchHooks): Promise<SearchSummary> {
  const stack: Point[] = [];
  let schedules = 0;
  let steps = 0;
  let pruned = false;
  let redundant = 0;
  for (;;) {
    await run.begin();
    let last = -1;
    let preemptions = 0;
    let killed = false;
    let schedule = "";
    let end: RunEnd = { kind: "finished" };
    let asleep: Asleep[] = [];
    let cut = false;
    for (let depth = 0; !run.finished(); depth++) {
      if (run.steps >= bounds.maxSteps) {
        end = { kind: "livelock", message: `not every thread finished within ${bounds.maxSteps} steps (${run.blocked()})` };
        break;
      }
      const now = ordered(run, bounds, last, preemptions, killed);
      pruned ||= now.pruned;
      if (!now.choices.some((c) => c.kind !== "kill")) {
        end = { kind: "deadlock", message: `every live thread is blocked: ${run.blocked()}` };
        break;
      }
      const awake = now.choices.filter((c) => !asleep.some((s) => s.choice.kind === c.kind && s.choice.thread === c.thread));
      if (awake.length === 0) {
        cut = true;
        break;
      }
      let point = stack[depth];
      if (point === undefined) {
        point = { choices: awake, taken: 0, touched: [] };
        stack.push(point);
      } else if (point.choices.map(token).join() !== awake.map(token).join()) {
        throw new Error(
          `explore(): the threads did not do the same thing when schedule ${schedule} was run again (at step ${depth + 1} ` +
            `the choices were ${now.choices.map(token).join(" ")}, before ${point.choices.map(token).join(" ")}). ` +
            `A thread must behave the same for the same schedule: no Math.random(), clocks or other outside input.`,
        );
      }
      const choice = point.choices[point.taken];
      if (choice.kind !== "kill" && choice.thread !== last && last >= 0 && run.enabled(last)) preemptions++;
      if (choice.kind === "kill") killed = true;
      else last = choice.thread;
      const footprint = run.footprint(choice);
      await run.apply(choice);
      const touched = run.touched(footprint);
      point.touched[point.taken] = touched;
      if (bounds.reduce) {
        const explored = point.choices.slice(0, point.taken).map((c, i) => ({ choice: c, touched: point.touched[i] }));
        asleep = [...asleep, ...explored].filter((s) => independent(s.touched, touched));
      }
      schedule += token(choice);
      const broken = hooks.afterStep();
      if (broken !== null) {
        end = { kind: "invariant", message: broken };
        break;
      }
    }
    if (cut || end.kind !== "finished") await run.abort();
    steps += run.steps;
    let stop = false;
    if (cut) {
      redundant++;
    } else {
      schedules++;
      stop = await hooks.afterRun(end, schedule);
    }
    while (stack.length > 0 && stack[stack.length - 1].taken + 1 >= stack[stack.length - 1].choices.length) stack.pop();
    if (stack.length === 0) {
      const bound = pruned ? `at most ${bounds.preemptions} preemption${bounds.preemptions === 1 ? "" : "s"} per schedule` : null;
      return { schedules, steps, redundant, exhaustive: !pruned, bound };
    }
    if (stop || schedules >= bounds.maxSchedules) {
      return { schedules, steps, redundant, exhaustive: false, bound: stop ? "stopped at the first failure" : `maxSchedules (${bounds.maxSchedules})` };
    }
    stack[stack.length - 1].taken++;
  }
}
