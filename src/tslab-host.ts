/**
 * The tslab kernel inside Jupyter, as a host (see `src/host.ts`): what the library does only
 * because cells run there.
 *
 * - A name declared in an earlier cell is compiled as `exports.name`; a worker gets `exports.mp`
 *   so that a target from a later cell than the import finds the library.
 * - Jupyter's "Interrupt the kernel" is a SIGINT: it ends every running worker, so an interrupted
 *   cell leaves none behind still holding locks.
 * - Messages speak of the notebook and its kernel.
 *
 * @packageDocumentation
 */
/** After `exports`: `.name`, the name of an earlier cell's declaration. */
const CELL_EXPORT = /^\s*\.\s*([A-Za-z_$][\w$]*)/;

let listening = false;
let endAllWorkers: () => Promise<string[]> = async () => [];

/**
 * The interrupt listener. Where nobody else listens for SIGINT (the program is not the kernel after
 * all), it steps aside and lets Node's default end the program.
 */
function onInterrupt(): void {
  if (process.listenerCount("SIGINT") === 1) {
    process.off("SIGINT", onInterrupt);
    listening = false;
    process.kill(process.pid, "SIGINT");
    return;
  }
  void endAllWorkers().then((names) => {
    const n = names.length;
    if (n > 0) process.stderr.write(`Interrupted: ended ${n} running process${n === 1 ? "" : "es"} (${names.join(", ")}).\n`);
  });
}

/** The tslab kernel in Jupyter (a `Host` of `src/host.ts`, which checks its shape). */
export const tslabHost = {
  name: "tslab" as const,
  mainThread: "the main thread, which runs the notebook's kernel",
  surroundings: "the notebook's variables, functions or imports",
  freeName: (name: string, after: string): string => (name === "exports" ? (CELL_EXPORT.exec(after)?.[1] ?? name) : name),
  /**
   * Adds the interrupt listener while workers run. The caller runs this from the event loop, never
   * during a cell's synchronous code: that runs with Node's own SIGINT watchdog in place, and a
   * listener added then leaves the kernel with the default action afterwards, so the next
   * interrupt would kill the kernel instead of stopping the cell.
   */
  workersRunning(running: boolean, endAll: () => Promise<string[]>): void {
    endAllWorkers = endAll;
    if (running && !listening) process.on("SIGINT", onInterrupt);
    if (!running && listening) process.off("SIGINT", onInterrupt);
    listening = running;
  },
  workerGlobals: (mp: unknown): Record<string, unknown> => ({ exports: { mp } }),
};
