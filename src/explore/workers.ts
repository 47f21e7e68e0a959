/**
 * The explorer's workers, one per thread of a scenario, started once and reused for every
 * schedule; and the scheduler's side of waiting for them (see schedule-protocol.ts).
 *
 * @packageDocumentation
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { RESULT, STATUS, Status, slotBase, type EndReport, type ExploreWorkerStart, type Outcome, type WentOnReport } from "./schedule-protocol";
import { host } from "../host";
import { startWorker } from "../worker-start";

const EXPLORE_WORKER = join(__dirname, "worker.js");

/**
 * How many times the scheduler looks at a STATUS cell before it awaits `Atomics.waitAsync`: some
 * 20–40 µs, about what a worker needs to wake from its futex, do one step and ask for the next.
 * An `Atomics.waitAsync` costs the scheduler a trip through the event loop (~33 µs on 2 cores), so
 * spinning through a worker's answer made every step 2.5× faster on 2 cores (`exploreSpeed()` in
 * bench/explore.ts; 1,000 looks caught almost no answer). With one core the worker cannot answer
 * while the scheduler spins, so there it does not spin.
 */
const SPINS = availableParallelism() > 1 ? 20_000 : 0;
/** How often (ms) a wait for a worker checks that the worker is still alive. */
const ALIVE_CHECK_MS = 250;
/** How long (ms) a thread may run between two shared-memory steps before the exploration gives up. */
const STEP_TIMEOUT_MS = 20_000;

// Atomics.waitAsync is in Node 20 but not in TypeScript 5.0's lib.
type WaitAsync = (cells: Int32Array, index: number, value: number, ms: number) => { async: boolean; value: unknown };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** The workers of one exploration. */
export class ExploreWorkers {
  /** The control buffer's cells (see schedule-protocol.ts). */
  readonly cells: Int32Array;
  private readonly workers: Worker[];
  /** Each worker's `threadId`: the name its locks carry. */
  readonly threadIds: number[];
  private readonly reports: EndReport[][];
  private readonly waiting: Array<(() => void) | null>;
  /** Threads that went on after their run was ended (see {@link stuck}). */
  private readonly wentOn: boolean[];
  private failure: Error | null = null;

  /**
   * Starts one worker per thread.
   *
   * @param sources - each thread's target, as checked source text.
   * @param args - the encoded arguments, the same for all.
   * @param control - the control buffer.
   */
  constructor(sources: readonly string[], args: unknown[], control: SharedArrayBuffer) {
    this.cells = new Int32Array(control);
    this.reports = sources.map(() => []);
    this.waiting = sources.map(() => null);
    this.wentOn = sources.map(() => false);
    this.workers = sources.map((source, slot) => {
      const data: ExploreWorkerStart = { name: `thread ${String.fromCharCode(65 + slot)}`, source, args, control, slot, host: host().name };
      const worker = startWorker(EXPLORE_WORKER, data);
      worker.stdout.on("data", (chunk: Buffer) => process.stdout.write(chunk));
      worker.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk));
      worker.on("message", (report: EndReport | WentOnReport) => {
        if ("wentOn" in report) this.wentOn[slot] = true;
        else this.reports[slot].push(report);
        this.waiting[slot]?.();
      });
      worker.on("error", (error: Error) => {
        this.failure ??= new Error(`explore(): thread ${String.fromCharCode(65 + slot)}'s worker failed: ${error.message}`);
      });
      worker.on("exit", () => {
        this.failure ??= new Error(`explore(): thread ${String.fromCharCode(65 + slot)}'s worker ended unexpectedly.`);
        this.waiting[slot]?.();
      });
      return worker;
    });
    this.threadIds = this.workers.map((w) => w.threadId);
  }

  /** The STATUS of thread `slot`. */
  status(slot: number): Status {
    return Atomics.load(this.cells, slotBase(slot) + STATUS);
  }

  /** Tells thread `slot` to go on (START or GO), after its REPLY was written. */
  signal(slot: number, status: Status.START | Status.GO): void {
    Atomics.store(this.cells, slotBase(slot) + STATUS, status);
    Atomics.notify(this.cells, slotBase(slot) + STATUS);
  }

  /**
   * Whether thread `slot` went on after its run was ended: killed, it caught the explorer's
   * `Killed` at operation after operation (a catch that takes every error, in a loop). Its target
   * never returns, so its worker cannot run another schedule.
   */
  stuck(slot: number): boolean {
    return this.wentOn[slot];
  }

  /** Waits until thread `slot` has asked for its next step or ended. */
  async settle(slot: number): Promise<void> {
    const index = slotBase(slot) + STATUS;
    for (let i = 0; i < SPINS; i++) {
      const seen = Atomics.load(this.cells, index);
      if (seen !== Status.START && seen !== Status.GO) return;
    }
    const began = performance.now();
    for (;;) {
      const seen = Atomics.load(this.cells, index);
      if (seen !== Status.START && seen !== Status.GO) return;
      if (this.failure !== null) throw this.failure;
      if (this.wentOn[slot]) throw this.wentOnError(slot);
      if (performance.now() - began > STEP_TIMEOUT_MS) {
        throw new Error(
          `explore(): thread ${String.fromCharCode(65 + slot)} ran for ${STEP_TIMEOUT_MS / 1000} s without a shared-memory step ` +
            `(an endless loop that touches no shared object, or a sleep?), so the exploration stopped. Only shared objects' ` +
            `operations are steps: a thread must reach its next one, or end.`,
        );
      }
      const wait = waitAsync(this.cells, index, seen, ALIVE_CHECK_MS);
      if (wait.async) await wait.value;
    }
  }

  /** What is wrong with a thread that went on after its run was ended, and what to do. */
  private wentOnError(slot: number): Error {
    const name = String.fromCharCode(65 + slot);
    return new Error(
      `explore(): thread ${name} went on after the explorer ended its run: it caught the explorer's signal to stop at every ` +
        `shared-memory operation, as a catch that takes every error (catch {}, or catch (e) {} that does not rethrow) does in a loop. ` +
        `The explorer cannot end such a thread, so it cannot run another schedule. Catch only the errors you expect, and rethrow ` +
        `the others: catch (e) { if (!(e instanceof mp.Empty)) throw e; }.`,
    );
  }

  /** How thread `slot`'s target ended (once its STATUS is ENDED). */
  outcome(slot: number): Outcome {
    return this.cells[slotBase(slot) + RESULT];
  }

  /** The report of run `run` of thread `slot`, once its message has arrived (none, for a {@link stuck} thread). */
  async report(slot: number, run: number): Promise<EndReport> {
    for (;;) {
      const found = this.reports[slot].find((r) => r.run === run);
      if (found !== undefined) {
        this.reports[slot] = this.reports[slot].filter((r) => r.run > run);
        return found;
      }
      if (this.wentOn[slot]) return { run };
      if (this.failure !== null) throw this.failure;
      await new Promise<void>((resolve) => (this.waiting[slot] = resolve));
      this.waiting[slot] = null;
    }
  }

  /** Ends every worker. */
  async stop(): Promise<void> {
    this.failure ??= new Error("explore(): the workers were stopped.");
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
