/**
 * Properties of a whole schedule, not just of its end: a `check` sees the schedule's trace
 * (`final.trace`, every step with its thread, cell and values), and these helpers read it.
 *
 * - {@link noLostUpdate}: no write of a cell was based on a stale read. A thread that reads the
 *   balance, and writes back what it computed from it, loses an update when somebody else wrote
 *   the balance in between: that other write is overwritten, as if it never happened. Two lost
 *   updates can cancel out (a lost deposit and a lost withdrawal), so the final balance may look
 *   right although updates were lost: judging by the final state alone misses them.
 * - {@link entryOrder} and {@link fifo}: the order in which threads entered a critical section
 *   (marked by a write the section makes), for example to check that a ticket lock lets threads in
 *   in the order they took their tickets.
 * - {@link linearization} and {@link linearizable}: Lincheck's idea. Threads call a concurrent
 *   object (a counter, a queue) through an {@link OperationRecorder}, which marks in the trace
 *   where each call began and ended; the calls are correct if some one-at-a-time order of them,
 *   in which a call that ended before another began comes first, gives every result the threads
 *   saw when done on a sequential model of the object (`{ init(), apply(state, op, args) }`).
 *
 * Counting is unchanged: these helpers only judge a schedule, in `check` or `state`.
 * Each reads only the order of steps on one cell (the recorders' marks share one cell), which is
 * the same in every schedule the explorer's reduction (`reduce`) treats as equivalent, so they may
 * be used with it.
 *
 * @packageDocumentation
 */
import { isDeepStrictEqual } from "node:util";
import type { TraceStep } from "./run";

/** Something with a schedule's trace: a `FinalState` in `check`, a `Failure`, or a `ReplayResult`. */
export interface HasTrace {
  /** Every step of the schedule. */
  readonly trace: readonly TraceStep[];
}

/** One lost update: a write based on a read that another thread's write had made stale. */
export interface LostUpdate {
  /** The cell, as traces name it (`b.value`). */
  readonly cell: string;
  /** The write that was based on a stale read. */
  readonly write: TraceStep;
  /** The writing thread's last read of the cell before it. */
  readonly read: TraceStep;
  /** The other threads' writes in between, which this write overwrote unseen. */
  readonly overwritten: readonly TraceStep[];
}

/** Operations that see the cell's current value (a read, or an atomic read-modify-write). */
const SEES = new Set(["load", "read", "add", "sub", "exchange", "compareExchange"]);
/** Plain writes: the value written was computed by the thread, perhaps from an earlier read. */
const PLAIN_WRITES = new Set(["store", "write"]);

/** Whether a trace step changed (or may have changed) its cell. */
function writes(step: TraceStep): boolean {
  if (step.op === "compareExchange") return !Object.is(step.before, step.after);
  return PLAIN_WRITES.has(step.op) || step.op === "add" || step.op === "sub" || step.op === "exchange" || step.op === "owner-ended";
}

function traceOf(source: HasTrace, where: string): readonly TraceStep[] {
  if (source === null || typeof source !== "object" || !Array.isArray(source.trace)) {
    throw new TypeError(`${where}: pass the final state a check gets (or a failure or replay result), which has a trace.`);
  }
  return source.trace;
}

/**
 * Every lost update in a schedule: each plain write (`b.value = ...`, `Atomics.store`) of a cell
 * such that, after the writing thread last read that cell and before it wrote, another thread
 * wrote the cell. The writer computed its value from a stale read and overwrote the other write
 * unseen. A write with no read of its cell before it in its thread (`flag.value = 1`) is not an
 * update and is never flagged; atomic read-modify-writes (`Atomics.add`, a compare-exchange) see
 * the current value and never lose one.
 *
 * @param source - the final state a `check` gets (or a `Failure`, or a `ReplayResult`).
 * @param cell - only this cell (`"b.value"`); default every cell.
 * @returns the lost updates, in the order of their writes (empty if none).
 */
export function lostUpdates(source: HasTrace, cell?: string): LostUpdate[] {
  const trace = traceOf(source, "lostUpdates()");
  const lost: LostUpdate[] = [];
  /** Per cell and thread: the thread's last read, and the other threads' writes since. */
  const since = new Map<string, Map<string, { read: TraceStep; others: TraceStep[] }>>();
  for (const step of trace) {
    if (step.cell === "" || (cell !== undefined && step.cell !== cell)) continue;
    let threads = since.get(step.cell);
    if (threads === undefined) since.set(step.cell, (threads = new Map()));
    if (PLAIN_WRITES.has(step.op)) {
      const seen = threads.get(step.thread);
      if (seen !== undefined && seen.others.length > 0) lost.push({ cell: step.cell, write: step, read: seen.read, overwritten: seen.others });
    }
    if (writes(step)) {
      for (const [thread, seen] of threads) if (thread !== step.thread) seen.others = [...seen.others, step];
    }
    if (SEES.has(step.op)) threads.set(step.thread, { read: step, others: [] });
    else if (PLAIN_WRITES.has(step.op)) {
      // Its own write is what it knows now: a later write based on it is up to date unless others write.
      const seen = threads.get(step.thread);
      if (seen !== undefined) threads.set(step.thread, { read: seen.read, others: [] });
    }
  }
  return lost;
}

/**
 * Whether no update was lost in a schedule (see {@link lostUpdates}): every plain write of a cell
 * was based on the latest value, i.e. no other thread wrote the cell between the writer's last
 * read of it and its write. Use it in a `check`:
 *
 * @example
 * ```ts
 * check: (final) => mp.noLostUpdate(final, "b.value")
 * ```
 * @param source - the final state a `check` gets (or a `Failure`, or a `ReplayResult`).
 * @param cell - only this cell (`"b.value"`); default every cell.
 * @returns true if no write of the cell lost an update.
 */
export function noLostUpdate(source: HasTrace, cell?: string): boolean {
  return lostUpdates(source, cell).length === 0;
}

/**
 * The order in which threads wrote a cell: one letter per write, such as `"ABAB"`. Mark a critical
 * section's entry with a write (`entered.value = 1` as its first step) and this is the order in
 * which the threads entered it.
 *
 * @param source - the final state a `check` gets (or a `Failure`, or a `ReplayResult`).
 * @param cell - the cell, as traces name it (`"entered.value"`, `"tickets[0]"`).
 * @returns the writers' letters, in order.
 */
export function entryOrder(source: HasTrace, cell: string): string {
  if (typeof cell !== "string") throw new TypeError(`entryOrder(): cell must be a cell's name as traces show it, such as "entered.value", not ${String(cell)}.`);
  return traceOf(source, "entryOrder()")
    .filter((s) => s.cell === cell && writes(s))
    .map((s) => s.thread)
    .join("");
}

/**
 * Whether threads entered in the order they arrived (first in, first out): the threads' writes of
 * `arrive` (taking a ticket) and of `enter` (a write inside the critical section) come in the same
 * order of threads.
 *
 * @param source - the final state a `check` gets (or a `Failure`, or a `ReplayResult`).
 * @param cells - `arrive`: the cell written on arrival; `enter`: the cell written on entry.
 * @returns true if the order of entries is the order of arrivals.
 */
export function fifo(source: HasTrace, cells: { readonly arrive: string; readonly enter: string }): boolean {
  return entryOrder(source, cells.arrive) === entryOrder(source, cells.enter);
}

/** How one thread ended, as the linearizability check reads it (a `ThreadEnd`). */
interface Ended {
  /** Its letter. */
  readonly thread: string;
  /** `"returned"`, `"threw"` or `"killed"`. */
  readonly outcome: string;
  /** What it returned: its recorder's operations. */
  readonly value?: unknown;
}

/** Something with a schedule's trace and how its threads ended: a `FinalState` or a `ReplayResult`. */
export interface HasHistory extends HasTrace {
  /** How each thread ended; a thread that recorded operations returns `recorder.operations`. */
  readonly threads: readonly Ended[];
}

/** One operation as a thread recorded it (see {@link OperationRecorder}). */
export interface RecordedOperation {
  /** The operation's name, as the sequential model knows it (`"inc"`, `"push"`). */
  readonly op: string;
  /** Its arguments. */
  readonly args: readonly unknown[];
  /** What it returned. */
  readonly result: unknown;
}

/** One operation of a history: who did it, and when it began and ended (places in the trace). */
export interface Operation extends RecordedOperation {
  /** The thread's letter. */
  readonly thread: string;
  /** Where it was invoked: the index in the trace of its invocation mark. */
  readonly invoked: number;
  /** Where it responded: the index in the trace of its response mark. */
  readonly responded: number;
}

/**
 * What a concurrent object should behave like, one operation at a time: its state at the start,
 * and what each operation does to the state and returns. The state must be plain data (it is
 * copied with `structuredClone` to try different orders).
 */
export interface SequentialModel<S> {
  /** A fresh state. */
  init(): S;
  /** Does operation `op` with `args` on `state` (it may change it) and returns its result. */
  apply(state: S, op: string, args: readonly unknown[]): unknown;
}

/**
 * Records a thread's operations on a concurrent object, with marks in the trace where each began
 * and ended: a write of 1 to `marks` before it (its invocation) and of 2 after it (its response).
 * All threads write the same `marks` cell, so the marks of every schedule come in one order, the
 * same in every schedule the explorer's reduction treats as equivalent. Use it inside a thread, and
 * return its `operations`:
 *
 * @example
 * ```ts
 * (counter: mp.Value, lock: mp.Lock, marks: mp.Value) => {
 *   const rec = new mp.OperationRecorder(marks);
 *   rec.call("inc", [], () => mp.withLock(lock, () => counter.value++));
 *   return rec.operations;
 * }
 * ```
 */
export class OperationRecorder {
  /** The operations done so far, in order. */
  readonly operations: RecordedOperation[] = [];

  /** @param marks - a shared `Value` every thread of the scenario marks (`mp.Value("i", 0, { lock: false })`). */
  constructor(private readonly marks: { value: number }) {
    if (marks === null || typeof marks !== "object" || !("value" in marks)) {
      throw new TypeError(`OperationRecorder: pass a shared Value for the marks, such as mp.Value("i", 0, { lock: false }), not ${String(marks)}.`);
    }
  }

  /**
   * Does one operation: marks its invocation, runs `body`, marks its response, and records it.
   *
   * @param op - its name, as the sequential model knows it.
   * @param args - its arguments, as the sequential model takes them.
   * @param body - what it does on the concurrent object; its return value is the result.
   * @returns what `body` returned.
   */
  call<R>(op: string, args: readonly unknown[], body: () => R): R {
    this.marks.value = 1;
    const result = body();
    this.marks.value = 2;
    this.operations.push({ op, args: [...args], result });
    return result;
  }
}

/** The outcome of a linearizability check. */
export interface Linearization {
  /** True if some sequential order of the operations, respecting real time, explains every result. */
  readonly ok: boolean;
  /** The operations, in the order they were invoked. */
  readonly history: readonly Operation[];
  /** Such an order, if one was found; null if none exists. */
  readonly order: readonly Operation[] | null;
  /** The history (one line per operation, with when it began and ended) and the verdict, in words. */
  toString(): string;
}

/** The operations of a schedule: each returned thread's recorded operations, placed by its marks. */
function history(source: HasHistory, marks: string): Operation[] {
  const trace = traceOf(source, "linearization()");
  if (!Array.isArray(source.threads)) throw new TypeError("linearization(): pass the final state a check gets (or a replay result), which says how the threads ended.");
  const out: Operation[] = [];
  for (const end of source.threads) {
    if (end.outcome !== "returned") continue;
    const at = trace.flatMap((s, i) => (s.cell === marks && s.thread === end.thread && PLAIN_WRITES.has(s.op) ? [i] : []));
    if (at.length === 0) continue;
    const ops = end.value;
    if (!Array.isArray(ops) || ops.length * 2 !== at.length) {
      throw new TypeError(
        `linearization(): thread ${end.thread} wrote ${marks} ${at.length} times, so it should return the ${at.length / 2} operations ` +
          `its OperationRecorder recorded (return recorder.operations), but it returned ${String(ops)}.`,
      );
    }
    ops.forEach((o: RecordedOperation, k) => out.push({ thread: end.thread, op: o.op, args: o.args, result: o.result, invoked: at[2 * k], responded: at[2 * k + 1] }));
  }
  return out.sort((a, b) => a.invoked - b.invoked);
}

function showOperation(o: Operation): string {
  return `${o.thread}: ${o.op}(${o.args.map((a) => JSON.stringify(a)).join(", ")}) → ${JSON.stringify(o.result)}`;
}

/**
 * Whether the operations threads did on a concurrent object can be explained by a sequential
 * order (linearizability, Herlihy and Wing 1990; Lincheck's check): some order of all of them, in
 * which an operation that ended before another began comes first, such that doing them one by one
 * on `model` gives every result the threads saw. Each thread records its operations with an
 * {@link OperationRecorder} over the `marks` cell and returns them; a thread that did not return
 * adds none. The search tries the orders depth first (Wing and Gong), remembering dead ends.
 *
 * @param source - the final state a `check` gets (or a `ReplayResult`).
 * @param model - the object's sequential behaviour.
 * @param options - `marks`: the cell the recorders write, as traces name it (`"marks.value"`).
 * @returns the history, an order that explains it (or null), and the verdict in words.
 */
export function linearization<S>(source: HasHistory, model: SequentialModel<S>, options: { readonly marks: string }): Linearization {
  if (model === null || typeof model !== "object" || typeof model.init !== "function" || typeof model.apply !== "function") {
    throw new TypeError("linearization(): the model must be { init(): state, apply(state, op, args): result }.");
  }
  const ops = history(source, options?.marks);
  const dead = new Set<string>();
  const order: Operation[] = [];
  const search = (left: Operation[], state: S): boolean => {
    if (left.length === 0) return true;
    const key = `${left.map((o) => ops.indexOf(o)).join()}|${JSON.stringify(state)}`;
    if (dead.has(key)) return false;
    const firstEnd = Math.min(...left.map((o) => o.responded));
    for (const o of left) {
      if (o.invoked > firstEnd) continue; // another operation ended before this one began
      const next = structuredClone(state);
      if (!isDeepStrictEqual(model.apply(next, o.op, o.args), o.result)) continue;
      order.push(o);
      if (search(left.filter((p) => p !== o), next)) return true;
      order.pop();
    }
    dead.add(key);
    return false;
  };
  const ok = search(ops, model.init());
  const found = ok ? [...order] : null;
  return {
    ok,
    history: ops,
    order: found,
    toString() {
      const lines = ops.map((o) => `  ${showOperation(o)}  (from trace line ${o.invoked + 1} to ${o.responded + 1})`);
      const verdict = found === null ? "No sequential order that respects real time explains these results: not linearizable." : `Linearizable, as: ${found.map(showOperation).join("; ")}.`;
      return ["History:", ...lines, verdict].join("\n");
    },
  };
}

/**
 * Whether a schedule's operations on a concurrent object are linearizable: see {@link linearization}.
 *
 * @param source - the final state a `check` gets (or a `ReplayResult`).
 * @param model - the object's sequential behaviour.
 * @param options - `marks`: the cell the recorders write, as traces name it (`"marks.value"`).
 * @returns true if some sequential order respecting real time explains every result.
 */
export function linearizable<S>(source: HasHistory, model: SequentialModel<S>, options: { readonly marks: string }): boolean {
  return linearization(source, model, options).ok;
}
