/**
 * The tslab kernel inside Jupyter, as a host (see `src/host.ts`): what the library does only
 * because cells run there.
 *
 * - A name declared in an earlier cell is compiled as `exports.name`; a worker gets `exports.mp`
 *   so that a target from a later cell than the import finds the library.
 * - Jupyter's "Interrupt the kernel" is a SIGINT: it ends every running worker, so an interrupted
 *   cell leaves none behind still holding locks.
 * - Messages speak of the notebook and its kernel.
 * - A picture is shown through the kernel's own writer of `display_data` messages (tslab's public
 *   `display` sends one type per message, so a front end that cannot show that type, an untrusted
 *   notebook's SVG, would show nothing; the writer takes a whole bundle). An output with a
 *   `display_id` is replaced in place by an `update_display_data` with the same id, even after its
 *   cell finished: JupyterLab routes updates by id.
 *
 * @packageDocumentation
 */
import { sep } from "node:path";

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

/** tslab's writer of the running cell's `display_data` messages (`jupyter.lastWriteDisplayData`). */
type WriteDisplayData = (content: { data: object; metadata: object; transient: object }, update: boolean) => void;

/** The module of the tslab that runs this kernel, whichever copy of tslab that is. */
const KERNEL_MODULE = `${sep}tslab${sep}dist${sep}jupyter.js`;

/** The running kernel's writer, once a cell has run; none outside a tslab kernel or before. */
function kernelWriter(): WriteDisplayData | undefined {
  for (const [file, loaded] of Object.entries(require.cache)) {
    const write: unknown = file.endsWith(KERNEL_MODULE) ? loaded?.exports?.lastWriteDisplayData : undefined;
    if (typeof write === "function") return write as WriteDisplayData;
  }
  return undefined;
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
  /**
   * Sends `bundle` as one `display_data` (with `transient.display_id` when `place.id` is given), or
   * as an `update_display_data` of that id.
   */
  display(bundle: { data: object; metadata: object }, place: { id?: string; update?: boolean }): { shown: true } | { shown: false; why: string } {
    const write = kernelWriter();
    if (write === undefined) {
      return { shown: false, why: "the tslab kernel has no output to show it in yet: run it from a notebook cell (in a tslab kernel, once a cell has run)." };
    }
    write({ data: bundle.data, metadata: bundle.metadata, transient: place.id === undefined ? {} : { display_id: place.id } }, place.update === true);
    return { shown: true };
  },
};
