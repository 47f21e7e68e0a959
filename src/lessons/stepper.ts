/**
 * The learner as the scheduler (notebook 7): a stepper over a scenario of the explorer. Each
 * `step("A")` lets thread A take its next step; `undo()` takes the last one back. After each call
 * the same output is redrawn: one lane per thread with the steps taken (the last one in red), the
 * shared cells with their values, and what just went wrong, if anything: mutual exclusion broken,
 * an update lost, the threads deadlocked.
 *
 * It is built on the explorer's public `replay(scenario, schedule)` only: each call replays the
 * schedule so far from the start, in fresh workers. `replay` cannot stop after a prefix (where the
 * schedule ends, it runs the threads on to their end), so the stepper reads the state after its
 * prefix from the trace: the steps numbered up to the prefix's length.
 *
 * @packageDocumentation
 */
import { live, timelineChart, type LivePicture, type Picture, type TimelineEvent } from "../display";
import { replay, type ReplayResult, type Scenario, type TraceStep } from "../explore";

/** What {@link stepper} takes: a scenario, and what the stepper should watch in it. */
export interface StepperOptions<A extends unknown[]> extends Scenario<A> {
  /**
   * The cell of a lock, as the trace names it (such as `"flag.value"`): a thread that changed it
   * to a value other than 0 holds the lock until it writes 0 to it. Two holders at once: mutual
   * exclusion is broken. Left out: no lock is watched.
   */
  readonly lockCell?: string;
  /** The picture's title (default "You are the scheduler"). */
  readonly title?: string;
}

/** What went wrong in the steps so far, found in their trace. */
export interface StepperFinding {
  /** `"mutual exclusion"`, `"lost update"`, `"deadlock"`, `"finished"` (every thread ended) or `"refused"` (a step that cannot happen). */
  readonly kind: "mutual exclusion" | "lost update" | "deadlock" | "finished" | "refused";
  /** In words. */
  readonly message: string;
}

/** A cell's name as short as a label can have it: `b.value` → `b`. */
function short(cell: string): string {
  return cell.replace(/\.value$/, "");
}

/** A step of the trace as a label: `read flag 0`, `write b 201`. */
function label(s: TraceStep): string {
  const value = s.op === "read" || s.op === "load" ? s.before : s.after;
  return `${s.op} ${short(s.cell)}${value === undefined ? "" : ` ${String(value)}`}`.trim();
}

/** The writes that change a cell's value, for holders and lost updates. */
const WRITES = new Set(["write", "store", "compareExchange", "exchange", "add", "sub", "and", "or", "xor"]);

/**
 * A stepper over one scenario: the schedule so far, replayed after each call, and its picture
 * redrawn in place. Made by {@link stepper}.
 */
export class Stepper<A extends unknown[]> {
  readonly #scenario: StepperOptions<A>;
  readonly #letters: string[];
  #schedule: string[] = [];
  #result: ReplayResult | null = null;
  #refused: string | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #view: LivePicture;

  /**
   * Made by {@link stepper}.
   *
   * @param scenario - the scenario and what to watch.
   */
  constructor(scenario: StepperOptions<A>) {
    this.#scenario = scenario;
    this.#letters = scenario.threads.map((_, i) => String.fromCharCode(65 + i));
    // Redrawn at most once a replay (about a second), and never finished by a cell: every frame whole.
    this.#view = live(() => this.picture(), { fps: 10, pngEveryFrame: true });
    this.#queue = this.#replay([]);
  }

  /** The steps taken so far, such as `"ABBA"`. */
  get schedule(): string {
    return this.#schedule.join("");
  }

  /**
   * Lets threads take their next steps, one letter each, in order: `step("A")`, or `step("ABAB")`.
   * A step that cannot happen (the thread has finished, or sleeps until another thread wakes it)
   * is refused, said in the picture, and not taken; the steps after it are not taken either.
   *
   * @param letters - one letter per step, A, B, ... (case does not matter; spaces are skipped).
   * @returns resolves once the steps are replayed and the picture redrawn ({@link Stepper.finding}
   *   then says what was found).
   * @throws TypeError (at once) for a letter that names no thread.
   */
  step(letters: string): Promise<void> {
    if (typeof letters !== "string") throw new TypeError(`step(): pass thread letters such as "A" or "ABAB", not ${typeof letters}.`);
    const wanted = [...letters.toUpperCase().replace(/\s+/g, "")];
    const bad = wanted.find((c) => !this.#letters.includes(c));
    if (bad !== undefined || wanted.length === 0) {
      throw new TypeError(`step(): "${letters}" ${bad === undefined ? "has no letter" : `has "${bad}", which names no thread`}; the threads are ${this.#letters.join(", ")}.`);
    }
    return this.#then(async () => {
      // All at once first (one replay); if some step cannot happen, one by one to stop before it.
      await this.#replay([...this.#schedule, ...wanted]);
      if (this.#refused !== null && wanted.length > 1) {
        for (const c of wanted) {
          await this.#replay([...this.#schedule, c]);
          if (this.#refused !== null) break;
        }
      }
    });
  }

  /**
   * Takes back the last `count` steps (default 1).
   *
   * @returns resolves once the picture is redrawn.
   * @throws RangeError (at once) for a count that is not a whole number of 1 or more.
   */
  undo(count = 1): Promise<void> {
    if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`undo(): the count is ${count}; it must be a whole number of steps, 1 or more.`);
    return this.#then(async () => {
      await this.#replay(this.#schedule.slice(0, Math.max(0, this.#schedule.length - count)));
    });
  }

  /** Runs `work` after the calls before it, so that calls made without `await` happen in order. */
  #then<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Replays `schedule`; keeps it if it could run, or notes why not and keeps the one before. Redraws the picture. */
  async #replay(schedule: string[]): Promise<void> {
    try {
      this.#result = await replay(this.#scenario, schedule.join(""));
      this.#schedule = schedule;
      this.#refused = null;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      const why = /cannot happen there: (.*)$/s.exec(text);
      if (why === null) throw error;
      this.#refused = `${schedule[schedule.length - 1]} cannot take a step now: ${why[1].replace(/\.$/, "")}.`;
    }
    if (!this.#view.finished) {
      this.#view.redraw();
      await this.#view.whenDrawn();
    }
  }

  /** The steps taken so far (the trace up to the schedule's length). */
  #taken(): TraceStep[] {
    return (this.#result?.trace ?? []).filter((s) => s.step <= this.#schedule.length);
  }

  /** Each shared cell and its value after the steps taken (cells not yet touched: their first value). */
  cells(): Map<string, number | bigint> {
    const all = this.#result?.trace ?? [];
    const values = new Map<string, number | bigint>();
    for (const s of all) if (s.cell !== "" && s.before !== undefined && !values.has(s.cell)) values.set(s.cell, s.before);
    for (const s of this.#taken()) if (s.cell !== "" && s.after !== undefined) values.set(s.cell, s.after);
    return values;
  }

  /** The threads that hold the watched lock after the steps taken, and the step at which a second one got it (and who held it then), if any. */
  #holders(): { holders: Set<string>; brokeAt: number | null; both: string[] } {
    const holders = new Set<string>();
    let brokeAt: number | null = null;
    let both: string[] = [];
    const cell = this.#scenario.lockCell;
    if (cell === undefined) return { holders, brokeAt, both };
    for (const s of this.#taken()) {
      if (s.cell !== cell || !WRITES.has(s.op) || s.after === undefined) continue;
      // A write of a non-zero value takes the lock (whatever was there: a thread that writes 1 over
      // 1 believes it took it); a compare-exchange takes it only if it changed the cell.
      if (Number(s.after) === 0) holders.delete(s.thread);
      else if (s.op !== "compareExchange" || s.after !== s.before) holders.add(s.thread);
      if (holders.size > 1 && brokeAt === null) {
        brokeAt = s.step;
        both = [...holders];
      }
    }
    return { holders, brokeAt, both };
  }

  /** The writes erased so far: each with the write that erased it (computed from a read older than it). */
  #erased(): { lost: TraceStep; by: TraceStep }[] {
    const out: { lost: TraceStep; by: TraceStep }[] = [];
    const taken = this.#taken();
    taken.forEach((s, i) => {
      if (s.cell === this.#scenario.lockCell || !WRITES.has(s.op) || s.op !== "write") return;
      // The thread's last read of this cell before its write.
      let read = -1;
      for (let j = i - 1; j >= 0; j--) {
        if (taken[j].thread === s.thread && taken[j].cell === s.cell) {
          if (taken[j].op === "read") read = j;
          break;
        }
      }
      if (read < 0) return;
      for (let j = read + 1; j < i; j++) if (taken[j].thread !== s.thread && taken[j].cell === s.cell && WRITES.has(taken[j].op)) out.push({ lost: taken[j], by: s });
    });
    return out;
  }

  /**
   * What the last call found: the step refused, or else the latest of what is wrong (or over)
   * after the steps taken ({@link Stepper.problems}); null if nothing.
   */
  finding(): StepperFinding | null {
    return this.#refused !== null ? { kind: "refused", message: this.#refused } : (this.problems().at(-1) ?? null);
  }

  /** Everything wrong (or over) after the steps taken, in the order it happened. */
  problems(): StepperFinding[] {
    const out: StepperFinding[] = [];
    const { brokeAt, both } = this.#holders();
    if (brokeAt !== null) {
      out.push({ kind: "mutual exclusion", message: `Mutual exclusion broke at step ${brokeAt}: ${both.join(" and ")} both held the lock (${short(this.#scenario.lockCell ?? "")}) at once.` });
    }
    const erased = this.#erased();
    if (erased.length > 0) {
      const { lost, by } = erased[0];
      const more = erased.length > 1 ? ` (${erased.length} writes lost in all)` : "";
      out.push({ kind: "lost update", message: `An update was lost: ${by.thread}'s write at step ${by.step} erased ${lost.thread}'s write of ${short(lost.cell)} at step ${lost.step}, computed from a read before it${more}.` });
    }
    const result = this.#result;
    const nothingAfter = result !== null && result.schedule.length === this.#schedule.length;
    if (result !== null && nothingAfter && result.end === "deadlock") out.push({ kind: "deadlock", message: `Deadlock: no thread can take a step. ${result.failure?.message ?? ""}`.trim() });
    if (result !== null && nothingAfter && result.end === "finished") {
      out.push({ kind: "finished", message: `Every thread has finished. ${result.failure === null ? "" : `${result.failure.message}`}`.trim() });
    }
    return out;
  }

  /** The next step each thread would take (from the replay's run-on after the steps taken). */
  #next(): Map<string, TraceStep> {
    const next = new Map<string, TraceStep>();
    for (const s of this.#result?.trace ?? []) if (s.step > this.#schedule.length && !next.has(s.thread)) next.set(s.thread, s);
    return next;
  }

  /** The picture of the steps so far (what the live output shows). */
  picture(): Picture {
    const taken = this.#taken();
    const last = this.#schedule.length;
    const lost = new Set(this.#erased().map((e) => e.lost));
    const lanes = this.#letters.map((c, i) => `${c}: ${this.#scenario.threads[i].name || "thread"}`);
    const events: TimelineEvent[] = taken
      .filter((s) => s.step >= 1)
      .map((s) => ({ lane: s.thread.charCodeAt(0) - 65, at: s.step, label: label(s), tone: lost.has(s) ? "lost" : s.step === last ? "alert" : "normal", shape: s.cell === this.#scenario.lockCell ? "square" : "circle" }));
    const cells = [...this.cells()].map(([cell, value]) => `${short(cell)} = ${String(value)}`).join(",  ");
    const { holders } = this.#holders();
    const next = [...this.#next()].map(([thread, s]) => `${thread}: ${s.op} ${short(s.cell)}`).join(",  ");
    const problems = this.problems();
    const notes = [
      `Steps taken: ${this.schedule === "" ? "none yet" : this.schedule}. Shared cells now: ${cells === "" ? "(run a step to see them)" : cells}.`,
      ...(this.#scenario.lockCell === undefined ? [] : [`Holding the lock: ${holders.size === 0 ? "nobody" : [...holders].join(" and ")}.`]),
      `Next step of each thread: ${next === "" ? "none (every thread has finished)" : next}.`,
      ...(this.#refused === null ? [] : [this.#refused]),
      ...(problems.length === 0 ? ["Nothing has gone wrong yet. Call s.step(\"A\") or s.step(\"B\"); s.undo() takes a step back."] : problems.map((p) => `${p.kind === "finished" ? "" : "✗ "}${p.message}`)),
    ];
    return timelineChart({
      title: `${this.#scenario.title ?? "You are the scheduler"}: step ${last}`,
      lanes,
      events,
      axisLabel: "step",
      legend: [{ label: "the step just taken", tone: "alert" }, { label: "a write that was lost", tone: "lost" }, { label: "a step on the lock", shape: "square" }],
      notes,
    });
  }

  /** Sends the last frame now (the output keeps it); the stepper then takes no more steps. */
  async finish(): Promise<void> {
    await this.#queue;
    this.#view.finish();
  }
}

/**
 * Makes the learner the scheduler of a scenario: shows the threads' lanes and shared cells in one
 * output, which each `step()` and `undo()` redraws in place.
 *
 * @example
 * ```ts
 * const s = lessons.stepper({ ...brokenBank, lockCell: "flag.value" });
 * await s.step("A");
 * await s.step("B");
 * await s.undo();
 * ```
 * @param scenario - a scenario as for `mp.replay`, and what to watch (see {@link StepperOptions}).
 * @returns the stepper.
 * @throws TypeError for a scenario without threads.
 */
export function stepper<A extends unknown[]>(scenario: StepperOptions<A>): Stepper<A> {
  if (typeof scenario !== "object" || scenario === null || !Array.isArray(scenario.threads) || scenario.threads.length === 0) {
    throw new TypeError("stepper(): pass a scenario such as { threads: [deposit, withdraw], args: [b, flag], lockCell: \"flag.value\" }.");
  }
  return new Stepper(scenario);
}
