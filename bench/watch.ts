/**
 * The cost of watching (`npm run bench`, and alone: `TS_NODE_PROJECT=bench/tsconfig.json node
 * --require ts-node/register bench/watch.ts`): how much slower the watched runs of notebooks 3 and 5
 * go while a live view redraws them, against the same runs with nobody drawing. The workers log in
 * both (the log is part of what is watched); the view's cost is the notebook thread building each
 * frame (SVG, then PNG) a few times a second while the workers run. The frames go to tslab's own
 * writer module with a sink in the kernel's place, so everything but the socket is measured.
 *
 * Each run is timed from its first logged event to its last (workers' start-up, which varies far
 * more than anything measured here, is left out); runs with and without the view alternate, and
 * the medians are compared. Target: under 10 % slower.
 *
 * @packageDocumentation
 */
import * as mp from "../dist";
import * as draw from "../dist/display";
import * as lessons from "../dist/lessons";
import { useHost } from "../dist/host";

/** Runs with and without the view, each. */
const REPS = 5;

/** One kind of watched run: start it, and draw it. */
interface Watched {
  readonly name: string;
  start(): { done: Promise<unknown>; log: lessons.EventLog; picture(): draw.Picture };
}

const RUNS: readonly Watched[] = [
  {
    name: "the bank, with a lock (03)",
    start() {
      const run = lessons.watchBank({ locked: true });
      return { done: run.done, log: run.log, picture: () => lessons.bankPicture([run]) };
    },
  },
  {
    name: "4 workers on one Lock (05)",
    start() {
      const run = lessons.watchLock({ workers: 4, rounds: 20, holdMs: 10 });
      return { done: run.done, log: run.log, picture: () => lessons.lockPicture(run) };
    },
  },
];

/** One row: the medians without and with the view, and how many frames the view sent. */
export interface WatchCost {
  readonly name: string;
  readonly withoutMs: number;
  readonly withMs: number;
  readonly frames: number;
  /** `withMs / withoutMs - 1`. */
  readonly slowdown: number;
  /** The row, as the table prints it. */
  readonly line: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The span of a finished run's log, first event to last, in ms. */
function span(log: lessons.EventLog): number {
  const entries = log.entries();
  return entries[entries.length - 1].at - entries[0].at;
}

/** Measures every watched run with and without its live view. */
export async function watchCost(reps = REPS): Promise<WatchCost[]> {
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
  let frames = 0;
  jupyter.lastWriteDisplayData = () => frames++;
  useHost("tslab");
  try {
    const rows: WatchCost[] = [];
    for (const watched of RUNS) {
      const without: number[] = [];
      const withView: number[] = [];
      frames = 0;
      for (let rep = 0; rep < reps; rep++) {
        const plain = watched.start();
        await plain.done;
        without.push(span(plain.log));
        const seen = watched.start();
        await draw.live(seen.picture).follow(seen.done);
        withView.push(span(seen.log));
      }
      const withoutMs = median(without);
      const withMs = median(withView);
      const slowdown = withMs / withoutMs - 1;
      const perRun = frames / reps;
      rows.push({
        name: watched.name,
        withoutMs,
        withMs,
        frames: perRun,
        slowdown,
        line: `  ${watched.name.padEnd(30)} ${withoutMs.toFixed(0).padStart(6)} ms without the view, ${withMs.toFixed(0).padStart(6)} ms with it (${perRun.toFixed(1)} frames a run): ${slowdown >= 0 ? "+" : ""}${(100 * slowdown).toFixed(1)} %  ${Math.abs(slowdown) < 0.1 ? "✓" : "✗"} < 10 %`,
      });
    }
    return rows;
  } finally {
    useHost("plain");
    jupyter.lastWriteDisplayData = null;
  }
}

if (require.main === module) {
  void watchCost().then((rows) => {
    console.log("The cost of watching (median of 5 runs each, first logged event to last):");
    for (const row of rows) console.log(row.line);
    void mp.terminateAll();
  });
}
