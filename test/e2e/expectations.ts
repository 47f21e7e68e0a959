/**
 * What each notebook must show after Run All Cells, keyed by its number (notebooks/NN-*.ipynb).
 * On top of this table every notebook must run every code cell ([1]..[n]), show no stderr or
 * error output and no line starting with "✗" (a failed self-check) other than the exercises' checks
 * on their stubs (one "✗ exercise N:" per "✓ exercise N:"), and render every SVG
 * picture it has saved outputs for.
 */
import { exactly } from "./notebook-page";

export interface Expected {
  /** Each pattern must match at least one whole output line. */
  lines: RegExp[];
  /** At least one rendered SVG picture, even if the saved notebook has none. */
  pictures: boolean;
  /**
   * Each pattern must match the text of a rendered markdown cell that holds no maths: prose that a
   * stray pair of "$" would turn into italic maths (dollar amounts) must read as written.
   */
  prose?: RegExp[];
}

export const EXPECTED: Record<string, Expected> = {
  // The child's print, then the parent's untouched RESULT.
  "01": { lines: [exactly("Result: [25, 36, 49, 64]"), exactly("[]")], pictures: false },
  // mp.Array and mp.Value, filled by the worker, read in the notebook.
  "02": { lines: [exactly("[25, 36, 49, 64]"), exactly("174")], pictures: false },
  // Lost updates first (how many varies from run to run), then 200 with the lock.
  // Its dollar amounts, written without "$", are text, not maths.
  "03": {
    lines: [/^(run \d+: )?balance 200$/],
    pictures: false,
    prose: [/a balance of 200 dollars, one process depositing 1 dollar a hundred times/, /two accounts, A and B, with 200 dollars each/i],
  },
  "04": { lines: [], pictures: true },
  "05": { lines: [], pictures: true },
  "06": { lines: [], pictures: true },
  // The explorer's exact count of the bank's schedules; the chart and the timeline.
  "07": { lines: [exactly("64 of 70 schedules lose at least one update: 56 end at a balance other than 200, and 8 end at 200 anyway")], pictures: true },
  // The teller's balance, every run; the pipe's squares; the pool's chart.
  "08": { lines: [exactly("run 1: balance 200"), exactly("run 3: balance 200"), exactly("Result: [ 25, 36, 49, 64 ]")], pictures: true },
};

/** The table's row for a notebook file name, or none (then only the common checks apply). */
export function expectedFor(file: string): Expected | undefined {
  return EXPECTED[file.slice(0, 2)];
}
