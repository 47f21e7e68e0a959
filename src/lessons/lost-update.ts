/**
 * Notebook 04's recording of a lost update: two workers do plain read-modify-write increments and
 * write down every read and write in a log ordered by a shared ticket counter; then the shortest
 * stretch of the log in which one write wiped out another is found and drawn. Plumbing for the
 * notebook, kept here so that its cells show the idea, not the bookkeeping.
 *
 * @packageDocumentation
 */
import { Barrier } from "../barrier";
import { timelineChart } from "../display";
import { Process } from "../process";

/** One entry of the log: at `tick`, `worker` read or wrote `value` (a write also says what it `replaced`). */
export interface Step {
  /** The position in the log: the ticket the worker took with `Atomics.add` on the shared clock. */
  readonly tick: number;
  /** Which worker, from 1. */
  readonly worker: number;
  /** What it did. */
  readonly kind: "read" | "write";
  /** The value it read, or wrote. */
  readonly value: number;
  /** For a write: the value that was in the counter just before (from `Atomics.exchange`). */
  readonly replaced: number;
}

/** A recorded run: every step, and the final count. */
export interface Recording {
  /** The log, in tick order. */
  readonly steps: readonly Step[];
  /** What the counter held at the end. */
  readonly final: number;
}

/** A lost update: X read, Y read the same, Y wrote, X wrote the same value over Y's work. */
export interface LostUpdate {
  /** The read of the worker whose write did the damage. */
  readonly xRead: Step;
  /** The other worker's read of the same value. */
  readonly yRead: Step;
  /** The other worker's write, which is lost. */
  readonly yWrite: Step;
  /** The write computed from `xRead`, over `yWrite` (and whatever came after it). */
  readonly xWrite: Step;
}

const READ = 1;

/** The worker: `n` plain increments, each read and write logged at the next ticket of `clock`. */
function recorder(id: number, n: number, counter: Int32Array, clock: Int32Array, who: Int32Array, op: Int32Array,
                  value: Int32Array, replaced: Int32Array, gate: Barrier): void {
  gate.wait();
  for (let i = 0; i < n; i++) {
    const seen = Atomics.load(counter, 0);
    let ticket = Atomics.add(clock, 0, 1);
    who[ticket] = id; op[ticket] = 1; value[ticket] = seen;
    const before = Atomics.exchange(counter, 0, seen + 1);
    ticket = Atomics.add(clock, 0, 1);
    who[ticket] = id; op[ticket] = 2; value[ticket] = seen + 1; replaced[ticket] = before;
  }
}

/**
 * Runs `workers` workers of `n` logged increments each, started together at a barrier, and
 * returns the log.
 */
export async function record(workers: number, n: number): Promise<Recording> {
  const ints = (length: number) => new Int32Array(new SharedArrayBuffer(4 * length));
  const size = 2 * workers * n;
  const [counter, clock, who, op, value, replaced] = [ints(1), ints(1), ints(size), ints(size), ints(size), ints(size)];
  const gate = new Barrier(workers);
  const processes: Process[] = [];
  for (let id = 1; id <= workers; id++) {
    processes.push(new Process({ target: recorder, args: [id, n, counter, clock, who, op, value, replaced, gate] }));
  }
  for (const p of processes) p.start();
  for (const p of processes) await p.join();
  const steps: Step[] = [];
  for (let tick = 0; tick < size; tick++) {
    steps.push({ tick, worker: who[tick], kind: op[tick] === READ ? "read" : "write", value: value[tick], replaced: replaced[tick] });
  }
  return { steps, final: counter[0] };
}

/**
 * The shortest stretch of the log in which a worker's write replaced a value other than the one it
 * read, and another worker had read that same value and written the same result in between; null
 * if there is none (the workers did not overlap).
 */
export function findLostUpdate(steps: readonly Step[]): LostUpdate | null {
  const lastRead = new Map<number, Step>();
  const readBefore = new Map<Step, Step>();
  for (const s of steps) {
    if (s.kind === "read") lastRead.set(s.worker, s);
    else readBefore.set(s, lastRead.get(s.worker) as Step);
  }
  let best: LostUpdate | null = null;
  let bestSpan = Infinity;
  for (const xWrite of steps) {
    const xRead = readBefore.get(xWrite);
    if (xWrite.kind !== "write" || xRead === undefined || xWrite.replaced === xRead.value) continue;
    if (xWrite.tick - xRead.tick >= bestSpan) continue;
    for (let t = xRead.tick + 1; t < xWrite.tick; t++) {
      const yWrite = steps[t];
      const yRead = readBefore.get(yWrite);
      if (yWrite.kind === "write" && yRead !== undefined && yWrite.worker !== xWrite.worker &&
          yWrite.value === xWrite.value && yRead.value === xRead.value) {
        const span = xWrite.tick - Math.min(xRead.tick, yRead.tick);
        if (span < bestSpan) {
          best = { xRead, yRead, yWrite, xWrite };
          bestSpan = span;
        }
        break;
      }
    }
  }
  return best;
}

/**
 * Records runs of two workers with `perWorker` increments each until one shows a lost update, at
 * most `attempts` times (default 30: on a busy machine, half the runs or more may lose nothing).
 *
 * @throws Error if none of the runs lost an update (the workers never ran at the same moment).
 */
export async function catchLostUpdate(perWorker: number, attempts = 30): Promise<{ recording: Recording; lost: LostUpdate }> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const recording = await record(2, perWorker);
    const lost = findLostUpdate(recording.steps);
    if (lost !== null) return { recording, lost };
  }
  throw new Error(`No lost update in ${attempts} recorded runs: the two workers hardly overlapped this time ` +
    "(a busy machine may run them one after the other). Run this cell again.");
}

/**
 * The four steps of a lost update as a timeline picture: one lane per worker, the steps next to them,
 * long stretches folded into a break, arrows from each read to its write and from the undone write
 * to the one that overwrote it.
 */
export function lostUpdateTimeline(recording: Recording, lost: LostUpdate): ReturnType<typeof timelineChart> {
  const { xRead, yRead, yWrite, xWrite } = lost;
  const start = Math.min(xRead.tick, yRead.tick);
  const keep = new Set<number>();
  const around = (tick: number, from = -Infinity, to = Infinity) => {
    for (let t = tick - 1; t <= tick + 1; t++) if (t >= from && t <= to) keep.add(t);
  };
  for (const s of [xRead, yRead, yWrite, xWrite]) around(s.tick, start, xWrite.tick);
  const victim = recording.steps.slice(xRead.tick + 1, xWrite.tick).reverse()
    .find((s) => s.kind === "write" && s.value === xWrite.replaced) ?? yWrite;
  around(victim.tick);
  const shown = [...keep].sort((a, b) => a - b).map((t) => recording.steps[t]);
  const undoneWrite = (s: Step) => s.kind === "write" && s.worker !== xWrite.worker && s.tick > xRead.tick && s.tick < xWrite.tick;
  const at = (s: Step) => shown.indexOf(s);
  const undone = xWrite.replaced - xRead.value;
  return timelineChart({
    title: "A lost update, recorded from two real workers",
    lanes: ["worker 1", "worker 2"],
    events: shown.map((s) => ({
      lane: s.worker - 1,
      at: s.tick,
      label: `${s.kind} ${s.value}`,
      shape: s.kind === "write" ? "square" : "circle",
      tone: s === xWrite ? "alert" : undoneWrite(s) ? "lost" : "normal",
    })),
    links: [
      { from: at(yRead), to: at(yWrite), label: `${yRead.value} + 1` },
      { from: at(xRead), to: at(xWrite), label: `${xRead.value} + 1` },
      { from: at(victim), to: at(xWrite), label: `overwrote ${xWrite.replaced}`, tone: "alert" },
    ],
    axisLabel: "ticket (the order of Atomics.add on the shared clock)",
    legend: [
      { label: "read" }, { label: "write", shape: "square" },
      { label: "write undone", shape: "square", tone: "lost" }, { label: "write over it", shape: "square", tone: "alert" },
    ],
    gapLabel: (k) => `… ${k} more …`,
    notes: [
      `Both workers read ${xRead.value}. Worker ${yWrite.worker} wrote ${yWrite.value}` +
        (xWrite.replaced > yWrite.value ? ` and counted on, up to ${xWrite.replaced}.` : "."),
      `Then worker ${xWrite.worker} wrote ${xWrite.value}, computed from its old read, over ${xWrite.replaced}: ` +
        `${undone} increment${undone === 1 ? "" : "s"} lost in one write.`,
    ],
  });
}
