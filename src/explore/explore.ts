/**
 * `explore` and `replay`: run real worker code under a deterministic scheduler that tries the
 * interleavings of its shared-memory operations one by one — every one, for small cases — in the
 * spirit of CHESS (Microsoft Research), Rust's loom and the JVM's Lincheck.
 *
 * Each thread of a scenario runs in a real worker; the library's shared-memory operations (see
 * `atomics.ts`) ask a scheduler before each step, so exactly one thread moves at a time and the
 * order is chosen, not left to the operating system. A step is one operation: a read or write of a
 * `Value`/`Array` element or of a raw typed array's (raw-memory.ts), or one `Atomics` call (inside a
 * lock, or on a raw typed array), so `b.value = b.value + 1` is two.
 *
 * @packageDocumentation
 */
import { inspect } from "node:util";
import { describe } from "../errors";
import { formatStates, formatTrace, naiveText } from "./report";
import { letter, ScheduleRun, type Choice, type Standing, type TraceStep } from "./run";
import { search, token, type RunEnd, type SearchBounds } from "./search";
import { ExploreWorkers } from "./workers";
import { restore, scenarioBuffers, snapshot } from "./scenario-memory";
import { controlBuffer, Outcome } from "./schedule-protocol";
import { targetSource } from "../target";
import { encode } from "../transfer";

/** The most threads a scenario may have. */
const MAX_THREADS = 4;

/**
 * What to explore: a few thread functions and the shared objects they work on, and what must hold
 * at the end of every schedule. Also the options of the search.
 */
export interface Scenario<A extends unknown[] = unknown[]> {
  /**
   * The threads, 1 to 4 of them, named A, B, C, D in schedules and traces. Each runs in a worker
   * with the same rules as a {@link Process}'s target: it sees only its arguments, JavaScript's
   * globals, `mp` and `require()`. It must do the same for the same schedule: its choices may depend
   * only on what it reads from shared memory. To that end, inside an explored thread `Math.random()`
   * is a fixed pseudo-random sequence (each thread its own, restarted on every run), and `Date.now()`,
   * `new Date()` and `performance.now()` read the thread's virtual clock, which starts at
   * 2026-01-01T00:00:00Z (0 for `performance.now()`) and moves only when a wait's timeout fires.
   * Anything else that differs between runs (a file, `process.hrtime()`, state a thread keeps in
   * `globalThis` from one run to the next in its reused worker) is caught where it matters: when a
   * schedule's prefix is run again and a thread does something else, explore() rejects with an
   * Error that names the step and what differed (nondeterminism), rather than count wrongly.
   *
   * A thread may be `async`: its awaits on the library's `…Async` calls and on `Atomics.waitAsync`
   * are modelled as blocking waits (the thread does nothing else until one settles), so one flow of
   * awaiting code per thread is explored, as a cell runs it; two flows awaiting by turns in one
   * thread are not.
   */
  readonly threads: ReadonlyArray<(...args: A) => unknown>;
  /**
   * The arguments every thread gets: `Value`, `Array`, `Lock`, `RLock`, `Semaphore`, `Event`,
   * `Condition`, ..., and raw typed arrays over a `SharedArrayBuffer`
   * (`new Int32Array(new SharedArrayBuffer(12))`): a thread gets a scheduled view of such an array,
   * whose element reads and writes are steps, and its `Atomics` calls on it (`load`, `store`,
   * `add`, `sub`, `and`, `or`, `xor`, `exchange`, `compareExchange`, `wait`, `waitAsync`, `notify`)
   * are steps, a `wait` modelled as the library's (a timeout is the schedule's choice). What could
   * touch the memory unseen is refused with a TypeError: a bare `SharedArrayBuffer` or a `DataView`
   * in args, and in a thread a view's `.buffer`, `subarray()` and its methods that take callbacks. (A typed array a thread makes over a shared object's `.buffer` is that
   * object's memory: its `Atomics` calls are steps, its plain element accesses are not.)
   */
  readonly args?: [...A];
  /** Names of the arguments, for traces (`["b", "lock"]` shows `b.value`, `lock[0]`); default `args[0]`, ... */
  readonly names?: readonly string[];
  /**
   * Checked after every schedule, on this thread, with the arguments as that schedule left them:
   * returning `false` or throwing makes the schedule a failure. Left out: a schedule fails when a
   * thread threw.
   */
  readonly check?: (final: FinalState<A>) => boolean | void;
  /** Checked after every step: returning `false` or throwing makes the schedule a failure. */
  readonly invariant?: (args: A) => boolean | void;
  /**
   * What counts as "the same final state" when they are counted: default, each argument as text
   * (`Value('i', 200)`) and the threads that did not return.
   */
  readonly state?: (final: FinalState<A>) => unknown;
  /**
   * Search option: at most this many preemptions per schedule (default: no bound). Without
   * `reduce`, every interleaving within the bound runs; with it, the result says when the bound cut
   * anything off, as the two do not combine soundly (see search.ts).
   */
  readonly preemptions?: number;
  /** Search option: stop after this many schedules (default 100 000). */
  readonly maxSchedules?: number;
  /** A schedule longer than this many steps is reported as a livelock (default 5 000). */
  readonly maxSteps?: number;
  /**
   * Search option: also try killing a thread at every point (at most one kill per schedule), as a
   * worker terminated there; `true` for any thread, or the letters of those that may die (`"A"`).
   */
  readonly kill?: boolean | string;
  /**
   * Search option: run one schedule of each class of schedules that differ only in the order of
   * steps that commute (steps on different cells, or two reads of one cell), as dynamic
   * partial-order reduction does (source-DPOR with sleep sets, see search.ts). Far fewer
   * schedules, the same final states, failures, lost updates and deadlocks found, but the counts
   * of final states count classes, not interleavings (`naiveSchedules` says how many interleavings
   * they stand for). With a preemption bound that cuts anything off, the result says it is not
   * even every class within the bound. Default false: every interleaving.
   */
  readonly reduce?: boolean;
  /** Search option: stop at the first failing schedule (default false: run them all, to count final states). */
  readonly stopAtFirstFailure?: boolean;
  /**
   * Search option: explore only fair timeouts. A wait that timed out may not time out again until
   * every thread that could move then (take a step, or time out) has moved, or can no longer
   * move: others' timeouts never starve a thread that can go on. Without it, a thread that
   * waits with a timeout in a loop (`while (!done) await latch.waitAsync({ timeout: 0.05 })`) can
   * be timed out again and again while the thread that would set `done` never runs, a schedule no
   * machine runs, reported as a livelock. A timeout still fires freely when no other thread can
   * move, and threads that all time out in a loop, waiting for what never comes, are still reported
   * as a livelock. When the rule set a timeout aside, the result is not `exhaustive` and its `bound` says
   * so. Default false: every timeout at every point.
   */
  readonly fairTimeouts?: boolean;
}

/** The end of one schedule, as `check` and `state` see it. */
export interface FinalState<A extends unknown[] = unknown[]> {
  /** The scenario's arguments: their memory is as the schedule left it. */
  readonly args: A;
  /** How each thread ended, in order A, B, ... */
  readonly threads: readonly ThreadEnd[];
  /**
   * Every step of the schedule (thread, operation, cell, value before and after), for properties
   * of the whole run rather than its end: see `noLostUpdate`, `entryOrder`, `linearizable`.
   */
  readonly trace: readonly TraceStep[];
}

/** How one thread of a schedule ended. */
export interface ThreadEnd {
  /** Its letter. */
  readonly thread: string;
  /** `"returned"` from its function, `"threw"`, or `"killed"` by the schedule. */
  readonly outcome: "returned" | "threw" | "killed";
  /** What it returned, if it returned (copied from its worker). */
  readonly value?: unknown;
  /** What it threw: the error's name and message. */
  readonly error?: { readonly name: string; readonly message: string };
}

/**
 * Where one thread stood at the end of a failing schedule: how it ended, as in {@link ThreadEnd},
 * or, if the schedule was cut short before it ended (a deadlock, a livelock, a broken invariant),
 * what held it then.
 */
export interface ThreadAt {
  /** Its letter. */
  readonly thread: string;
  /**
   * `"returned"`, `"threw"` or `"killed"` by the schedule, if it ended; else `"sleeps"` (in a wait
   * that nothing will end), `"spins"` (re-reading cells that nobody writes), or `"runs"` (it could
   * still take a step when a livelock or a broken invariant stopped the run).
   */
  readonly state: ThreadEnd["outcome"] | Standing;
  /** What it returned, if it returned. */
  readonly value?: unknown;
  /** What it threw, if it threw: the error's name and message. */
  readonly error?: { readonly name: string; readonly message: string };
}

/** A schedule that failed, with what happened in it. */
export interface Failure {
  /** `"check"` (or a thread threw), `"invariant"`, `"deadlock"` or `"livelock"`. */
  readonly kind: "check" | "invariant" | "deadlock" | "livelock";
  /** What went wrong, in words. */
  readonly message: string;
  /** The schedule, for {@link replay}: one letter per step, `A~` a timeout, `A!` a kill. */
  readonly schedule: string;
  /** Every step of it. */
  readonly trace: readonly TraceStep[];
  /** Its final state, as counted in `finalStates`. */
  readonly state: string;
  /**
   * Where each thread stood at its end, in order A, B, ...: for a deadlock, which threads had
   * ended and which were blocked, without reading {@link Failure.message}.
   */
  readonly threads: readonly ThreadAt[];
}

/** What {@link explore} found. */
export interface ExploreResult {
  /** How many schedules ran. */
  readonly schedules: number;
  /** How many steps they took in all. */
  readonly steps: number;
  /** With `reduce`: runs cut short as equivalent to a schedule already run (not counted in `schedules`). */
  readonly redundant: number;
  /** True if every schedule of the scenario ran (with `reduce`: one of every class of equivalent schedules). */
  readonly exhaustive: boolean;
  /**
   * How many schedules a naive search (every interleaving, no reduction) would run within the same
   * bounds: with `reduce`, counted from the classes run (each stands for every order of its steps
   * that keeps dependent steps in order); null when unknown (a bound, a stop or `maxSchedules` cut a
   * reduced search short, or a run ended in a livelock or a failed invariant). May exceed 2^53 and
   * then is approximate.
   */
  readonly naiveSchedules: number | null;
  /** Which bound cut schedules off, in words, or null. */
  readonly bound: string | null;
  /** Each distinct final state and how many schedules ended in it, most frequent first. */
  readonly finalStates: ReadonlyArray<{ readonly state: string; readonly count: number }>;
  /** How many schedules failed. */
  readonly failures: number;
  /** The first failing schedule, or null. */
  readonly failure: Failure | null;
  /** How long it took, in seconds. */
  readonly seconds: number;
  /** The report in words, with the failing schedule's trace. */
  toString(): string;
}

/** What {@link replay} did. */
export interface ReplayResult {
  /** The whole schedule run: the one given, and the steps that finished it, if it stopped early. */
  readonly schedule: string;
  /** Every step. */
  readonly trace: readonly TraceStep[];
  /** `"finished"`, or how it got stuck. */
  readonly end: "finished" | "deadlock" | "livelock" | "invariant";
  /** The final state, as {@link explore} counts it. */
  readonly state: string;
  /** How each thread ended. */
  readonly threads: readonly ThreadEnd[];
  /** What failed (`check`, invariant, deadlock...), or null. */
  readonly failure: Failure | null;
  /** The trace as a table and how it ended. */
  toString(): string;
}

/** The scenario, checked, with its options filled in. */
interface Checked<A extends unknown[]> {
  readonly scenario: Scenario<A>;
  readonly sources: string[];
  readonly args: A;
  readonly bounds: SearchBounds;
  readonly stopAtFirstFailure: boolean;
}

function checkScenario<A extends unknown[]>(scenario: Scenario<A>, where: string): Checked<A> {
  if (typeof scenario !== "object" || scenario === null) {
    throw new TypeError(`${where}: pass a scenario such as { threads: [deposit, withdraw], args: [b] }, not ${describe(scenario)}.`);
  }
  const { threads, args = [] as unknown as A } = scenario;
  if (!Array.isArray(threads) || threads.length < 1 || threads.length > MAX_THREADS) {
    throw new TypeError(`${where}: threads must be an array of 1 to ${MAX_THREADS} functions (the threads A, B, ...), not ${describe(threads)}.`);
  }
  if (!Array.isArray(args)) throw new TypeError(`${where}: args must be an array of arguments for the threads, not ${describe(args)}.`);
  for (const name of ["check", "invariant", "state"] as const) {
    if (scenario[name] !== undefined && typeof scenario[name] !== "function") {
      throw new TypeError(`${where}: ${name} must be a function, not ${describe(scenario[name])}.`);
    }
  }
  const count = (name: "preemptions" | "maxSchedules" | "maxSteps", fallback: number, min: number): number => {
    const value = scenario[name] ?? fallback;
    if (typeof value !== "number" || !(value >= min) || (!Number.isInteger(value) && value !== Infinity)) {
      throw new TypeError(`${where}: ${name} must be a whole number ≥ ${min} (or Infinity), not ${describe(value)}.`);
    }
    return value;
  };
  const flag = (name: "reduce" | "stopAtFirstFailure" | "fairTimeouts", fallback: boolean): boolean => {
    const value = scenario[name] ?? fallback;
    if (typeof value !== "boolean") throw new TypeError(`${where}: ${name} must be true or false, not ${describe(value)}.`);
    return value;
  };
  const letters = threads.map((_, i) => letter(i));
  const kill = scenario.kill ?? false;
  if (typeof kill !== "boolean" && (typeof kill !== "string" || [...kill].some((c) => !letters.includes(c)))) {
    throw new TypeError(`${where}: kill must be true, false, or the letters of the threads that may be killed (of ${letters.join("")}), not ${describe(kill)}.`);
  }
  return {
    scenario,
    sources: threads.map((t, i) => targetSource(t, `${where} thread ${letter(i)}`)),
    args,
    bounds: {
      preemptions: count("preemptions", Infinity, 0),
      maxSchedules: count("maxSchedules", 100_000, 1),
      maxSteps: count("maxSteps", 5_000, 1),
      killable: letters.map((l) => kill === true || (typeof kill === "string" && kill.includes(l))),
      reduce: flag("reduce", false),
      writesVisible: scenario.invariant !== undefined,
      fairTimeouts: flag("fairTimeouts", false),
    },
    stopAtFirstFailure: flag("stopAtFirstFailure", false),
  };
}

/** Starts the workers of a scenario, runs `body`, and ends them, leaving the memory as it was. */
async function session<A extends unknown[], T>(checked: Checked<A>, body: (run: ScheduleRun, workers: ExploreWorkers) => Promise<T>): Promise<T> {
  const encoded = encode(checked.args, "args") as unknown[];
  const buffers = scenarioBuffers(encoded, checked.scenario.names);
  const start = snapshot(buffers);
  const workers = new ExploreWorkers(checked.sources, encoded, controlBuffer(checked.sources.length));
  try {
    return await body(new ScheduleRun(workers, buffers, start), workers);
  } finally {
    await workers.stop();
    restore(buffers, start);
  }
}

const OUTCOMES = { [Outcome.RETURNED]: "returned", [Outcome.THREW]: "threw", [Outcome.KILLED]: "killed" } as const;

async function finalState<A extends unknown[]>(checked: Checked<A>, run: ScheduleRun, workers: ExploreWorkers): Promise<FinalState<A>> {
  const outcomes = run.outcomes();
  const threads = await Promise.all(
    outcomes.map(async (outcome, slot): Promise<ThreadEnd> => {
      const report = await workers.report(slot, run.run);
      const end = { thread: letter(slot), outcome: OUTCOMES[outcome] };
      if (outcome === Outcome.THREW) return { ...end, error: report.error };
      return outcome === Outcome.RETURNED ? { ...end, value: report.value } : end;
    }),
  );
  return { args: checked.args, threads, trace: run.trace };
}

function stateText<A extends unknown[]>(checked: Checked<A>, final: FinalState<A>, end: RunEnd): string {
  if (end.kind === "deadlock" || end.kind === "livelock") return end.kind;
  if (checked.scenario.state !== undefined) {
    const state = checked.scenario.state(final);
    return typeof state === "string" ? state : inspect(state, { breakLength: Infinity, depth: 4 });
  }
  const ends = final.threads.filter((t) => t.outcome !== "returned").map((t) => `${t.thread} ${t.outcome}${t.error ? ` ${t.error.name}` : ""}`);
  const text = (a: unknown): string => (ArrayBuffer.isView(a) ? inspect(a, { breakLength: Infinity }) : String(a));
  return [final.args.map(text).join(", "), ...ends].join("; ");
}

/** The problem with a finished schedule, or null. */
function judge<A extends unknown[]>(checked: Checked<A>, final: FinalState<A>): string | null {
  const { check } = checked.scenario;
  if (check === undefined) {
    const threw = final.threads.find((t) => t.outcome === "threw");
    return threw === undefined ? null : `thread ${threw.thread} threw ${threw.error?.name}: ${threw.error?.message}`;
  }
  try {
    return check(final) === false ? "check() returned false" : null;
  } catch (error) {
    return `check() threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
}

function invariantBroken<A extends unknown[]>(checked: Checked<A>): string | null {
  const { invariant } = checked.scenario;
  if (invariant === undefined) return null;
  try {
    return invariant(checked.args) === false ? "invariant() returned false" : null;
  } catch (error) {
    return `invariant() threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
}

/** Looks at the end of a run: its final state, and its failure if it failed. */
async function ending<A extends unknown[]>(
  checked: Checked<A>,
  run: ScheduleRun,
  workers: ExploreWorkers,
  end: RunEnd,
  schedule: string,
): Promise<{ final: FinalState<A>; state: string; failure: Failure | null }> {
  const final = await finalState(checked, run, workers);
  const state = stateText(checked, final, end);
  const message = end.kind === "finished" ? judge(checked, final) : end.message;
  const kind = end.kind === "finished" ? "check" : end.kind;
  if (message === null) return { final, state, failure: null };
  const standings = run.standings();
  const threads = final.threads.map(({ outcome, ...rest }, slot): ThreadAt => ({ ...rest, state: standings[slot] ?? outcome }));
  return { final, state, failure: { kind, message, schedule, trace: run.trace, state, threads } };
}

function failureText(failure: Failure): string {
  return [
    `Failure (${failure.kind}): ${failure.message}`,
    `Schedule: ${failure.schedule}`,
    formatTrace(failure.trace),
    `Final state: ${failure.state}`,
  ].join("\n");
}

/**
 * Runs the scenario's threads under every schedule (within the bounds given): each schedule from
 * the same start, in real workers, one shared-memory step at a time. Reports how many schedules
 * ran, how many ended in each final state, and the first failing one (a failed `check` or
 * `invariant`, a thread that threw when there is no `check`, a deadlock, or a livelock) with its
 * schedule and trace. Works on the main thread: `await mp.explore({...})` in a notebook cell.
 *
 * How waiting is explored: a `wait` sleeps until a `notify` on its cell wakes it, or (if it has a
 * timeout) until the schedule chooses to let the timeout fire, which moves the virtual clock past
 * its deadline. A thread that reads again what it read, with nothing changed, counts as spinning
 * and waits until a cell it read is written. With `kill`, a thread may also die at any point, and
 * the locks it held are marked as a terminated worker's are.
 *
 * @example
 * ```ts
 * const b = mp.Value("i", 200);
 * const result = await mp.explore({
 *   threads: [
 *     (b: mp.Value) => { for (let i = 0; i < 2; i++) b.value = b.value + 1; },
 *     (b: mp.Value) => { for (let i = 0; i < 2; i++) b.value = b.value - 1; },
 *   ],
 *   args: [b], names: ["b"],
 *   check: ({ args: [b] }) => b.value === 200,
 * });
 * console.log(String(result)); // 70 schedules, and the first that loses an update
 * ```
 * @param scenario - the threads, their arguments, the checks, and the search's options.
 * @returns what it found; the arguments' memory is left as it was.
 * @throws TypeError for a scenario it cannot run (the message says what is wrong).
 */
export async function explore<A extends unknown[]>(scenario: Scenario<A>): Promise<ExploreResult> {
  const checked = checkScenario(scenario, "explore()");
  return session(checked, async (run, workers) => {
    const began = performance.now();
    const states = new Map<string, number>();
    let failures = 0;
    let failure: Failure | null = null;
    const summary = await search(run, checked.bounds, {
      afterStep: () => invariantBroken(checked),
      afterRun: async (end, schedule) => {
        const seen = await ending(checked, run, workers, end, schedule);
        states.set(seen.state, (states.get(seen.state) ?? 0) + 1);
        if (seen.failure === null) return false;
        failures++;
        failure ??= seen.failure;
        return checked.stopAtFirstFailure;
      },
    });
    const finalStates = [...states].map(([state, count]) => ({ state, count })).sort((a, b) => b.count - a.count || (a.state < b.state ? -1 : 1));
    const seconds = (performance.now() - began) / 1000;
    const result: ExploreResult = {
      ...summary,
      finalStates,
      failures,
      failure,
      seconds,
      toString() {
        const all = checked.bounds.reduce ? "every class of equivalent schedules" : "every schedule";
        const how = summary.exhaustive ? all : `not every schedule: ${summary.bound}`;
        return [
          `Explored ${summary.schedules} schedule${summary.schedules === 1 ? "" : "s"} (${how}), ${summary.steps} steps, in ${seconds.toFixed(2)} s.`,
          `${summary.schedules} schedule${summary.schedules === 1 ? "" : "s"} run of ${naiveText(summary.naiveSchedules)} a naive search (every interleaving) would run.`,
          `Final states:`,
          formatStates(finalStates),
          failure === null ? "No schedule failed." : `${failures} failing schedule${failures === 1 ? "" : "s"}; the first:\n${failureText(failure)}`,
        ].join("\n");
      },
    };
    return Object.assign(result, { [inspect.custom]: () => result.toString() });
  });
}

/** The tokens of a schedule string: `A`, `A~`, `A!`, and `A3` for `AAA`. */
function parseSchedule(schedule: unknown, threads: number): Choice[] {
  if (typeof schedule !== "string") {
    throw new TypeError(`replay(): the schedule must be a string such as "AABAB" (one letter per step), not ${describe(schedule)}.`);
  }
  const last = letter(threads - 1);
  const help = `Write one letter per step (A${threads > 1 ? `–${last}` : ""}), "A~" to let A's wait time out, "A!" to kill A, "A3" for AAA.`;
  const out: Choice[] = [];
  const text = schedule.toUpperCase();
  const pattern = /\s*([A-Z])(?:([~!])|(\d+))?\s*|\s*[,|]\s*/y;
  for (let at = 0; at < text.length; ) {
    pattern.lastIndex = at;
    const m = pattern.exec(text);
    if (m === null) throw new TypeError(`replay(): the schedule "${schedule}" has "${schedule[at]}" at position ${at + 1}, which is not a step. ${help}`);
    at = pattern.lastIndex;
    if (m[1] === undefined) continue;
    const thread = m[1].charCodeAt(0) - 65;
    if (thread >= threads) throw new TypeError(`replay(): the schedule "${schedule}" names thread ${m[1]}, but this scenario has only ${threads} (A–${last}). ${help}`);
    const kind = m[2] === "~" ? "timeout" : m[2] === "!" ? "kill" : "step";
    for (let i = 0; i < (m[3] === undefined ? 1 : Number(m[3])); i++) out.push({ kind, thread });
  }
  return out;
}

/** Why `choice` cannot be taken now, at step `step` of a replayed schedule. */
function refusal(run: ScheduleRun, choice: Choice, step: number, schedule: string): Error {
  const name = letter(choice.thread);
  const what = choice.kind === "timeout" ? `${name}~ (a timeout of ${name}'s wait)` : choice.kind === "kill" ? `${name}! (killing ${name})` : name;
  let why = run.describe(choice.thread);
  if (choice.kind === "timeout") why += `; only a thread that sleeps in a wait with a timeout can time out`;
  return new Error(`replay(): step ${step} of "${schedule}" is ${what}, which cannot happen there: ${why}.`);
}

/**
 * Runs the scenario's threads under one given schedule and returns its trace (thread, operation,
 * cell, value before and after, step by step) and its final state. The schedule is one letter per
 * step, such as `"AABAB"`: which thread takes the next step; `"A~"` lets A's wait time out and
 * `"A!"` kills A there. If the schedule ends before the threads do, each thread that can go on
 * goes on until it cannot (A first), and the returned `schedule` says what ran.
 *
 * @example
 * ```ts
 * const r = await mp.replay(scenario, "ABAB");
 * console.log(String(r)); // the trace as a table, and the final state
 * ```
 * @param scenario - as for {@link explore} (its search options are not used).
 * @param schedule - the schedule to run.
 * @returns the trace, the final state and any failure (a failed check, a deadlock, ...).
 * @throws TypeError for a scenario or schedule string that cannot be read; Error for a step that
 *   cannot happen where it stands (a letter naming a thread that sleeps or has finished), saying which step and why.
 */
export async function replay<A extends unknown[]>(scenario: Scenario<A>, schedule: string): Promise<ReplayResult> {
  const checked = checkScenario(scenario, "replay()");
  const choices = parseSchedule(schedule, checked.sources.length);
  return session(checked, async (run, workers) => {
    await run.begin();
    let ran = "";
    let end: RunEnd = { kind: "finished" };
    let last = -1;
    for (let step = 0; end.kind === "finished"; step++) {
      let choice = choices[step];
      if (choice === undefined) {
        if (run.finished()) break;
        if (run.steps >= checked.bounds.maxSteps) {
          end = { kind: "livelock", message: `not every thread finished within ${checked.bounds.maxSteps} steps (${run.blocked()})` };
          break;
        }
        const open = run.choices(false);
        choice = open.find((c) => c.kind === "step" && c.thread === last) ?? open[0];
        if (choice === undefined) {
          end = { kind: "deadlock", message: `every live thread is blocked: ${run.blocked()}` };
          break;
        }
      } else if (!run.choices(true).some((c) => c.kind === choice?.kind && c.thread === choice.thread)) {
        throw refusal(run, choice, step + 1, schedule);
      }
      if (choice.kind !== "kill") last = choice.thread;
      await run.apply(choice);
      ran += token(choice);
      const broken = invariantBroken(checked);
      if (broken !== null) end = { kind: "invariant", message: broken };
    }
    if (end.kind !== "finished") await run.abort();
    const seen = await ending(checked, run, workers, end, ran);
    const result: ReplayResult = {
      schedule: ran,
      trace: run.trace,
      end: end.kind,
      state: seen.state,
      threads: seen.final.threads,
      failure: seen.failure,
      toString() {
        const ending = seen.failure === null ? `Final state: ${seen.state}` : `Failure (${seen.failure.kind}): ${seen.failure.message}\nFinal state: ${seen.state}`;
        return `Schedule ${ran}\n${formatTrace(run.trace)}\n${ending}`;
      },
    };
    return Object.assign(result, { [inspect.custom]: () => result.toString() });
  });
}
