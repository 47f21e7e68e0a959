/**
 * How the explorer's results read as text: a trace as a table, one line per step, and the summary
 * of an exploration.
 *
 * @packageDocumentation
 */
import type { TraceStep } from "./run";

/** A value in a trace: bigints with their `n`, nothing for none. */
function show(value: number | bigint | undefined): string {
  return value === undefined ? "" : typeof value === "bigint" ? `${value}n` : String(value);
}

/**
 * A trace as a table: step, thread, operation, cell, value before → after, and a note.
 *
 * @param trace - a trace from {@link explore} or {@link replay}.
 * @returns one line per step, with a header line.
 */
export function formatTrace(trace: readonly TraceStep[]): string {
  const rows = trace.map((s) => [
    String(s.step),
    s.thread,
    s.op,
    s.cell,
    s.before === undefined ? "" : Object.is(s.before, s.after) ? show(s.before) : `${show(s.before)} → ${show(s.after)}`,
    s.note ?? "",
  ]);
  const header = ["step", "thread", "operation", "cell", "value", "note"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** The counts of final states, one per line, as `  count × state`, most frequent first. */
export function formatStates(states: ReadonlyArray<{ readonly state: string; readonly count: number }>): string {
  const width = Math.max(0, ...states.map((s) => String(s.count).length));
  return states.map((s) => `  ${String(s.count).padStart(width)} × ${s.state}`).join("\n");
}

/**
 * A naive search's count of schedules in words: exact, approximate past 2^53, or unknown.
 *
 * @param naive - the count, or null if unknown.
 */
export function naiveText(naive: number | null): string {
  if (naive === null) return "an unknown number";
  return Number.isSafeInteger(naive) ? String(naive) : `about ${naive.toPrecision(3)}`;
}
