/**
 * One run of a scenario under the explorer's scheduler: the workers start their targets over
 * memory restored to the scenario's start, and then take one step at a time, in the order the
 * caller chooses (the search, or a replayed schedule). A step is one shared-memory operation.
 *
 * The run keeps what the real machine would: which threads sleep in a `wait` on which cell (a
 * `notify` wakes the oldest, as `Atomics.notify` does), each thread's virtual clock (a wait's
 * timeout fires only when chosen, and then the thread's clock jumps to its deadline, so
 * `remaining(deadline)` is 0: see schedule-protocol.ts), and
 * the owner-ended logic of the thread that started the workers (`threadEnded`, as the Process
 * registry calls it) when a thread ends or is killed.
 *
 * Spinning. A thread that reads a cell again while nothing it read has changed (and it changed
 * nothing in between: a write that leaves its cell as it was, such as a failed compare-exchange,
 * counts as a read) learns nothing new. It may do that once (`RLock.count()` then `release()`
 * reads the lock word twice in a row); from its second such re-read on it *spins*, and a step of a
 * spinning thread is a *spin-out*: all its re-reads in a row, up to {@link SPIN_OUT}, as one step.
 * A thread that leaves its loop within them goes on (the lock sleeps after 64 looks); one that
 * does not is *stuck*: it cannot step until one of the cells it read since its last write changes
 * (a deadlock report names them). So the lock's spin before sleeping is one step, not 64, a
 * learner's `while (flag.value) {}` one step and then a wait, and a spin that nobody ends is
 * reported as a deadlock, not a hang.
 *
 * Why this loses no behaviour. Let T spin: since its last write it only reads, and each re-read
 * sees what it saw before. (1) Collapsing. Another thread's step that changes no cell T reads
 * commutes with T's reads (the order of the two changes nothing), so it can be moved to the end of
 * the spin-out. A step that changes such a cell, taken in the middle of T's re-reads, finds T at
 * some point of its loop after k rounds that each read the same values; that is the state T was in
 * at the same point of its first round, which it took before it spun, one step per read, with a
 * choice of the other threads' steps at each. So every interleaving of a spin-out with the others'
 * steps has an equivalent schedule where the spin-out is one step. (2) Blocking. A stuck thread
 * would only read the same values again and again: taking more of its steps before one of the cells
 * it read changes leads nowhere new, and once one changes it can step again (the check is over
 * every cell read since its last write, not only the last one: Peterson's `while (flags[other] ===
 * 1 && turn === other)` waits on both). Both rest on one assumption, that what a looping thread
 * does after reading the same values does not depend on how many rounds it has made: true of
 * `while (condition) {}` and of the library's spin (its count of looks decides only when it sleeps,
 * and a sleep on a value that has changed returns at once). A loop that counts more than
 * {@link SPIN_OUT} unchanged reads before giving up (a delay loop) would be judged stuck: the
 * explorer is not meant for such code. (And (1) needs the first round taken step by step: the
 * spin begins at the second re-read, so it is, unless the thread re-read the loop's cells twice
 * just before entering it — then that round may be partly inside the spin-out.)
 *
 * @packageDocumentation
 */
import { nativeOps, useSharedMemoryOps, type SharedMemoryOps } from "../atomics";
import type { ExploreWorkers } from "./workers";
import { cellName, restore, snapshot, type ScenarioBuffer } from "./scenario-memory";
import { A1, A2, BUF, BYTE, CLOCK, ELEMENT_TYPES, MAX_SPIN_CELLS, OP, OP_NAMES, Op, Outcome, REPLY, RESULT, Reply, SKIPPED, SPIN_CELLS, SPIN_COUNT, Status, TYPE, mayWrite, slotBase } from "./schedule-protocol";
import { threadEnded } from "../owner-watch";
import type { AnyTypedArray } from "../typecodes";

/** What the scheduler may do next: let a thread step, fire its wait's timeout, or kill it. */
export interface Choice {
  /** `"step"`: the thread does its next operation; `"timeout"`: its wait times out; `"kill"`: it dies here. */
  readonly kind: "step" | "timeout" | "kill";
  /** Which thread (0 for A). */
  readonly thread: number;
}

/** One line of a trace: what one step did. */
export interface TraceStep {
  /** The schedule's choice that did it, from 1 (0: before any, as a thread ended at once). */
  readonly step: number;
  /** The thread's letter. */
  readonly thread: string;
  /** The operation: `read`, `write`, `compareExchange`, `wait`, ..., `killed`, `owner-ended`. */
  readonly op: string;
  /** The cell: `b.value`, `lock[0]`, ... (empty for a kill). */
  readonly cell: string;
  /** The cell's value before the step. */
  readonly before?: number | bigint;
  /** The cell's value after it. */
  readonly after?: number | bigint;
  /** What else happened: a wait that sleeps, who a notify woke, ... */
  readonly note?: string;
}

/**
 * What a choice touches, for deciding which choices commute: cells, each read or written (a wait,
 * a notify, and a wait's timeout, which takes the thread off its cell's queue, count as writes of
 * that cell; a compare-exchange that will fail as a read; a spin-out as reads of what it re-read),
 * or everything: a kill, or a thread that dies, runs the owner-ended logic, whose effect depends on
 * other threads' steps (a plain Lock may be released by another thread). A thread that returns
 * adds the cells its owner-ended logic changed (an RLock it still held): only it could have put its
 * mark there. (A timeout moves only its own thread's clock: see schedule-protocol.ts.)
 */
export type Footprint = ReadonlyArray<{ readonly key: number; readonly write: boolean }> | "all";

/** Whether two choices of different threads commute: the order they happen in changes nothing. */
export function independent(a: Footprint, b: Footprint): boolean {
  return a !== "all" && b !== "all" && a.every((x) => b.every((y) => x.key !== y.key || (!x.write && !y.write)));
}

/** How many times a thread may read cells again with nothing changed before it counts as spinning. */
const FREE_REREADS = 1;
/**
 * How many re-reads one spin-out does at most (more than the lock's 64 looks before it sleeps): a
 * thread still spinning after that waits for a write, as a loop that spins until one would.
 */
const SPIN_OUT = 200;

interface Request {
  readonly op: Op;
  readonly buf: number;
  readonly byte: number;
  readonly type: number;
  readonly a1: number;
  readonly a2: number;
  /** The cell, as one number: buffer and byte. */
  readonly key: number;
}

/** What one choice did, to compare with the same choice of the next run: its trace lines, and what its thread (all, at the start) asked next. */
interface Done {
  readonly choice: string;
  /** All of it as text, to compare. */
  readonly sig: string;
  /** Its lines of the trace. */
  readonly from: number;
  readonly to: number;
  readonly asks: ReadonlyArray<{ readonly slot: number; readonly request: Request | null }>;
}

interface Sleep {
  readonly key: number;
  readonly since: number;
  readonly ms: number;
  readonly order: number;
  woken: boolean;
}

class ThreadState {
  request: Request | null = null;
  ended = false;
  outcome: Outcome = Outcome.RETURNED;
  /** What held it when the run was cut short ({@link ScheduleRun.abort}) before it ended, else null. */
  cutShort: Standing | null = null;
  sleep: Sleep | null = null;
  /** The version of each cell when this thread last read it, since its last write. */
  readonly reads = new Map<number, number>();
  rereads = 0;
  /**
   * Spun out already without leaving its loop: it waits until one of these cells (those it read
   * since its last write) no longer has this version. Null while it is not stuck.
   */
  stuck: Map<number, number> | null = null;
}

/**
 * What held a thread that had not ended when its run was cut short: it `"sleeps"` in a wait, it
 * `"spins"` (re-reads cells that nobody writes), or it `"runs"` (it could still take a step: a
 * livelock or a broken invariant stopped the run).
 */
export type Standing = "sleeps" | "spins" | "runs";

/** One element of each type, to convert a number as a cell of that type would hold it. */
const SCRATCH = ELEMENT_TYPES.map((type) => new type(1));

/**
 * `x` as a cell of element type `type` holds it (`Atomics.compareExchange` converts its expected
 * value so), or undefined where a double cannot tell (64-bit cells, NaN: sent as "unknown").
 */
function coerced(type: number, x: number): number | undefined {
  const scratch = SCRATCH[type];
  if (scratch === undefined || scratch instanceof BigInt64Array || scratch instanceof BigUint64Array || Number.isNaN(x)) return undefined;
  if (scratch instanceof Int32Array) return x | 0;
  scratch[0] = x;
  return scratch[0];
}

/** The thread letter of slot `i`. */
export function letter(i: number): string {
  return String.fromCharCode(65 + i);
}

/** Runs of one scenario, one after another, over the same workers. */
export class ScheduleRun {
  private threads: ThreadState[] = [];
  private readonly versions = new Map<number, number>();
  private readonly views = new Map<number, AnyTypedArray>();
  private readonly floats: Float64Array;
  private sleeps = 0;
  /** The run's number, counted from 1 as the workers count them. */
  run = 0;
  /** The steps taken in this run (kills not counted). */
  steps = 0;
  /** The choices made in this run: the length of its schedule so far. */
  private made = 0;
  /** The cells a spin-out re-read (see {@link spinOut}). */
  private spun: number[] = [];
  /** If the last choice ended its thread: whether it died, and the cells its owner-ended logic changed. */
  private ending: { died: boolean; keys: number[] } | null = null;
  /** The trace of this run so far. */
  trace: TraceStep[] = [];
  /** What each choice of the last run did (see {@link compare}), and what each of this run's did. */
  private before: Done[] = [];
  private now: Done[] = [];
  /** The last run's trace. */
  private lastTrace: TraceStep[] = [];
  /** Whether this run's choices are still those of the last run (a prefix it replays). */
  private replaying = true;

  /**
   * @param workers - the started workers, one per thread.
   * @param buffers - the scenario's memory.
   * @param start - its bytes before the first run.
   */
  constructor(
    private readonly workers: ExploreWorkers,
    private readonly buffers: readonly ScenarioBuffer[],
    private readonly start: readonly Uint8Array[],
  ) {
    this.floats = new Float64Array(workers.cells.buffer);
  }

  /** Restores the memory and starts every thread's target, up to its first step. */
  async begin(): Promise<void> {
    restore(this.buffers, this.start);
    this.workers.threadIds.forEach((_, slot) => (this.floats[slotBase(slot) / 2 + CLOCK] = 0));
    this.versions.clear();
    this.lastTrace = this.trace;
    this.trace = [];
    this.steps = 0;
    this.made = 0;
    this.run++;
    this.threads = this.workers.threadIds.map(() => new ThreadState());
    this.threads.forEach((_, slot) => this.workers.signal(slot, Status.START));
    for (let slot = 0; slot < this.threads.length; slot++) {
      await this.workers.settle(slot);
      this.absorb(slot);
    }
    this.before = this.now;
    this.now = [];
    this.replaying = true;
    this.compare("", null, 0);
  }

  /**
   * Notes what the choice just made did (its trace lines, and what its thread asks next), and if
   * this run still replays the last run's schedule, checks that it did the same as then: a thread
   * that does something else for the same schedule (`Math.random()` aside, which is made
   * deterministic: a file, the process's clock) would make the search's counts wrong.
   *
   * @throws Error saying at which step of which schedule which thread diverged, and how.
   */
  private compare(choice: string, slot: number | null, from: number): void {
    const threads = slot === null ? this.threads.map((_, i) => i) : [slot];
    const asks = threads.map((i) => ({ slot: i, request: this.threads[i].ended ? null : this.threads[i].request }));
    let sig = "";
    for (let k = from; k < this.trace.length; k++) {
      const s = this.trace[k];
      sig += `${s.thread}${s.op}${s.cell}${s.before}${s.after}${s.note};`;
    }
    for (const { request: r } of asks) sig += r === null ? "end;" : `${r.op},${r.key},${r.a1},${r.a2};`;
    const step = this.now.length;
    this.now.push({ choice, sig, from, to: this.trace.length, asks });
    const then = this.before[step];
    if (!this.replaying || then === undefined) return;
    if (then.choice !== choice) {
      this.replaying = false;
      return;
    }
    if (then.sig === sig) return;
    const did = (trace: readonly TraceStep[], e: Done): string =>
      [
        ...trace.slice(e.from, e.to).map((s) => `${s.thread} did ${s.op} ${s.cell}${s.before === undefined ? "" : ` ${s.before}→${s.after}`}${s.note ? ` (${s.note})` : ""}`),
        ...e.asks.map(({ slot, request: r }) => (r === null ? `${letter(slot)} ended` : `${letter(slot)} was about to ${OP_NAMES[r.op]} ${this.cellOf(r)}`)),
      ].join(", then ");
    const schedule = this.now.map((c) => c.choice).join("");
    throw new Error(
      `explore(): ${slot === null ? "a thread" : `thread ${letter(slot)}`} did something different when schedule "${schedule}" was run again (nondeterminism), ` +
        `${step === 0 ? "before the first step" : `at step ${step}`}: this time ${did(this.trace, this.now[step])}; the last time ${did(this.lastTrace, then)}. ` +
        `A thread must do the same for the same schedule, or the counts of schedules mean nothing: its choices may depend ` +
        `only on what it reads from shared memory (Math.random() and the clocks are made repeatable under the explorer; ` +
        `files, process.hrtime() and other outside input are not).`,
    );
  }

  /** Whether every thread's target has ended. */
  finished(): boolean {
    return this.threads.every((t) => t.ended);
  }

  /** How each thread ended (meaningful once it has). */
  outcomes(): Outcome[] {
    return this.threads.map((t) => t.outcome);
  }

  /** For each thread, what held it when this run was cut short, or null if it had ended (or the run was not cut short). */
  standings(): (Standing | null)[] {
    return this.threads.map((t) => t.cutShort);
  }

  /** What holds thread `slot`, which has not ended, in one word ({@link describe} says it in words). */
  private standing(slot: number): Standing {
    const t = this.threads[slot];
    if (t.sleep !== null) return t.sleep.woken ? "runs" : "sleeps";
    return t.request !== null && t.stuck !== null && !this.changed(t.stuck) ? "spins" : "runs";
  }

  /** Whether thread `slot` can take a step now. */
  enabled(slot: number): boolean {
    const t = this.threads[slot];
    if (t.ended || t.request === null) return false;
    if (t.sleep !== null) return t.sleep.woken;
    return t.stuck === null || this.changed(t.stuck);
  }

  /** Whether one of the cells a stuck thread waits on has changed since it got stuck. */
  private changed(cells: ReadonlyMap<number, number>): boolean {
    for (const [key, version] of cells) if (this.version(key) !== version) return true;
    return false;
  }

  private spinning(t: ThreadState): boolean {
    const r = t.request;
    return r !== null && t.rereads >= FREE_REREADS && t.reads.get(r.key) === this.version(r.key) && this.readsOnly(r);
  }

  /**
   * Whether request `r`, done now, only reads its cell: a load or read, a compare-exchange that
   * will fail, or an exchange or store of the value the cell holds (nobody could tell it from a read).
   */
  private readsOnly(r: Request): boolean {
    if (r.op === Op.LOAD || r.op === Op.READ) return true;
    if (r.op === Op.COMPARE_EXCHANGE) return this.value(r) !== coerced(r.type, r.a1);
    if (r.op === Op.EXCHANGE || r.op === Op.STORE) return this.value(r) === coerced(r.type, r.a1);
    return false;
  }

  /**
   * Everything the scheduler may do now: steps of enabled threads, then timeouts of sleeping
   * threads whose wait has one, then (if `kills`) a kill of each live thread.
   */
  choices(kills: boolean): Choice[] {
    const out: Choice[] = [];
    this.threads.forEach((_, i) => {
      if (this.enabled(i)) out.push({ kind: "step", thread: i });
    });
    this.threads.forEach((t, i) => {
      if (!t.ended && t.sleep !== null && !t.sleep.woken && t.sleep.ms !== Infinity) out.push({ kind: "timeout", thread: i });
    });
    if (kills) {
      this.threads.forEach((t, i) => {
        if (!t.ended) out.push({ kind: "kill", thread: i });
      });
    }
    return out;
  }

  /** Says, for a report, what each live thread is doing or blocked on. */
  blocked(): string {
    return this.threads.flatMap((t, i) => (t.ended ? [] : [this.describe(i)])).join("; ");
  }

  /** What thread `slot` is doing, in words: about to do an operation, sleeping, spinning, finished. */
  describe(slot: number): string {
    const t = this.threads[slot];
    const name = letter(slot);
    if (t.ended) return `${name} has finished (it ${t.outcome === Outcome.RETURNED ? "returned" : t.outcome === Outcome.THREW ? "threw" : "was killed"})`;
    if (t.request === null) return `${name} has not started`;
    const cell = this.cellOf(t.request);
    const standing = this.standing(slot);
    if (standing === "sleeps") return `${name} sleeps in wait() on ${cell} until a notify${t.sleep?.ms === Infinity ? " (no timeout)" : ` or its timeout (${name}~)`}`;
    if (standing === "spins" && t.stuck !== null) {
      const cells = [...t.stuck.keys()].map((key) => this.cellOfKey(key));
      const which = cells.length === 1 ? cells[0] : `one of ${cells.join(", ")}`;
      return `${name} spins: it read ${cells.join(", ")} ${SPIN_OUT} times more with nothing changed, and waits until ${which} changes`;
    }
    if (t.sleep !== null) return `${name} was woken in wait() on ${cell} and can go on`;
    return `${name} is about to ${OP_NAMES[t.request.op]} ${cell}`;
  }

  /**
   * What `choice` touched, once it was applied: its cell, or everything if it was a timeout or a
   * kill or its thread ended with it.
   *
   * @param before - the choice's footprint computed before it was applied ({@link footprint}).
   */
  touched(before: Footprint): Footprint {
    const ending = this.ending;
    if (before !== "all" && this.spun.length > 0) before = [...before, ...this.spun.map((key) => ({ key, write: false }))];
    if (ending === null) return before;
    if (ending.died || before === "all") return "all";
    return [...before, ...ending.keys.map((key) => ({ key, write: true }))];
  }

  /** What `choice` will touch (see {@link Footprint}), before it is applied. */
  footprint(choice: Choice): Footprint {
    const r = this.threads[choice.thread].request;
    if (choice.kind === "kill" || r === null) return "all";
    // A timeout takes the thread off its cell's queue (which a notify there would see).
    if (choice.kind === "timeout") return [{ key: r.key, write: true }];
    // A compare-exchange that will fail only reads; whether it fails changes only with a write.
    const failing = r.op === Op.COMPARE_EXCHANGE && this.value(r) !== coerced(r.type, r.a1);
    return [{ key: r.key, write: !failing && (mayWrite(r.op) || r.op === Op.WAIT || r.op === Op.NOTIFY) }];
  }

  /** Does `choice` (one of {@link choices}): one step, one timeout, or one kill. */
  async apply(choice: Choice): Promise<void> {
    const from = this.trace.length;
    await this.act(choice);
    this.compare(letter(choice.thread) + (choice.kind === "timeout" ? "~" : choice.kind === "kill" ? "!" : ""), choice.thread, from);
  }

  private async act(choice: Choice): Promise<void> {
    const slot = choice.thread;
    const t = this.threads[slot];
    const r = t.request;
    if (r === null || t.ended) throw new Error(`internal: thread ${letter(slot)} has no step to take`);
    this.made++;
    this.ending = null;
    this.spun = [];
    if (choice.kind === "kill") {
      t.sleep = null;
      this.trace.push({ step: this.made, thread: letter(slot), op: "killed", cell: "" });
      await this.answer(slot, Reply.KILLED);
      return;
    }
    this.steps++;
    if (choice.kind === "timeout") {
      const sleep = t.sleep as Sleep;
      const clock = slotBase(slot) / 2 + CLOCK;
      this.floats[clock] = Math.max(this.floats[clock], sleep.since + sleep.ms);
      t.sleep = null;
      this.record(slot, r, undefined, undefined, `times out: ${letter(slot)}'s clock moves to ${this.floats[clock]} ms`);
      await this.answer(slot, Reply.TIMED_OUT);
      return;
    }
    if (r.op === Op.WAIT) {
      await this.stepWait(slot, t, r);
      return;
    }
    if (r.op === Op.NOTIFY) {
      const woken = this.wake(r.key, r.a1);
      this.workers.cells[slotBase(slot) + RESULT] = woken.length;
      this.forget(t);
      this.record(slot, r, undefined, undefined, woken.length === 0 ? "wakes nobody" : `wakes ${woken.map(letter).join(", ")}`);
      await this.answer(slot, Reply.PROCEED);
      return;
    }
    if (this.spinning(t)) {
      await this.spinOut(slot, t, r);
      return;
    }
    t.stuck = null;
    const before = this.value(r);
    await this.access(slot, t, r);
    this.record(slot, r, before, this.value(r));
  }

  /**
   * Lets thread `slot` do its operation `r` and keeps its bookkeeping: versions, what it read.
   * With `spinOut`, a load may be followed by up to that many loads of the same cell done without
   * asking; returns how many were (0 otherwise).
   */
  private async access(slot: number, t: ThreadState, r: Request, spinOut = 0): Promise<number> {
    const before = this.value(r);
    const version = this.version(r.key);
    const base = slotBase(slot);
    this.workers.cells[base + RESULT] = spinOut;
    if (spinOut > 0) {
      // The cells it may re-read without asking: those it read since its last write, unchanged.
      let count = 0;
      for (const [key, seen] of t.reads) {
        if (count === MAX_SPIN_CELLS) break;
        if (seen !== this.version(key)) continue;
        this.floats[base / 2 + SPIN_CELLS + count++] = key;
        if (!this.spun.includes(key)) this.spun.push(key);
      }
      this.workers.cells[base + SPIN_COUNT] = count;
    }
    await this.answer(slot, spinOut > 0 ? Reply.SPIN_OUT : Reply.PROCEED);
    const skipped = t.ended ? 0 : this.workers.cells[slotBase(slot) + SKIPPED];
    const changed = !Object.is(before, this.value(r));
    if (changed) this.versions.set(r.key, version + 1);
    // An operation that left its cell as it was (a failed compare-exchange) is, to the others, a read.
    if (mayWrite(r.op) && changed) {
      this.forget(t);
    } else {
      const seen = t.reads.get(r.key);
      if (seen === version) t.rereads += 1 + skipped;
      else if (seen !== undefined) t.rereads = skipped;
      t.reads.set(r.key, version);
    }
    return skipped;
  }

  /** A spinning thread's step: its re-reads in a row, up to SPIN_OUT, all at once. */
  private async spinOut(slot: number, t: ThreadState, first: Request): Promise<void> {
    let count = 0;
    for (let r: Request | null = first; r !== null && !t.ended && this.spinning(t) && count < SPIN_OUT; r = t.request) {
      if (!this.spun.includes(r.key)) this.spun.push(r.key);
      count += 1 + (await this.access(slot, t, r, SPIN_OUT - count - 1));
    }
    t.stuck = count >= SPIN_OUT && this.spinning(t) ? new Map([...t.reads.keys()].map((key) => [key, this.version(key)])) : null;
    const value = this.value(first);
    const waits = t.stuck === null ? "" : `; waits until ${[...t.stuck.keys()].map((key) => this.cellOfKey(key)).join(" or ")} changes`;
    this.record(slot, first, value, value, `spins: reads again ${count} time${count === 1 ? "" : "s"}, nothing changes${waits}`);
  }

  private async stepWait(slot: number, t: ThreadState, r: Request): Promise<void> {
    this.forget(t);
    if (t.sleep !== null) {
      t.sleep = null;
      this.record(slot, r, undefined, undefined, "returns: woken by a notify");
      await this.answer(slot, Reply.WOKEN);
      return;
    }
    const value = this.value(r);
    if (value !== (r.a1 | 0)) {
      this.record(slot, r, value, value, `returns at once: the cell holds ${value}, not ${r.a1 | 0}`);
      await this.answer(slot, Reply.NOT_EQUAL);
    } else if (r.a2 <= 0) {
      this.record(slot, r, value, value, "times out at once (no time left)");
      await this.answer(slot, Reply.TIMED_OUT);
    } else {
      t.sleep = { key: r.key, since: this.floats[slotBase(slot) / 2 + CLOCK], ms: r.a2, order: this.sleeps++, woken: false };
      const limit = r.a2 === Infinity ? "" : `, or ${r.a2} ms`;
      this.record(slot, r, value, value, `sleeps until a notify${limit}`);
    }
  }

  /**
   * Ends every live thread (a run cut short by a deadlock, a livelock or a failed invariant),
   * noting first what held each ({@link standings}). A thread that goes on regardless (it catches
   * every error in a loop) is left stuck, so that this run can still be reported; the next run's
   * start refuses it (see `ExploreWorkers.stuck`).
   */
  async abort(): Promise<void> {
    for (let slot = 0; slot < this.threads.length; slot++) {
      const t = this.threads[slot];
      if (t.ended) continue;
      t.cutShort = this.standing(slot);
      this.workers.cells[slotBase(slot) + REPLY] = Reply.KILLED;
      this.workers.signal(slot, Status.GO);
      try {
        await this.workers.settle(slot);
      } catch (error) {
        if (!this.workers.stuck(slot)) throw error;
      }
      t.ended = true;
      t.outcome = Outcome.KILLED;
    }
  }

  /** Answers thread `slot`'s request, lets it go, and waits for its next request (or its end). */
  private async answer(slot: number, reply: Reply): Promise<void> {
    this.workers.cells[slotBase(slot) + REPLY] = reply;
    this.workers.signal(slot, Status.GO);
    await this.workers.settle(slot);
    this.absorb(slot);
  }

  /** Reads thread `slot`'s new request, or, if it ended, runs the owner-ended logic for it. */
  private absorb(slot: number): void {
    const t = this.threads[slot];
    const cells = this.workers.cells;
    const base = slotBase(slot);
    if (this.workers.status(slot) === Status.ENDED) {
      t.ended = true;
      t.request = null;
      t.sleep = null;
      t.outcome = this.workers.outcome(slot);
      this.ownerEnded(slot, t.outcome !== Outcome.RETURNED);
      return;
    }
    const floats = this.floats;
    const buf = cells[base + BUF];
    const byte = cells[base + BYTE];
    t.request = { op: cells[base + OP], buf, byte, type: cells[base + TYPE], a1: floats[base / 2 + A1], a2: floats[base / 2 + A2], key: buf * 2 ** 32 + byte };
  }

  /**
   * What the thread that started a worker does when it ends: `threadEnded`, here, with its memory
   * operations watched so that the trace shows them and its notifies wake sleeping threads.
   */
  private ownerEnded(slot: number, died: boolean): void {
    const keys: number[] = [];
    this.ending = { died, keys };
    const before = snapshot(this.buffers);
    const notified: Array<{ cells: Int32Array; index: number; count: number }> = [];
    const watching: SharedMemoryOps = {
      ...nativeOps,
      notify(cells, index, count) {
        notified.push({ cells, index, count: count ?? Infinity });
        return 0;
      },
    };
    useSharedMemoryOps(watching);
    try {
      threadEnded(this.workers.threadIds[slot], died);
    } finally {
      useSharedMemoryOps(nativeOps);
    }
    this.buffers.forEach((b, buf) => {
      const old = new (b.elements.constructor as new (buffer: ArrayBufferLike, offset: number, length: number) => AnyTypedArray)(before[buf].buffer, b.elements.byteOffset, b.elements.length);
      for (let i = 0; i < b.elements.length; i++) {
        if (Object.is(old[i], b.elements[i])) continue;
        const key = buf * 2 ** 32 + i * b.elements.BYTES_PER_ELEMENT;
        keys.push(key);
        this.versions.set(key, this.version(key) + 1);
        const note = `${letter(slot)} ${died ? "died" : "ended"}; the thread that started it marks what it held`;
        this.trace.push({ step: this.made, thread: letter(slot), op: "owner-ended", cell: cellName(b, b.elements.byteOffset + i * b.elements.BYTES_PER_ELEMENT), before: old[i], after: b.elements[i], note });
      }
    });
    for (const n of notified) {
      const buf = this.buffers.findIndex((b) => b.buffer === n.cells.buffer);
      if (buf < 0) continue;
      const key = buf * 2 ** 32 + n.cells.byteOffset + n.index * n.cells.BYTES_PER_ELEMENT;
      keys.push(key);
      this.wake(key, n.count);
    }
  }

  /** Wakes up to `count` threads sleeping on cell `key`, the oldest first; returns their slots. */
  private wake(key: number, count: number): number[] {
    const sleeping = this.threads
      .map((t, slot) => ({ t, slot }))
      .filter(({ t }) => !t.ended && t.sleep !== null && !t.sleep.woken && t.sleep.key === key)
      .sort((a, b) => (a.t.sleep as Sleep).order - (b.t.sleep as Sleep).order)
      .slice(0, Math.max(0, count));
    for (const { t } of sleeping) (t.sleep as Sleep).woken = true;
    return sleeping.map(({ slot }) => slot);
  }

  private forget(t: ThreadState): void {
    t.reads.clear();
    t.rereads = 0;
  }

  private version(key: number): number {
    return this.versions.get(key) ?? 0;
  }

  private value(r: Request): number | bigint {
    const id = r.buf * ELEMENT_TYPES.length + r.type;
    let view = this.views.get(id);
    if (view === undefined) {
      view = new ELEMENT_TYPES[r.type](this.buffers[r.buf].buffer) as AnyTypedArray;
      this.views.set(id, view);
    }
    return view[r.byte / view.BYTES_PER_ELEMENT];
  }

  private cellOf(r: Request): string {
    return cellName(this.buffers[r.buf], r.byte);
  }

  private cellOfKey(key: number): string {
    return cellName(this.buffers[Math.floor(key / 2 ** 32)], key % 2 ** 32);
  }

  private record(slot: number, r: Request, before: number | bigint | undefined, after: number | bigint | undefined, note?: string): void {
    this.trace.push({ step: this.made, thread: letter(slot), op: OP_NAMES[r.op], cell: this.cellOf(r), before, after, note });
  }
}
