/**
 * The Pool rows of `npm run bench` (issue 21): `mp.Pool.map` of a CPU-bound function on 1 and 2
 * workers, the cost of one empty task, and Python's `multiprocessing.Pool` on the same work
 * (`bench/python_pool.py`), side by side in one run. `npm run bench -- --only pool` runs only these.
 *
 * - primes: `map(countPrimes, [N, N, …])`, each item counting the primes below N by trial
 *   division. The pool is started, and each worker has run one task, before the clock starts; the
 *   time is the map alone. Python takes about 100× longer per item, so it maps fewer items (the
 *   figures are per item, and the speed-up is a ratio of times on the same items).
 * - empty: `map(noop, range(TASKS), { chunksize: 1 })` on 1 worker: one task per item, so the time
 *   per item is what a task costs beyond its work (send, run, answer, gather).
 *
 * @packageDocumentation
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import * as mp from "../dist";
import { line, Results, targetLine, type Per, type Target } from "./report";
import { resultsFile } from "./results-file";

/** Primes below N per item: about 2 ms in Node, 0.16 s in Python, on this machine. */
const N = 50_000;
/** Items per JavaScript map (divisible by 2 workers). */
const ITEMS = 64;
/** Items per Python map (fewer: Python is ~100× slower per item). */
const PYTHON_ITEMS = 16;
/** Empty tasks per run, JavaScript and Python. */
const TASKS = 20_000;
const PYTHON_TASKS = 5_000;

/** Milliseconds per item. */
const msPerItem: Per = (seconds, items) => (seconds / items) * 1e3;
/** Microseconds per task. */
const usPerTask: Per = (seconds, tasks) => (seconds / tasks) * 1e6;

/** The measured function: how many primes are below `n` (the same loop as Python's count_primes). */
function countPrimes(n: number): number {
  let count = 0;
  for (let i = 2; i < n; i++) {
    let prime = true;
    for (let d = 2; d * d <= i; d++) {
      if (i % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

function noop(x: number): number {
  return x;
}

/** One timed map on a fresh pool of `workers` (started and warmed before the clock): seconds. */
async function timedMap<T>(workers: number, fn: (x: T) => unknown, items: T[], check: (result: unknown[]) => boolean, chunksize?: number): Promise<number> {
  const pool = new mp.Pool(workers);
  try {
    await pool.map(countPrimes, Array.from({ length: workers }, () => 1000), { chunksize: 1 });
    const start = performance.now();
    const result = await pool.map(fn, items, chunksize === undefined ? {} : { chunksize });
    const seconds = (performance.now() - start) / 1000;
    if (!check(result)) throw new Error(`${fn.name} on ${workers} workers gave a wrong result`);
    return seconds;
  } finally {
    await pool.terminate();
  }
}

/** What the Pool rows hand back to bench/run.ts: the table's lines, the targets, the raw samples. */
export interface PoolBench {
  /** The section of the table, ready to print. */
  readonly lines: string[];
  /** The targets, also printed in `lines`. */
  readonly targets: Target[];
  /** Every sample, for the results file. */
  readonly samples: Record<string, unknown>;
}

/**
 * Runs the Pool rows `reps` times, interleaved, with Python's after each JavaScript repetition.
 *
 * @param reps - repetitions (the table shows the median and the range).
 */
export async function poolBench(reps: number): Promise<PoolBench> {
  const results = new Results();
  const expected = countPrimes(N);
  const items = Array.from({ length: ITEMS }, () => N);
  const tasks = Array.from({ length: TASKS }, (_, i) => i);
  let python: string | null = null;
  for (let rep = 0; rep < reps; rep++) {
    for (const workers of [1, 2]) {
      const s = await timedMap(workers, countPrimes, items, (r) => r.every((x) => x === expected));
      results.record("pool-primes", workers, ITEMS).seconds.push(s);
    }
    const s = await timedMap(1, noop, tasks, (r) => r.every((x, i) => x === i), 1);
    results.record("pool-empty", 1, TASKS).seconds.push(s);
    if (!results.skipped.has("python-pool-primes")) {
      try {
        const run = runPython();
        python = run.python;
        for (const r of run.runs) results.record(`python-pool-${r.kind}`, r.workers, r.n).seconds.push(r.seconds);
      } catch (error) {
        for (const id of ["python-pool-primes", "python-pool-empty"]) results.skipped.set(id, (error as Error).message);
      }
    }
    console.log(`  pool repetition ${rep + 1}/${reps} done`);
  }
  const primes = (id: string, w: number): [string, number, Per] => [id, w, msPerItem];
  const targets = [
    results.ratioTarget("Pool.map: 2 workers ≥ 1.7× 1 worker (speed-up)", primes("pool-primes", 1), primes("pool-primes", 2), 1.7, false),
    results.ratioTarget("Pool.map empty task: mp ≤ Python's cost (ratio ≤ 1)", ["pool-empty", 1, usPerTask], ["python-pool-empty", 1, usPerTask], 1, true),
  ];
  const python2 = results.ratioTarget("", primes("python-pool-primes", 1), primes("python-pool-primes", 2), 0, false);
  const lines = [
    "",
    `(g) Pool.map of countPrimes(${N}) per item (${ITEMS} items; Python ${PYTHON_ITEMS}): ms per item, median (min–max of ${reps})`,
    line("", "1 worker", "2 workers", "speed-up"),
    line("mp.Pool.map", results.cell("pool-primes", 1, msPerItem, " ms"), results.cell("pool-primes", 2, msPerItem, " ms"), speedup(targets[0])),
    line(`Python multiprocessing.Pool.map${python === null ? "" : ` (${python})`}`, results.cell("python-pool-primes", 1, msPerItem, " ms"), results.cell("python-pool-primes", 2, msPerItem, " ms"), speedup(python2)),
    `  An empty task, map(noop, range(n), chunksize 1) on 1 worker: µs per task (${TASKS} tasks; Python ${PYTHON_TASKS})`,
    line("mp.Pool.map", results.cell("pool-empty", 1, usPerTask, " µs")),
    line("Python multiprocessing.Pool.map", results.cell("python-pool-empty", 1, usPerTask, " µs")),
    "  Pool targets:",
    ...targets.map(targetLine),
  ];
  return { lines, targets, samples: Object.fromEntries(results.samples) };
}

function speedup(t: Target): string {
  if (t.measured === null) return "–";
  return `${t.measured.toFixed(2)}×${t.runs === null ? "" : ` (${t.runs[0].toFixed(2)}–${t.runs[1].toFixed(2)})`}`;
}

interface PythonRun {
  readonly kind: "primes" | "empty";
  readonly workers: number;
  readonly n: number;
  readonly seconds: number;
}

/** One repetition of Python's rows: Python's version and its runs; throws why it cannot run. */
function runPython(): { python: string; runs: PythonRun[] } {
  const args = [join(__dirname, "python_pool.py"), `${N}`, `${PYTHON_ITEMS}`, `${PYTHON_TASKS}`, "1"];
  const out = spawnSync("python3", args, { encoding: "utf8", timeout: 300_000 });
  if (out.error !== undefined) throw new Error(`skipped: python3 not runnable (${out.error.message})`);
  if (out.status !== 0) throw new Error(`failed: ${out.stderr.trim().split("\n").pop() ?? `exit ${out.status}`}`);
  return JSON.parse(out.stdout) as { python: string; runs: PythonRun[] };
}

/**
 * Runs the Pool rows, prints their section of the table and writes their samples to
 * `bench/results/<date>-pool.json`.
 *
 * @param reps - repetitions.
 */
export async function runPoolRows(reps: number): Promise<void> {
  const began = new Date();
  const before = loadavg();
  console.log(`pool rows: ${reps} interleaved repetitions on ${availableParallelism()} cores, load average ${before.map((x) => x.toFixed(2)).join(" ")}`);
  const bench = await poolBench(reps);
  const after = loadavg();
  bench.lines.push(`  load average before ${before.map((x) => x.toFixed(2)).join(" ")}, after ${after.map((x) => x.toFixed(2)).join(" ")}`);
  console.log(bench.lines.join("\n"));
  const git = (...args: string[]): string => spawnSync("git", args, { cwd: join(__dirname, ".."), encoding: "utf8" }).stdout.trim();
  const file = resultsFile(began, "-pool");
  const raw = {
    startedAt: began.toISOString(),
    commit: git("rev-parse", "HEAD"),
    node: process.version,
    availableParallelism: availableParallelism(),
    loadavgBefore: before,
    loadavgAfter: after,
    settings: { reps, N, ITEMS, PYTHON_ITEMS, TASKS, PYTHON_TASKS },
    samples: bench.samples,
    targets: bench.targets,
    table: bench.lines.join("\n"),
  };
  writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
  console.log(`raw figures: ${file}`);
}
