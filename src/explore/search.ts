/**
 * The explorer's search: depth first over the scheduler's choices, as stateless model checking
 * does (CHESS, loom, Nidhugg). Each schedule is run from the start; the next one replays the
 * longest prefix that still has a choice to try, then takes that choice. With a preemption bound,
 * a thread that could go on may be switched away from at most that many times per schedule
 * (CHESS's insight: most concurrency bugs need one or two); a switch away from a thread that
 * sleeps, spins or has ended is free. At most one kill per schedule.
 *
 * Without `reduce`, every choice at every point is tried: every interleaving (within the bound).
 *
 * With `reduce`: source-DPOR with sleep sets (Abdulla, Aronis, Jonsson, Sagonas, POPL 2014, as
 * Nidhugg and loom do). Two steps of different threads are *dependent* when they touch one cell
 * and one of them writes it (a kill, or a thread's death, touches everything: see `Footprint` in
 * run.ts; with an `invariant`, which reads any cells between steps, any two writes are dependent
 * too, so every equivalent schedule passes through the same memory states). Schedules that differ
 * only in the order of independent steps are equivalent: same final memory, same values read and
 * returned, same deadlocks, and the same order of steps on each cell (so lost updates and orders
 * of entry are the same). The search tries one choice at each new point; after each step it looks
 * back for *races*, an earlier step of another thread that the new step depends on directly (not
 * through a step in between, computed with vector clocks), and at the point before that earlier
 * step it adds a thread that can start the reversed order (an *initial* of the steps after it
 * that do not depend on it, followed by the new step) unless one is there already. A choice
 * already explored at a point sleeps in the subtrees of its later siblings until a step it depends
 * on happens (sleep sets, Godefroid 1996); a run that finds every way on asleep is cut short.
 *
 * Why it is sound (every class of equivalent schedules is run at least once, and, thanks to sleep
 * sets, each complete one exactly once): Abdulla et al.'s Theorem 4.8, for a dependency relation
 * under which independent steps commute and neither enables nor disables the other. run.ts's
 * footprints are built for that: a wait, a notify and a timeout write their cell (so a notify and
 * the wait or timeout it changes are dependent), a spin-out reads the cells it re-read (so the
 * write that ends a spin is dependent on it), a compare-exchange that will fail only reads (it
 * would succeed only after a write of its cell). Where an initial is not a choice at its point
 * (which that argument rules out), every choice there is added instead, as Flanagan and Godefroid
 * (POPL 2005) do for disabled threads: more work, never less. A kill is a choice like no other (a
 * thread has two next moves, its step and its death), so at every point every kill allowed is
 * tried, and a kill depends on everything.
 *
 * With a preemption bound *and* `reduce`, the combination is not sound: the reversed order that a
 * race asks for may need a preemption the bound forbids, while a schedule of the same class with
 * preemptions elsewhere would have been allowed (Coons, Musuvathi, McKinley, OOPSLA 2013, repair
 * this with extra backtrack points; that is not done here). So when the bound cut anything off
 * with `reduce`, the result says so: not exhaustive, and not even every class within the bound.
 * Without `reduce` a bounded search runs every schedule within its bound.
 *
 * Fair timeouts (`fairTimeouts`). A thread that waits with a timeout in a loop can otherwise be
 * timed out again and again while the thread that would end its wait never gets a step: a
 * schedule no machine runs (each timeout is a span of real time in which a runnable thread runs),
 * reported as a livelock. With `fairTimeouts`, a thread whose wait timed out may not time out
 * again until every thread that could move (take a step, or time out) at that timeout has moved,
 * or can no longer move; so no thread that can go on is starved by others' timeouts, while a
 * timeout is still free to fire when nothing else can move (then it is the only way on). Two
 * threads that each time out in a loop, waiting for what never comes, still take turns up to
 * `maxSteps`: a real livelock is still reported.
 * Which timeouts may fire then depends on the schedule so far, not only on the state, so a race
 * whose reversal needs a timeout set aside finds no such choice at its point, and every choice
 * there is added (as for a disabled thread, above): more work, never less, over the fair
 * schedules. When the rule set a timeout aside, the result says so: the search covered the fair
 * schedules, not every one.
 *
 * How many schedules a naive search (no reduction) would run: each complete run stands for every
 * ordering of its steps that keeps the order of dependent ones, the linear extensions of its
 * happens-before order; they are counted by dynamic programming over its downsets (a downset is
 * a prefix of each thread's steps). Summed over the classes, that is the naive count, when every
 * run ended (finished or deadlocked) and nothing was bounded or stopped; else it is unknown.
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
  /** Run one schedule per class of equivalent schedules (source-DPOR with sleep sets). */
  readonly reduce: boolean;
  /** Any two writes are dependent (an invariant, checked between steps, may read any cells). */
  readonly writesVisible?: boolean;
  /** A wait that timed out may not time out again until every thread that could move then has moved, or cannot. */
  readonly fairTimeouts?: boolean;
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
  /** True if every schedule was run, or (with `reduce`) every class of equivalent schedules. */
  readonly exhaustive: boolean;
  /** Which bound cut schedules off, in words; null if none did. */
  readonly bound: string | null;
  /**
   * How many schedules a naive search (every interleaving, no reduction) would run within the same
   * bounds; null when unknown (a bound or a stop cut the search short, or a run was cut by a
   * livelock or a failed invariant, with `reduce`).
   */
  readonly naiveSchedules: number | null;
}

/** One schedule string token: `A` (A steps), `A~` (A's wait times out), `A!` (A is killed). */
export function token(choice: Choice): string {
  return letter(choice.thread) + (choice.kind === "timeout" ? "~" : choice.kind === "kill" ? "!" : "");
}

/** A choice that need not be taken again until something it depends on happens. */
interface Asleep {
  readonly choice: Choice;
  readonly touched: Footprint;
}

/** A point of the schedule being run: the choices there, and which of them to try. */
interface Point {
  /** The choices allowed here (by the preemption bound), in the order to try them. */
  readonly choices: readonly Choice[];
  /** The sleep set on arriving here. */
  readonly asleep: readonly Asleep[];
  /** Choices to try here (indices): DPOR's backtrack set. */
  readonly todo: Set<number>;
  /** Choices tried here, in the order tried (the current one last). */
  readonly done: number[];
  /** What each choice touched, once it has been taken. */
  readonly touched: Footprint[];
  /** Some choice was left out here by the preemption bound. */
  readonly pruned: boolean;
}

/** One step of the current run, for race detection and counting. */
interface Event {
  readonly thread: number;
  /** Whether it was a kill (of its thread). */
  readonly kill: boolean;
  readonly touched: Footprint;
  /** Its place among its thread's steps, from 1. */
  readonly local: number;
  /** Vector clock: for each thread, how many of its steps happen before this one (or are it). */
  readonly clock: number[];
}

const same = (a: Choice, b: Choice): boolean => a.kind === b.kind && a.thread === b.thread;
const writes = (f: Footprint): boolean => f === "all" || f.some((x) => x.write);

/**
 * The choices worth trying at this point, in the order to try them: the last thread's own step
 * first (no preemption), then the others' steps, timeouts, and kills. `owed[t]`: the threads that
 * could move (step or time out) when t's wait last timed out and have not moved since; with
 * `fairTimeouts`, t may not time out again while one of them can still move (`unfair` says such a
 * timeout was set aside). `movable`: the threads that can move here.
 */
function ordered(
  run: ScheduleRun,
  bounds: SearchBounds,
  last: number,
  preemptions: number,
  killed: boolean,
  owed: ReadonlyArray<ReadonlySet<number>>,
): { choices: Choice[]; pruned: boolean; unfair: boolean; movable: number[] } {
  const possible = run.choices(!killed).filter((c) => c.kind !== "kill" || bounds.killable[c.thread]);
  const movable = [...new Set(possible.filter((c) => c.kind !== "kill").map((c) => c.thread))];
  const waited = (t: number): boolean => movable.some((u) => owed[t].has(u));
  const all = bounds.fairTimeouts === true ? possible.filter((c) => c.kind !== "timeout" || !waited(c.thread)) : possible;
  const unfair = all.length < possible.length;
  const lastGoesOn = last >= 0 && run.enabled(last);
  const own = all.filter((c) => c.kind === "step" && c.thread === last);
  const switches = all.filter((c) => c.kind !== "kill" && !(c.kind === "step" && c.thread === last));
  const kills = all.filter((c) => c.kind === "kill");
  if (lastGoesOn && preemptions >= bounds.preemptions) return { choices: [...own, ...kills], pruned: switches.length > 0, unfair, movable };
  return { choices: [...own, ...switches, ...kills], pruned: false, unfair, movable };
}

/** The race detection and sleep sets of source-DPOR over the current run's steps. */
class Races {
  readonly events: Event[] = [];
  private readonly count: number[];

  constructor(
    private readonly threads: number,
    private readonly visible: boolean,
  ) {
    this.count = new Array<number>(threads).fill(0);
  }

  /** Whether two steps of different threads are dependent. */
  dependent(a: Footprint, b: Footprint): boolean {
    return !independent(a, b) || (this.visible && writes(a) && writes(b));
  }

  /** Clears the run's steps. */
  reset(): void {
    this.events.length = 0;
    this.count.fill(0);
  }

  /**
   * Adds the run's next step (at depth `this.events.length`) and, for each race it closes with an
   * earlier step, makes sure the point before that step tries a way to reverse it.
   */
  add(choice: Choice, touched: Footprint, stack: readonly Point[]): void {
    const thread = choice.thread;
    const i = this.events.length;
    const local = ++this.count[thread];
    let previous: Event | undefined;
    for (let k = i - 1; k >= 0 && previous === undefined; k--) if (this.events[k].thread === thread) previous = this.events[k];
    const clock = previous === undefined ? new Array<number>(this.threads).fill(0) : [...previous.clock];
    const races: number[] = [];
    for (let j = i - 1; j >= 0; j--) {
      const e = this.events[j];
      if (e.thread === thread || !this.dependent(e.touched, touched)) continue;
      if (clock[e.thread] < e.local) races.push(j);
      for (let t = 0; t < this.threads; t++) clock[t] = Math.max(clock[t], e.clock[t]);
    }
    clock[thread] = local;
    const event: Event = { thread, kill: choice.kind === "kill", touched, local, clock };
    this.events.push(event);
    for (const j of races) this.reverse(j, event, stack);
  }

  /** Whether step `a` happens before step `b` (a before b in the run). */
  private before(a: Event, b: Event): boolean {
    return b.clock[a.thread] >= a.local;
  }

  /** At the point before step `j`, adds a thread that starts the reversal of the race `j` → `last`. */
  private reverse(j: number, last: Event, stack: readonly Point[]): void {
    const point = stack[j];
    const first = this.events[j];
    // notdep(j).last: the steps after j that do not happen after it, then the step that races.
    const rest = this.events.slice(j + 1).filter((e) => e !== last && !this.before(first, e));
    rest.push(last);
    const initials: Event[] = [];
    const seen = new Set<number>();
    for (const [k, e] of rest.entries()) {
      if (seen.has(e.thread)) continue;
      seen.add(e.thread);
      if (!rest.slice(0, k).some((p) => this.before(p, e))) initials.push(e);
    }
    const indices = initials.map((e) => point.choices.findIndex((c) => c.thread === e.thread && (c.kind === "kill") === e.kill));
    if (indices.some((x) => x >= 0 && point.todo.has(x))) return;
    const awake = indices.find((x) => x >= 0 && !point.asleep.some((s) => same(s.choice, point.choices[x])));
    if (awake !== undefined) {
      point.todo.add(awake);
      return;
    }
    // Every initial that is a choice here sleeps: a schedule of that class was run already.
    if (indices.every((x) => x >= 0)) return;
    // An initial the preemption bound leaves out: the bound cut it off (and the result says so).
    if (point.pruned) return;
    // An initial that is not a choice here (a disabled thread): try them all.
    point.choices.forEach((_, x) => point.todo.add(x));
  }

  /**
   * How many orders of this run's steps keep every dependent pair in order (its linear
   * extensions): the schedules of its class. Null if there are too many downsets to count.
   *
   * Counted forward, one step at a time: how many orders reach each downset (how many steps of
   * each thread are taken) after k steps. Iterative, as a run may take thousands of steps (a
   * livelock runs up to `maxSteps`), too deep for a recursion.
   */
  linearizations(limit = 200_000): number | null {
    const byThread: Event[][] = Array.from({ length: this.threads }, () => []);
    for (const e of this.events) byThread[e.thread].push(e);
    let level = [{ at: new Array<number>(this.threads).fill(0), orders: 1 }];
    let downsets = 1;
    for (let taken = 0; taken < this.events.length; taken++) {
      const next = new Map<string, { at: number[]; orders: number }>();
      for (const { at, orders } of level) {
        for (let t = 0; t < this.threads; t++) {
          const e = byThread[t][at[t]];
          if (e === undefined || e.clock.some((c, u) => u !== t && c > at[u])) continue;
          const to = at.slice();
          to[t]++;
          const key = to.join();
          const known = next.get(key);
          if (known !== undefined) known.orders += orders;
          else if (++downsets > limit) return null;
          else next.set(key, { at: to, orders });
        }
      }
      level = [...next.values()];
    }
    return level[0].orders;
  }
}

/**
 * Runs every schedule within `bounds` (depth first), or with `reduce` one of each class of
 * equivalent schedules, calling `hooks` after each step and run.
 *
 * @param run - the scenario's runs over its workers.
 */
export async function search(run: ScheduleRun, bounds: SearchBounds, hooks: SearchHooks): Promise<SearchSummary> {
  const stack: Point[] = [];
  const races = new Races(bounds.killable.length, bounds.writesVisible === true);
  let schedules = 0;
  let steps = 0;
  let pruned = false;
  let unfair = false;
  let redundant = 0;
  let naive: number | null = 0;
  for (;;) {
    await run.begin();
    races.reset();
    let last = -1;
    let preemptions = 0;
    let killed = false;
    const owed = bounds.killable.map(() => new Set<number>());
    let schedule = "";
    let end: RunEnd = { kind: "finished" };
    let asleep: Asleep[] = [];
    let cut = false;
    for (let depth = 0; !run.finished(); depth++) {
      if (run.steps >= bounds.maxSteps) {
        end = { kind: "livelock", message: `not every thread finished within ${bounds.maxSteps} steps (${run.blocked()})` };
        break;
      }
      const now = ordered(run, bounds, last, preemptions, killed, owed);
      if (now.unfair) unfair = true;
      if (!now.choices.some((c) => c.kind !== "kill")) {
        end = { kind: "deadlock", message: `every live thread is blocked: ${run.blocked()}` };
        break;
      }
      let point = stack[depth];
      if (point === undefined) {
        const awake = now.choices.map((_, x) => x).filter((x) => !asleep.some((s) => same(s.choice, now.choices[x])));
        if (awake.length === 0) {
          cut = true;
          break;
        }
        const firstStep = awake.find((x) => now.choices[x].kind !== "kill");
        const todo = bounds.reduce ? awake.filter((x) => x === firstStep || now.choices[x].kind === "kill") : awake;
        const taken = todo[0];
        point = { choices: now.choices, asleep, todo: new Set(todo), done: [taken], touched: [], pruned: now.pruned };
        stack.push(point);
      } else if (point.choices.map(token).join() !== now.choices.map(token).join()) {
        throw new Error(
          `explore(): the threads did not do the same thing when schedule ${schedule} was run again (at step ${depth + 1} ` +
            `the choices were ${now.choices.map(token).join(" ")}, before ${point.choices.map(token).join(" ")}). ` +
            `A thread must behave the same for the same schedule: no Math.random(), clocks or other outside input.`,
        );
      }
      const taken = point.done[point.done.length - 1];
      const choice = point.choices[taken];
      if (choice.kind !== "kill" && choice.thread !== last && last >= 0 && run.enabled(last)) preemptions++;
      if (choice.kind === "kill") killed = true;
      else last = choice.thread;
      for (const waiting of owed) waiting.delete(choice.thread);
      if (choice.kind === "timeout") owed[choice.thread] = new Set(now.movable.filter((u) => u !== choice.thread));
      const footprint = run.footprint(choice);
      await run.apply(choice);
      const touched = run.touched(footprint);
      point.touched[taken] = touched;
      if (bounds.reduce) {
        races.add(choice, touched, stack);
        const explored = point.done.slice(0, -1).map((x) => ({ choice: point.choices[x], touched: point.touched[x] }));
        asleep = [...asleep, ...explored].filter((s) => !races.dependent(s.touched, touched));
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
      if (!bounds.reduce) naive = naive === null ? null : naive + 1;
      else if (end.kind === "livelock" || end.kind === "invariant" || naive === null) naive = null;
      else {
        const count = races.linearizations();
        naive = count === null ? null : naive + count;
      }
      stop = await hooks.afterRun(end, schedule);
    }
    const pending = (p: Point): number | undefined =>
      [...p.todo].find((x) => !p.done.includes(x) && !p.asleep.some((s) => same(s.choice, p.choices[x])));
    while (stack.length > 0 && pending(stack[stack.length - 1]) === undefined) {
      const popped = stack.pop() as Point;
      if (popped.pruned) pruned = true;
    }
    if (stack.length === 0) {
      const limit = `at most ${bounds.preemptions} preemption${bounds.preemptions === 1 ? "" : "s"} per schedule`;
      const cut = !pruned ? null : bounds.reduce ? `${limit}, and with reduce not even every class within that bound (see search.ts)` : limit;
      const fair = unfair ? "fair timeouts only (a wait that timed out did not time out again while a thread that could move then had not moved)" : null;
      const bound = [cut, fair].filter((x) => x !== null).join("; ") || null;
      return { schedules, steps, redundant, exhaustive: bound === null, bound, naiveSchedules: unfair || (pruned && bounds.reduce) ? null : naive };
    }
    if (stop || schedules >= bounds.maxSchedules) {
      return { schedules, steps, redundant, exhaustive: false, bound: stop ? "stopped at the first failure" : `maxSchedules (${bounds.maxSchedules})`, naiveSchedules: null };
    }
    const top = stack[stack.length - 1];
    top.done.push(pending(top) as number);
  }
}
