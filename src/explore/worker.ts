/**
 * The code of a worker under the explorer: it compiles its target once, swaps in the scheduled
 * shared-memory operations, and then runs the target once per schedule, each time the scheduler
 * says START, until it says STOP (see schedule-protocol.ts). Reusing the worker saves its start
 * (some 30 ms) on every schedule.
 *
 * @packageDocumentation
 */
import { parentPort, workerData } from "node:worker_threads";
import { nativeOps, useSharedMemoryOps } from "../atomics";
import { useFixedSpin } from "../spin";
import { scenarioBuffers } from "./scenario-memory";
import { Killed, scheduledOps } from "./scheduled-ops";
import { RawMemory } from "./raw-memory";
import { makeDeterministic } from "./deterministic";
import { Outcome, RESULT, STATUS, Status, slotBase, type EndReport, type ExploreWorkerStart, type WentOnReport } from "./schedule-protocol";
import { functionFromSource } from "../source-function";
import { giveTargetGlobals } from "../target-globals";

/** How many looks a lock's waiter takes before it sleeps, under the scheduler (the adaptive policy's first budget). */
const EXPLORED_SPIN_LOOKS = 64;
import { decode } from "../rebuild";

/** What the target returned, if a message can carry it (else its text). */
function copyable(value: unknown): unknown {
  try {
    structuredClone(value);
    return value;
  } catch {
    return String(value);
  }
}

async function main(start: ExploreWorkerStart): Promise<void> {
  // The same globals as a Process's worker (worker-main.ts): mp, require(), and the host's.
  giveTargetGlobals(start.host);
  const target = functionFromSource(start.source, start.name);
  const ids = new Map(scenarioBuffers(start.args).map((b, i) => [b.buffer, i]));
  const wentOn: WentOnReport = { wentOn: true };
  const scheduled = scheduledOps(start.control, start.slot, ids, () => parentPort?.postMessage(wentOn));
  useSharedMemoryOps(scheduled.ops);
  // The thread's Atomics: scheduled on the scenario's memory.
  const raw = new RawMemory(scheduled, ids);
  raw.install();
  // Math.random() and the clocks: the same on every run (see deterministic.ts).
  const restartRandom = makeDeterministic(() => scheduled.ops.now(), start.slot);
  // The same spin before every sleep, on any machine, so that a schedule replays alike everywhere.
  useFixedSpin(EXPLORED_SPIN_LOOKS);
  const cells = new Int32Array(start.control);
  const status = slotBase(start.slot) + STATUS;
  for (let run = 1; ; run++) {
    for (let seen = nativeOps.load(cells, status); seen !== Status.START; seen = nativeOps.load(cells, status)) {
      if (seen === Status.STOP) return;
      nativeOps.wait(cells, status, seen);
    }
    scheduled.reset();
    restartRandom();
    let report: EndReport;
    let outcome: Outcome;
    try {
      const args = raw.withViews(decode(start.args)) as unknown[];
      const value = await target(...args);
      report = { run, value: copyable(raw.returned(value)) };
      outcome = scheduled.killed() ? Outcome.KILLED : Outcome.RETURNED;
    } catch (error) {
      const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
      report = { run, error: { name, message } };
      outcome = scheduled.killed() || error instanceof Killed ? Outcome.KILLED : Outcome.THREW;
    }
    parentPort?.postMessage(report);
    cells[slotBase(start.slot) + RESULT] = outcome;
    nativeOps.store(cells, status, Status.ENDED);
    nativeOps.notify(cells, status);
  }
}

void main(workerData as ExploreWorkerStart).then(() => process.exit(0));
