/**
 * The bench's figures: the samples every row collected, the table printed from them, and the
 * targets checked against them. Ratios are taken between medians of the same run, and per
 * repetition (the rows are interleaved, so repetition i of two rows ran seconds apart).
 *
 * @packageDocumentation
 */
import { summarize } from "./harness";

/** Turns one run's seconds and iteration count into the figure a row shows. */
export type Per = (seconds: number, iterations: number) => number;

/** Nanoseconds per iteration (per acquire + release pair). */
export const nsPer: Per = (seconds, iterations) => (seconds / iterations) * 1e9;
/** Millions of iterations (locked increments) per second. */
export const millionsPerSecond: Per = (seconds, iterations) => iterations / seconds / 1e6;
/** Microseconds per round trip, two hand-offs being one round trip. */
export const roundTripMicros: Per = (seconds, iterations) => (seconds / (iterations / 2)) * 1e6;
/** Milliseconds per run. */
export const millis: Per = (seconds) => seconds * 1e3;

/** The runs of one row at one worker count. */
export interface Samples {
  /** Seconds of each run, in repetition order. */
  readonly seconds: number[];
  /** Iterations per run, all workers together. */
  readonly iterations: number;
  /** Why the row stopped, if a run failed (a later repetition does not retry it). */
  error?: string;
}

/** One notebook's run through the kernel, as bench/notebooks.py reports it. */
export interface NotebookTime {
  /** File name. */
  readonly notebook: string;
  /** How many code cells it has. */
  readonly codeCells: number;
  /** From asking for a kernel to the kernel being ready. */
  readonly kernelStartSeconds?: number;
  /** All cells, top to bottom. */
  readonly cellsSeconds?: number;
  /** Start-up, cells and shut-down. */
  readonly totalSeconds: number;
  /** The first failure; the notebook stopped there. */
  readonly error?: string;
}

/** A target: what was measured against the limit, and whether it holds (`null`: not measured). */
export interface Target {
  /** What is promised. */
  readonly name: string;
  /** The ratio of medians, or seconds. */
  readonly measured: number | null;
  /** The smallest and largest per-repetition ratio, for ratios. */
  readonly runs: readonly [number, number] | null;
  /** The limit. */
  readonly limit: number;
  /** `true` when `measured` must be at most `limit`, `false` when at least. */
  readonly atMost: boolean;
  /** `"×"` or `" s"`. */
  readonly unit: string;
  /** Whether it holds. */
  readonly pass: boolean | null;
}

/** Every sample of a bench run, keyed by row and worker count, and why rows were skipped. */
export class Results {
  /** Samples by `"row/workers"`. */
  readonly samples = new Map<string, Samples>();
  /** Rows not measured at all, with the reason. */
  readonly skipped = new Map<string, string>();

  /** The samples of `id` at `workers`, created empty on first use. */
  record(id: string, workers: number, iterations: number): Samples {
    const k = `${id}/${workers}`;
    let s = this.samples.get(k);
    if (s === undefined) this.samples.set(k, (s = { seconds: [], iterations }));
    return s;
  }

  /** One figure per run, in repetition order. */
  figures(id: string, workers: number, per: Per): number[] {
    const s = this.samples.get(`${id}/${workers}`);
    return s === undefined ? [] : s.seconds.map((seconds) => per(seconds, s.iterations));
  }

  /** `"17.1 ns (16.5–18.0)"`: median and range; or why there is no figure. */
  cell(id: string, workers: number, per: Per, unit: string): string {
    const s = this.samples.get(`${id}/${workers}`);
    if (s?.error !== undefined) return `FAILED: ${s.error}`;
    const sum = summarize(this.figures(id, workers, per));
    if (sum === null) return this.skipped.get(id) ?? "–";
    return `${digits(sum.median)}${unit} (${digits(sum.min)}–${digits(sum.max)})`;
  }

  /** A ratio target between two rows: median over median, plus the range of per-repetition ratios. */
  ratioTarget(name: string, a: readonly [string, number, Per], b: readonly [string, number, Per], limit: number, atMost: boolean): Target {
    const top = this.figures(...a);
    const bottom = this.figures(...b);
    const ma = summarize(top)?.median;
    const mb = summarize(bottom)?.median;
    const measured = ma === undefined || mb === undefined ? null : ma / mb;
    const paired = top.slice(0, bottom.length).map((x, i) => x / bottom[i]);
    const range = summarize(paired);
    return {
      name,
      measured,
      runs: range === null ? null : [range.min, range.max],
      limit,
      atMost,
      unit: "×",
      pass: measured === null ? null : atMost ? measured <= limit : measured >= limit,
    };
  }

  /** The rows that failed, as `"row/workers: why"`. */
  failures(): string[] {
    return [...this.samples.entries()].filter(([, s]) => s.error !== undefined).map(([k, s]) => `${k}: ${s.error}`);
  }
}

/** A notebook time target; `null` seconds when no notebook ran. */
export function timeTarget(name: string, seconds: number | null, limit: number): Target {
  return { name, measured: seconds, runs: null, limit, atMost: true, unit: " s", pass: seconds === null ? null : seconds < limit };
}

/** Three significant-ish digits. */
function digits(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** A table line: a label, then columns. */
export function line(label: string, ...columns: string[]): string {
  return `  ${label.padEnd(48)}${columns.map((c) => c.padEnd(26)).join("")}`.trimEnd();
}

/** A target as a table line: pass/MISS, the promise, the measured ratio with its per-run range. */
export function targetLine(t: Target): string {
  const verdict = t.pass === null ? "n/a " : t.pass ? "pass" : "MISS";
  const value = t.measured === null ? "not measured" : `${t.measured.toFixed(2)}${t.unit}`;
  const runs = t.runs === null ? "" : ` (${t.runs[0].toFixed(2)}–${t.runs[1].toFixed(2)})`;
  return `  ${verdict}  ${t.name.padEnd(52)}${value}${runs}`;
}
