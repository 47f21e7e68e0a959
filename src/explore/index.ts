/**
 * The explorer: run real worker code under a deterministic scheduler, every schedule of it
 * (`explore`), or one chosen schedule (`replay`). The library re-exports this entry.
 *
 * Files: `explore.ts` (the API), `search.ts` (which schedules to run), `run.ts` (one schedule, on
 * the scheduler's side), `workers.ts` and `worker.ts` (the threads' workers), `scheduled-ops.ts`
 * (the shared-memory operations inside a worker), `schedule-protocol.ts` (how the two sides talk),
 * `scenario-memory.ts` (the scenario's memory, its snapshot and cell names), `raw-memory.ts` (raw
 * typed arrays and `Atomics` inside a thread), `report.ts` (traces), `properties.ts` (properties of
 * a whole trace: lost updates, order of entry, linearizability).
 *
 * @packageDocumentation
 */
export * from "./explore";
export { formatTrace } from "./report";
export * from "./properties";
export type { Standing, TraceStep } from "./run";
