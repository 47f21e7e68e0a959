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
 *
 * Each reads only the order of steps on one cell, which is the same in every schedule the
 * explorer's reduction (`reduce`) treats as equivalent, so they may be used with it.
 *
 * @packageDocumentation
 */
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
