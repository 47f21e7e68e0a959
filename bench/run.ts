/**
 * `npm run bench`: what the library's locks cost, beside the floor, V8's own mutex and Python.
 * Every figure is the median of a few runs interleaved with the others (so a burst of load from
 * elsewhere hits all rows alike), with the spread. Prints a table and the targets, and writes the
 * raw samples to bench/results/<date>.json. See bench/README.md for how to read it.
 *
 * @packageDocumentation
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import * as mp from "../dist";
import { atomicAdd, conditionPingPong, handmade, library, SIDE_BY_SIDE, waitNotifyPingPong, type Handmade } from "./bodies";
import { counter, summarize, timeParked, type Body, type Counted } from "./harness";
import { exploreSpeed } from "./explore";
import { watchCost } from "./watch";
import { measurePythonQueue, measureQueueRows, PYTHON_ROWS, queueTable, queueTargets } from "./queue";
import { MutexProcess, Skipped } from "./mutex";
import { line, millionsPerSecond, millis, nsPer, Results, roundTripMicros, targetLine, timeTarget, type NotebookTime, type Per, type Target } from "./report";
import { resultsFile } from "./results-file";

const ROOT = join(__dirname, "..");
/** How many times each measurement is repeated; the table shows the median and the spread. */
const REPS = 5;
/**
 * Iterations per JavaScript run, split evenly over its workers (every count in {@link WORKER_COUNTS}
 * divides it): 500,000 each for 16 workers, so that starting and ending 16 threads is a small part
 * of a run (with 2,000,000, 16 workers that shared nothing at all reached 0.6–0.76× the rate of 2;
 * with 16,000,000, 1.0×; bench/README.md, "Run length").
 */
const TOTAL = 8_000_000;
/**
 * Untimed iterations each worker of a counting row runs alone before it parks, and again with all
 * the others before the timed run (see timeParked): a fresh worker's first ones run slower, and
 * alone a lock's waiting code never runs.
 */
const WARMUP = 50_000;
/** Round trips per ping-pong run. */
const ROUNDS = 2_000;
/**
 * Python's lock pairs, and Python's increments split over its processes, per run (divisible by 16):
 * 125,000 each for 16 processes, so that they overlap (with 200,000 in all, each of 16 did its
 * 12,500 in about one time slice, mostly alone).
 */
const PYTHON_PAIRS = 200_000;
const PYTHON_TOTAL = 2_000_000;
/** Process start + join timings per repetition. */
const STARTS = 2;
/** Workers that share one counter in (b): up to 4, fewer or as many as the cores of a laptop; 8 and 16, more. */
const WORKER_COUNTS = [1, 2, 4, 8, 16] as const;
/** The counts for rows that only matter under contention. */
const CONTENDED = WORKER_COUNTS.filter((w) => w > 1);
/** The counts of the many-workers targets. */
const MANY = [8, 16] as const;
/** The cores this process may use (what a worker sees too). */
const CORES = availableParallelism();

/** One row of measurements: how to run it once. */
interface Series {
  readonly id: string;
  readonly label: string;
  readonly workers: readonly number[];
  /** Iterations per run (all workers together). */
  readonly total: number;
  /** One timed run with `workers` workers of `n` iterations each; seconds. */
  readonly run: (workers: number, n: number) => Promise<number>;
}

const results = new Results();

/** Every sample taken, one entry per row and worker count, for the raw figures. */
function measurementsOf(): object[] {
  return [...results.samples.entries()].map(([k, s]) => ({ row: k.split("/")[0], workers: Number(k.split("/")[1]), ...s }));
}

/** Writes a run's raw figures to `file` (in bench/results/), and fails the run if a measurement failed. */
function saveResults(file: string, raw: object): void {
  writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
  console.log(`raw figures: ${file}`);
  const failures = results.failures();
  if (failures.length > 0) {
    console.error(`${failures.length} measurement(s) failed: ${failures.join("; ")}`);
    process.exitCode = 1;
  }
}

/**
 * `--only queue` (or `--only=queue`): run only the queue rows (f), their Python runs and their
 * targets, and write bench/results/<date>-queue.json; `--only pool`: only the Pool rows (g)
 * (bench/pool.ts), which write bench/results/<date>-pool.json. `null` without the flag: every row.
 */
function onlyRows(): "queue" | "pool" | null {
  const args = process.argv.slice(2);
  const at = args.findIndex((a) => a === "--only" || a.startsWith("--only="));
  if (at < 0) return null;
  const value = args[at].startsWith("--only=") ? args[at].slice("--only=".length) : args[at + 1];
  if (value !== "queue" && value !== "pool") throw new Error(`--only takes "queue" or "pool" (the rows that can run alone), not ${JSON.stringify(value)}`);
  return value;
}

function parkedSeries<S extends Counted>(
  id: string,
  label: string,
  workers: readonly number[],
  body: Body<S>,
  make: () => S,
  total = TOTAL,
  warmup = WARMUP,
): Series {
  return { id, label, workers, total, run: (count, n) => timeParked(body, make(), count, n, warmup) };
}

const mutexProcess = new MutexProcess(Math.max(...WORKER_COUNTS));

const series: Series[] = [
  parkedSeries("spinlock", "bare spinlock: compareExchange + store (floor)", [1], handmade, () => handmadeShared("spinlock")),
  parkedSeries("futex", "futex copy: no spin, no owner id, no checks", WORKER_COUNTS, handmade, () => handmadeShared("futex")),
  parkedSeries("futex-nap", "futex copy + a nap after a lost wake-up", CONTENDED, handmade, () => handmadeShared("futex-nap")),
  parkedSeries("futex-spin", "futex copy + the old fixed spin (64 looks)", CONTENDED, handmade, () => handmadeShared("futex-spin")),
  parkedSeries("futex-adaptive", "futex copy + src/spin.ts's spin", CONTENDED, handmade, () => handmadeShared("futex-adaptive")),
  parkedSeries("futex-owned", "futex copy + owner-id store", [1], handmade, () => handmadeShared("owned")),
  { id: "side-by-side", label: "the four above in turn, in one worker", workers: [1], total: 2 * TOTAL, run: sideBySide },
  parkedSeries("lock", "mp.Lock", WORKER_COUNTS, library, () => ({ count: counter(), lock: new mp.Lock() })),
  parkedSeries("rlock", "mp.RLock", [1], library, () => ({ count: counter(), lock: new mp.RLock() })),
  parkedSeries("semaphore", "mp.Semaphore(1)", [1], library, () => ({ count: counter(), lock: new mp.Semaphore(1) })),
  { id: "mutex", label: "Atomics.Mutex.lock(m, cb)", workers: WORKER_COUNTS, total: TOTAL, run: (w, n) => mutexProcess.run(w, n, WARMUP) },
  parkedSeries("add", "Atomics.add, no lock", [1, 2, 4], atomicAdd, () => ({ count: counter() })),
  parkedSeries(
    "condition",
    "mp.Condition() ping-pong",
    [2],
    conditionPingPong,
    () => ({ count: counter(), cond: new mp.Condition(), turn: counter() }),
    2 * ROUNDS,
    0,
  ),
  parkedSeries(
    "wait-notify",
    "Atomics.wait/notify ping-pong (floor)",
    [2],
    waitNotifyPingPong,
    () => ({ count: counter(), turn: counter() }),
    2 * ROUNDS,
    0,
  ),
];

/** What a {@link handmade} run shares: its counter and lock cells, and for side-by-side an `mp.Lock` and the times. */
function handmadeShared(mode: Handmade) {
  const sideBySide = mode === "side-by-side";
  return {
    mode,
    count: counter(),
    cells: new Int32Array(new SharedArrayBuffer(8)),
    lock: sideBySide ? new mp.Lock() : null,
    ms: sideBySide ? new Float64Array(new SharedArrayBuffer(SIDE_BY_SIDE.length * 8)) : null,
    spin: mode === "futex-adaptive" ? join(ROOT, "dist", "spin") : null,
  };
}

/** The side-by-side run: keeps each variant's own time as a sample of its `side-…` row. */
async function sideBySide(workers: number, n: number): Promise<number> {
  const shared = handmadeShared("side-by-side");
  const seconds = await timeParked(handmade, shared, workers, n);
  SIDE_BY_SIDE.forEach((id, j) => results.record(`side-${id}`, 1, n / SIDE_BY_SIDE.length).seconds.push((shared.ms?.[j] ?? NaN) / 1000));
  return seconds;
}

/** Runs one measurement and keeps its seconds; a failure ends the row (it is reported, not retried). */
async function measure(id: string, workers: number, iterations: number, run: () => Promise<number>): Promise<void> {
  const s = results.record(id, workers, iterations);
  if (s.error !== undefined || results.skipped.has(id)) return;
  try {
    s.seconds.push(await run());
  } catch (error) {
    if (error instanceof Skipped) results.skipped.set(id, error.message);
    else s.error = (error as Error).message.split("\n")[0];
  }
}

/**
 * One Python run of every Python row. Returns Python's version, or throws why it cannot run
 * (the rows then say so, and Python is not tried again).
 */
function runPython(): string {
  const args = [join(__dirname, "python_lock.py"), `${PYTHON_PAIRS}`, `${PYTHON_TOTAL}`, WORKER_COUNTS.join(",")];
  const out = spawnSync("python3", args, { encoding: "utf8", timeout: 120_000 });
  if (out.error !== undefined) throw new Error(`skipped: python3 not runnable (${out.error.message})`);
  if (out.status !== 0) throw new Error(`failed: ${out.stderr.trim().split("\n").pop() ?? `exit ${out.status}`}`);
  const result = JSON.parse(out.stdout) as { python: string; runs: { kind: string; workers: number; n: number; seconds: number }[] };
  for (const r of result.runs) {
    results.record(r.kind === "pair" ? "python-pair" : "python", r.workers, r.n * r.workers).seconds.push(r.seconds);
  }
  return result.python;
}

const noop = (): undefined => undefined;

/** `new mp.Process` with a no-op target, `start()`, `await join()`: seconds. */
async function processStartJoin(): Promise<number> {
  const start = performance.now();
  const p = new mp.Process({ target: noop });
  p.start();
  await p.join();
  return (performance.now() - start) / 1000;
}

/** The same with a bare `worker_threads` Worker running nothing (and, like mp.Process, without ts-node): seconds. */
async function bareWorkerStartJoin(): Promise<number> {
  const start = performance.now();
  const worker = new Worker("", { eval: true, execArgv: [] });
  await new Promise((resolve) => worker.once("exit", resolve));
  return (performance.now() - start) / 1000;
}

/** Runs every notebook once through the tslab kernel; a string says why none ran. */
function runNotebooks(): NotebookTime[] | string {
  if (process.argv.includes("--no-notebooks")) return "skipped: --no-notebooks";
  const python = join(ROOT, ".venv", "bin", "python");
  if (!existsSync(python)) return "skipped: no .venv (run scripts/jupyter-env.sh)";
  const dir = join(ROOT, "notebooks");
  const notebooks = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort() : [];
  if (notebooks.length === 0) return "skipped: no notebooks in notebooks/ yet";
  const out = spawnSync(python, [join(__dirname, "notebooks.py"), ...notebooks.map((f) => join(dir, f))], {
    encoding: "utf8",
    timeout: 600_000,
  });
  if (out.status !== 0) return `failed: ${out.error?.message ?? out.stderr.trim().split("\n").pop()}`;
  return JSON.parse(out.stdout) as NotebookTime[];
}

/** What `mp.Lock` adds to an uncontended pair over the futex copy, in ns, from the medians of rows `prefix…`. */
function checksCost(prefix: "" | "side-"): { ownerStore: number; rest: number; total: number; futex: number } | null {
  const at = (id: string): number | null => summarize(results.figures(prefix + id, 1, nsPer))?.median ?? null;
  const futexNs = at("futex");
  const owned = at(prefix === "" ? "futex-owned" : "owned");
  const lock = at(prefix === "" ? "lock" : "library");
  if (futexNs === null || owned === null || lock === null) return null;
  return { ownerStore: owned - futexNs, rest: lock - owned, total: lock - futexNs, futex: futexNs };
}

/** The table, row by row. */
function table(notebooks: NotebookTime[] | string, targets: Target[]): string[] {
  const out: string[] = [];
  const label = (id: string): string => series.find((s) => s.id === id)?.label ?? id;
  out.push("", `(a) Uncontended acquire + count[0]++ + release, 1 worker: ns per pair, median (min–max of ${REPS})`);
  for (const id of ["spinlock", "futex", "futex-owned", "lock", "mutex"]) out.push(line(label(id), results.cell(id, 1, nsPer, " ns")));
  out.push(line("Python multiprocessing.Lock (k += 1, a local)", results.cell("python-pair", 1, nsPer, " ns")));
  out.push("  The same four in one worker, in turn (10 blocks each, timed inside the worker): ns per pair, and × the floor");
  const floor = summarize(results.figures("side-spinlock", 1, nsPer))?.median;
  for (const [id, name] of [
    ["spinlock", "bare spinlock (floor)"],
    ["futex", "futex copy"],
    ["owned", "futex copy + owner-id store"],
    ["library", "mp.Lock"],
  ] as const) {
    const median = summarize(results.figures(`side-${id}`, 1, nsPer))?.median;
    const times = median === undefined || floor === undefined ? "" : `${(median / floor).toFixed(2)}×`;
    out.push(line(`  ${name}`, results.cell(`side-${id}`, 1, nsPer, " ns"), times));
  }

  out.push("", "(b) Locked increments of one shared counter: millions per second, median (min–max)");
  const rows = [
    ["lock", "mp.Lock (src/spin.ts: spin, nap)"],
    ["futex", "futex copy, no spin (sleeps at once)"],
    ["futex-nap", "futex copy + a nap after a lost wake-up"],
    ["futex-spin", "futex copy + the old fixed spin (64)"],
    ["futex-adaptive", "futex copy + src/spin.ts's spin"],
    ["mutex", "Atomics.Mutex"],
    ["python", "Python multiprocessing.Lock (processes)"],
    ["add", "Atomics.add, no lock (ceiling)"],
  ] as const;
  // Two blocks of columns, so that the table stays narrow enough to read.
  for (const counts of [WORKER_COUNTS.filter((w) => w <= 4), WORKER_COUNTS.filter((w) => w > 4)]) {
    const more = counts.filter((w) => w > CORES).length === counts.length ? ` (more workers than the ${CORES} cores)` : "";
    out.push(line(more, ...counts.map((w) => `${w} worker${w > 1 ? "s" : ""}`)));
    for (const [id, name] of rows) out.push(line(name, ...counts.map((w) => results.cell(id, w, millionsPerSecond, " M/s"))));
  }

  out.push("", "(c) The other primitives");
  out.push(line("mp.RLock pair, 1 worker", results.cell("rlock", 1, nsPer, " ns")));
  out.push(line("mp.Semaphore(1) pair, 1 worker", results.cell("semaphore", 1, nsPer, " ns")));
  out.push(line("mp.Condition() ping-pong, per round trip", results.cell("condition", 2, roundTripMicros, " µs")));
  out.push(line("Atomics.wait/notify ping-pong (floor)", results.cell("wait-notify", 2, roundTripMicros, " µs")));

  out.push("", "(d) Worker start + join, no-op target");
  out.push(line("mp.Process", results.cell("process", 1, millis, " ms")));
  out.push(line('bare worker_threads Worker (eval "")', results.cell("worker", 1, millis, " ms")));

  out.push("", "(e) Notebooks, run top to bottom through the tslab kernel (once each)");
  if (typeof notebooks === "string") {
    out.push(`  ${notebooks}`);
  } else {
    for (const nb of notebooks) {
      const parts =
        nb.error !== undefined
          ? [`FAILED ${nb.error}`]
          : [`kernel start ${nb.kernelStartSeconds?.toFixed(1)} s`, `cells ${nb.cellsSeconds?.toFixed(1)} s`];
      out.push(line(nb.notebook, `total ${nb.totalSeconds.toFixed(1)} s`, ...parts));
    }
  }

  out.push(...queueTable(results));

  out.push("", "Targets: ratio of the medians (lowest–highest ratio within one repetition)");
  for (const t of targets) out.push(targetLine(t));

  out.push("", "What mp.Lock adds to an uncontended pair over the futex copy (differences of medians, ns)");
  for (const prefix of ["side-", ""] as const) {
    const c = checksCost(prefix);
    if (c === null) continue;
    out.push(
      `  ${prefix === "" ? "separate workers" : "side by side    "}: owner-id store ${c.ownerStore.toFixed(1)}, ` +
        `the rest (fast-path checks, class shape) ${c.rest.toFixed(1)}, total ${c.total.toFixed(1)} ` +
        `(${((c.total / c.futex) * 100).toFixed(0)} % of the futex copy's ${c.futex.toFixed(1)})`,
    );
  }
  return out;
}

/** One Python run of the queue rows, unless Python already failed to run: its version, or null. */
function queuePython(results: Results): string | null {
  if (results.skipped.has(PYTHON_ROWS[0])) return null;
  try {
    return measurePythonQueue(results);
  } catch (error) {
    for (const id of PYTHON_ROWS) results.skipped.set(id, (error as Error).message);
    return null;
  }
}

/** `npm run bench -- --only queue`: the queue rows alone, their targets, and their raw figures. */
async function queueOnly(): Promise<void> {
  const began = new Date();
  const loadBefore = loadavg();
  console.log(`bench --only queue: ${REPS} interleaved repetitions on ${CORES} cores, load average ${loadBefore.map((x) => x.toFixed(2)).join(" ")}`);
  let python: string | null = null;
  for (let rep = 0; rep < REPS; rep++) {
    await measureQueueRows(results);
    python = queuePython(results) ?? python;
    console.log(`  repetition ${rep + 1}/${REPS} done`);
  }
  const targets = queueTargets(results);
  const out = [...queueTable(results), "", "Targets: ratio of the medians (lowest–highest ratio within one repetition)", ...targets.map(targetLine)];
  const loadAfter = loadavg();
  out.push("", `load average before ${loadBefore.map((x) => x.toFixed(2)).join(" ")}, after ${loadAfter.map((x) => x.toFixed(2)).join(" ")}`);
  console.log(out.join("\n"));
  const date = began.toISOString().slice(0, 10);
  const file = resultsFile(began, "-queue");
  const commit = spawnSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
  const measurements = measurementsOf();
  const raw = { date, startedAt: began.toISOString(), commit, node: process.version, python, cpus: cpus().length, availableParallelism: CORES, cpuModel: cpus()[0]?.model, loadavgBefore: loadBefore, loadavgAfter: loadAfter, measurements, skipped: Object.fromEntries(results.skipped), targets, table: out.join("\n") };
  saveResults(file, raw);
}

async function main(): Promise<void> {
  if (onlyRows() === "queue") return queueOnly();
  // The Pool rows (bench/pool.ts, issue 21): first, or alone with `npm run bench -- --only pool`;
  // `--no-pool` leaves them out. They print their own section and write bench/results/<date>-pool.json.
  if (!process.argv.includes("--no-pool")) {
    const { runPoolRows } = await import("./pool");
    await runPoolRows(REPS);
    if (onlyRows() === "pool") return;
  }
  const began = new Date();
  const loadBefore = loadavg();
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(" ");
  console.log(`bench: ${REPS} interleaved repetitions on ${CORES} cores (os.availableParallelism()), load average ${load(loadBefore)}`);
  let python: string | null = null;
  for (let rep = 0; rep < REPS; rep++) {
    for (const s of series) {
      for (const w of s.workers) await measure(s.id, w, s.total, () => s.run(w, s.total / w));
    }
    if (!results.skipped.has("python")) {
      try {
        python = runPython();
      } catch (error) {
        for (const id of ["python", "python-pair"]) results.skipped.set(id, (error as Error).message);
      }
    }
    await measureQueueRows(results);
    queuePython(results);
    for (let i = 0; i < STARTS; i++) {
      await measure("process", 1, 1, processStartJoin);
      await measure("worker", 1, 1, bareWorkerStartJoin);
    }
    console.log(`  repetition ${rep + 1}/${REPS} done`);
  }
  mutexProcess.close();
  console.log("  exploring the bank with a Lock under mp.explore…");
  const explorer = await exploreSpeed();
  console.log("  the notebooks' watched runs, with and without their live view…");
  const watching = await watchCost();
  console.log("  running the notebooks through the tslab kernel…");
  const notebooks = runNotebooks();
  const loadAfter = loadavg();

  const lock2: [string, number, Per] = ["lock", 2, millionsPerSecond];
  const totals = typeof notebooks === "string" ? [] : notebooks.map((n) => n.totalSeconds);
  const targets = [
    results.ratioTarget("mp.Lock pair ≤ 1.5× bare pair (side by side)", ["side-library", 1, nsPer], ["side-spinlock", 1, nsPer], 1.5, true),
    results.ratioTarget("mp.Lock pair ≤ 1.5× bare pair (separate workers)", ["lock", 1, nsPer], ["spinlock", 1, nsPer], 1.5, true),
    results.ratioTarget("mp.Lock pair faster than Atomics.Mutex (ratio < 1)", ["lock", 1, nsPer], ["mutex", 1, nsPer], 1, true),
    results.ratioTarget("2 workers: mp.Lock ≥ Atomics.Mutex", lock2, ["mutex", 2, millionsPerSecond], 1, false),
    results.ratioTarget("2 workers: mp.Lock ≥ 10× Python", lock2, ["python", 2, millionsPerSecond], 10, false),
    results.ratioTarget("mp.Lock: 4 workers ≥ 0.8× 2 workers", ["lock", 4, millionsPerSecond], lock2, 0.8, false),
    ...MANY.flatMap((w) => {
      const lock: [string, number, Per] = ["lock", w, millionsPerSecond];
      return [
        results.ratioTarget(`mp.Lock: ${w} workers ≥ 0.8× 2 workers`, lock, lock2, 0.8, false),
        results.ratioTarget(`${w} workers: mp.Lock ≥ Atomics.Mutex`, lock, ["mutex", w, millionsPerSecond], 1, false),
        results.ratioTarget(`${w} workers: mp.Lock ≥ 10× Python`, lock, ["python", w, millionsPerSecond], 10, false),
      ];
    }),
    timeTarget("slowest notebook < 30 s", totals.length > 0 ? Math.max(...totals) : null, 30),
    timeTarget("all notebooks < 2 min", totals.length > 0 ? totals.reduce((a, b) => a + b, 0) : null, 120),
    ...queueTargets(results),
  ];
  const wallSeconds = (Date.now() - began.getTime()) / 1000;
  const out = table(notebooks, targets);
  out.push("", explorer.line);
  out.push("", "The cost of watching (median of 5 runs each, first logged event to last; target < 10 %):", ...watching.map((w) => w.line));
  out.push("", `load average before ${load(loadBefore)}, after ${load(loadAfter)}; ${wallSeconds.toFixed(0)} s in all`);
  // The load average after the run counts the bench's own workers and kernels; the one before does not.
  if (loadBefore[0] > CORES) {
    out.push(
      `  The load average before the run exceeded the ${CORES} cores: other work shared the CPUs, so times are inflated and ` +
        `ratios noisy. Trust the ranges more than single medians, or run again when the machine is quiet.`,
    );
  }
  console.log(out.join("\n"));

  const git = (...args: string[]): string => spawnSync("git", args, { cwd: ROOT, encoding: "utf8" }).stdout.trim();
  const date = began.toISOString().slice(0, 10);
  const file = resultsFile(began, "");
  const raw = {
    date,
    startedAt: began.toISOString(),
    wallSeconds,
    commit: git("rev-parse", "HEAD"),
    srcChanged: git("status", "--porcelain", "src") !== "",
    node: process.version,
    v8: process.versions.v8,
    python,
    cpus: cpus().length,
    availableParallelism: CORES,
    cpuModel: cpus()[0]?.model,
    loadavgBefore: loadBefore,
    loadavgAfter: loadAfter,
    settings: { REPS, TOTAL, WARMUP, ROUNDS, PYTHON_PAIRS, PYTHON_TOTAL, STARTS, WORKER_COUNTS },
    measurements: measurementsOf(),
    skipped: Object.fromEntries(results.skipped),
    notebooks,
    targets,
    checksCost: { sideBySide: checksCost("side-"), separateWorkers: checksCost("") },
    explorer: { ...explorer, line: undefined },
    watching: watching.map((w) => ({ ...w, line: undefined })),
    table: out.join("\n"),
  };
  saveResults(file, raw);
}

void main();
