/**
 * The queue rows of the bench: items per second through `mp.Queue`, beside `postMessage` between
 * the same kind of workers and Python's `multiprocessing.Queue` (bench/python_queue.py), for small
 * objects and 1 kB strings, with 1 producer → 1 consumer and 4 → 4.
 *
 * Each run starts fresh `worker_threads` workers (the producers and consumers), which park on a
 * shared gate; the time runs from the gate's release until the last consumer has received its
 * items. Start-up is not timed. Every consumer adds up what it received (the items' ids, or the
 * strings' lengths) and the run fails unless the sum is exact: nothing lost, nothing twice.
 *
 * - `mp.Queue`: one queue (`new mp.Queue()`, its 1 MiB ring) shared by every producer and consumer;
 *   each producer puts `n` items, each consumer gets `n`.
 * - `postMessage`: producer i posts to consumer i over its own `MessageChannel` (a `MessagePort`
 *   transferred to each); the consumer counts in its `message` handler. With 4 → 4 these are 4
 *   independent channels, which a shared queue is not: if anything, that flatters `postMessage`.
 * - `mp.Pipe`, 1 → 1 only (a pipe has two ends): one `mp.Pipe(false)`, its 1 MiB ring; the
 *   producer sends on the writing end, the consumer receives on the reading end. The ends travel to
 *   the workers as a `Process`'s args do (`encode`, then `decode` in the worker). Beside it,
 *   Python's `multiprocessing.Pipe(duplex=False)`. No target: issue 21 sets none for pipes.
 * - `mp.Queue` in one worker, the reference: one worker puts each item and gets it back at once,
 *   making the item and adding it up as a consumer does. No other thread, no hand-off, nothing
 *   shared between cores: the most one core can move. The cores of the machine times that rate is
 *   a ceiling for any run of these items through the queue, the table's last row (a run reaches it
 *   only if every core is busy all the time with puts and gets and nothing else).
 *
 * @packageDocumentation
 */
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { MessageChannel, Worker, type TransferListItem } from "node:worker_threads";
import * as mp from "../dist";
import { encode } from "../dist/transfer";
import { line, type Per, type Results, type Target } from "./report";

/** The kinds of item: a small object, or a string of 1024 characters. */
export type ItemKind = "small" | "1kB";
/** What carries the items. */
export type Carrier = "queue" | "post" | "pipe" | "alone";

/** The cores the ceiling rows count (as run.ts reports them). */
const CORES = availableParallelism();
/** Gate slots: workers parked, the release flag, consumers done. */
const READY = 0;
const GO = 1;
const DONE = 2;
/** A run that takes longer than this is stuck: it fails. */
const RUN_LIMIT_MS = 60_000;

/** The code of every worker of a queue run (as text: it runs in a bare `worker_threads` worker). */
const WORKER = `
const { workerData: d } = require("node:worker_threads");
const gate = d.gate;
const text = "x".repeat(1024);
const make = d.item === "small" ? (i) => ({ id: i, x: 1.5, tag: "item" }) : (i) => text;
const value = d.item === "small" ? (m) => m.id : (m) => m.length;
function finish(sum) {
  d.sums[d.index] = sum;
  Atomics.add(gate, ${DONE}, 1);
  Atomics.notify(gate, ${DONE});
}
function park() {
  Atomics.add(gate, ${READY}, 1);
  Atomics.notify(gate, ${READY});
  Atomics.wait(gate, ${GO}, 0);
}
if (d.carrier === "queue" || d.carrier === "alone") {
  const mp = require(d.dist);
  const q = mp.Queue.fromBuffer(d.buffer, mp.Lock.fromBuffer(d.readLock), mp.Lock.fromBuffer(d.writeLock));
  park();
  if (d.carrier === "alone") {
    let sum = 0;
    for (let i = 0; i < d.n; i++) {
      q.put(make(i));
      sum += value(q.get());
    }
    finish(sum);
  } else if (d.producer) {
    for (let i = 0; i < d.n; i++) q.put(make(i));
  } else {
    let sum = 0;
    for (let i = 0; i < d.n; i++) sum += value(q.get());
    finish(sum);
  }
} else if (d.carrier === "pipe") {
  const [reader, writer] = require(d.dist + "/rebuild").decode(d.ends);
  park();
  if (d.producer) {
    for (let i = 0; i < d.n; i++) writer.send(make(i));
  } else {
    let sum = 0;
    for (let i = 0; i < d.n; i++) sum += value(reader.recv());
    finish(sum);
  }
} else if (d.producer) {
  park();
  for (let i = 0; i < d.n; i++) d.port.postMessage(make(i));
} else {
  let sum = 0;
  let count = 0;
  d.port.on("message", (m) => {
    sum += value(m);
    if (++count === d.n) {
      finish(sum);
      d.port.close();
    }
  });
  Atomics.add(gate, ${READY}, 1);
  Atomics.notify(gate, ${READY});
}
`;

/** `Atomics.waitAsync`, which TypeScript 5.0's lib does not declare. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeout?: number): { async: boolean; value: Promise<unknown> };
}).waitAsync;

/**
 * One timed run: `pairs` producers and `pairs` consumers, `n` items each.
 *
 * @returns seconds from the release to the last consumer's last item.
 * @throws Error if a worker fails, the run hangs, or the consumers' sum is not exact.
 */
export async function timeQueueRun(carrier: Carrier, item: ItemKind, pairs: number, n: number): Promise<number> {
  const gate = new Int32Array(new SharedArrayBuffer(16));
  // What each consumer received, added up (written before it counts itself done).
  const sums = new Float64Array(new SharedArrayBuffer(8 * pairs));
  const q = new mp.Queue();
  // A pipe's two ends, described as a Process's args are (only a pipe run uses them).
  const ends = carrier === "pipe" ? encode(mp.Pipe(false), "ends") : null;
  const workers: Worker[] = [];
  let failure: Error | null = null;
  try {
    for (let i = 0; i < pairs; i++) {
      const channel = carrier === "post" ? new MessageChannel() : null;
      // The reference run is one worker, which puts and gets (it counts as the consumer).
      for (const producer of carrier === "alone" ? [false] : [true, false]) {
        const port = channel === null ? undefined : producer ? channel.port1 : channel.port2;
        const data = { gate, sums, index: i, carrier, item, n, producer, dist: join(__dirname, "..", "dist"), buffer: q.buffer, readLock: q.readLock.buffer, writeLock: q.writeLock.buffer, port, ends };
        const w = new Worker(WORKER, { eval: true, execArgv: [], workerData: data, transferList: port === undefined ? [] : [port as unknown as TransferListItem] });
        w.on("error", (error) => (failure ??= error));
        workers.push(w);
      }
    }
    const deadline = performance.now() + RUN_LIMIT_MS;
    for (let seen = Atomics.load(gate, READY); seen < workers.length; seen = Atomics.load(gate, READY)) {
      if (failure !== null) throw failure;
      if (performance.now() > deadline) throw new Error("the workers did not start");
      const waiting = waitAsync(gate, READY, seen, 50);
      if (waiting.async) await waiting.value;
    }
    const start = performance.now();
    Atomics.store(gate, GO, 1);
    Atomics.notify(gate, GO);
    for (let seen = Atomics.load(gate, DONE); seen < pairs; seen = Atomics.load(gate, DONE)) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${carrier} ${item} ${pairs}→${pairs}: not done within ${RUN_LIMIT_MS / 1000} s`);
      Atomics.wait(gate, DONE, seen, Math.min(left, 100));
      if (failure !== null) throw failure;
    }
    const seconds = (performance.now() - start) / 1000;
    const expected = pairs * (item === "small" ? (n * (n - 1)) / 2 : n * 1024);
    const received = sums.reduce((a, b) => a + b, 0);
    if (received !== expected) throw new Error(`${carrier} ${item}: the consumers received ${received}, expected exactly ${expected}`);
    return seconds;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Thousands of items per second. */
export const kiloItemsPerSecond: Per = (seconds, items) => items / seconds / 1e3;

/**
 * Items per producer in one JavaScript run, by kind: enough that a run of the fastest row lasts
 * most of a second, so that the rate is the steady one, not the warming up. Runs of 500,000 small
 * items and 200,000 strings (a fifth of a second) measured the start: with 5× as many, 2026-12-04
 * on 2 cores, `mp.Queue` went 1,700–2,100 → 2,500 k/s (small, 1 → 1) and 1,540–1,910 → 2,290 k/s
 * (1 kB, 1 → 1), and `postMessage` 1,170 → 1,380 k/s (1 kB, 4 → 4); bench/README.md, "Run length
 * of the queue rows".
 */
const ITEMS: Readonly<Record<ItemKind, number>> = { small: 2_000_000, "1kB": 1_000_000 };
/**
 * Items per producer in one Python run (some 200,000 a second go through its queue on a quiet
 * 2-core machine): long for the same reason (with 20,000 small and 5,000 strings its rate was
 * 179 and 164 k/s 1 → 1, with 100,000 and 40,000, 224 and 229 k/s).
 */
const PYTHON_ITEMS: Readonly<Record<ItemKind, number>> = { small: 100_000, "1kB": 40_000 };
/** Producer → consumer pairs. */
const PAIRS = [1, 4] as const;
const KINDS: readonly ItemKind[] = ["small", "1kB"];
/** The rows Python's run fills (`python_queue.py`): its queue's and its pipe's, for each kind of item. */
export const PYTHON_ROWS: readonly string[] = KINDS.flatMap((item) => [`python-${item}`, `pythonpipe-${item}`]);
/** What carries the items, by pairs: a pipe only 1 → 1. */
const carriers = (pairs: number): readonly Carrier[] => (pairs === 1 ? ["queue", "post", "pipe", "alone"] : ["queue", "post"]);

/** One repetition of every JavaScript queue row, kept in `results` (a failed row is reported, not retried). */
export async function measureQueueRows(results: Results): Promise<void> {
  for (const item of KINDS) {
    for (const pairs of PAIRS) {
      for (const carrier of carriers(pairs)) {
        const n = ITEMS[item];
        const s = results.record(`${carrier}-${item}`, pairs, pairs * n);
        if (s.error !== undefined) continue;
        try {
          s.seconds.push(await timeQueueRun(carrier, item, pairs, n));
        } catch (error) {
          s.error = (error as Error).message.split("\n")[0];
        }
      }
    }
  }
}

/**
 * One Python run of every Python queue row, kept in `results`. Returns Python's version, or throws
 * why it cannot run.
 */
export function measurePythonQueue(results: Results): string {
  const args = [join(__dirname, "python_queue.py"), `${PYTHON_ITEMS.small}`, `${PYTHON_ITEMS["1kB"]}`, PAIRS.join(",")];
  const out = spawnSync("python3", args, { encoding: "utf8", timeout: 300_000 });
  if (out.error !== undefined) throw new Error(`skipped: python3 not runnable (${out.error.message})`);
  if (out.status !== 0) throw new Error(`failed: ${out.stderr.trim().split("\n").pop() ?? `exit ${out.status}`}`);
  const result = JSON.parse(out.stdout) as { python: string; runs: { carrier: "queue" | "pipe"; item: ItemKind; pairs: number; n: number; seconds: number }[] };
  for (const r of result.runs) results.record(`${r.carrier === "pipe" ? "pythonpipe" : "python"}-${r.item}`, r.pairs, r.pairs * r.n).seconds.push(r.seconds);
  return result.python;
}

/** The queue rows of the table: thousands of items per second, median (min–max). */
export function queueTable(results: Results): string[] {
  const out = ["", "(f) Items through a queue, producers → consumers: thousands per second, median (min–max)"];
  out.push(line("", ...PAIRS.map((p) => `${p} → ${p}`)));
  for (const item of KINDS) {
    const items = item === "small" ? "small objects" : "1 kB strings";
    const short = item === "small" ? "small" : "1 kB";
    for (const [id, name] of [
      ["queue", `mp.Queue, ${items}`],
      ["post", `postMessage, ${items}`],
      ["python", `Python multiprocessing.Queue, ${short}`],
      ["pipe", `mp.Pipe(false), ${items}`],
      ["pythonpipe", `Python multiprocessing.Pipe, ${short}`],
    ] as const) {
      out.push(line(name, ...PAIRS.map((p) => results.cell(`${id}-${item}`, p, kiloItemsPerSecond, " k/s"))));
    }
    out.push(line(`mp.Queue in one worker, ${short}: put, then get`, results.cell(`alone-${item}`, 1, kiloItemsPerSecond, " k/s")));
    const ceiling = results.cell(`alone-${item}`, 1, (seconds, items) => CORES * kiloItemsPerSecond(seconds, items), " k/s");
    out.push(line(`  ceiling: ${CORES} cores × one worker's rate`, ...PAIRS.map(() => ceiling)));
  }
  return out;
}

/** The queue targets: ≥ 2× postMessage for small items, ≥ 10× Python. */
export function queueTargets(results: Results): Target[] {
  return PAIRS.flatMap((p) => {
    const queue = (item: ItemKind): [string, number, Per] => [`queue-${item}`, p, kiloItemsPerSecond];
    return [
      results.ratioTarget(`${p} → ${p}, small objects: mp.Queue ≥ 2× postMessage`, queue("small"), ["post-small", p, kiloItemsPerSecond], 2, false),
      ...KINDS.map((item) =>
        results.ratioTarget(`${p} → ${p}, ${item === "small" ? "small objects" : "1 kB strings"}: mp.Queue ≥ 10× Python`, queue(item), [`python-${item}`, p, kiloItemsPerSecond], 10, false),
      ),
    ];
  });
}
