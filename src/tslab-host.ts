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
/** What the library's `endAll` returns (`EndingWorkers` of `src/host.ts`, which imports this file). */
type EndingWorkers = { readonly names: string[]; readonly ended: Promise<void> };
let endAllWorkers: () => EndingWorkers = () => ({ names: [], ended: Promise.resolve() });

/**
 * The interrupt listener. Where nobody else listens for SIGINT (the program is not the kernel after
 * all), it steps aside and lets Node's default end the program.
 *
 * It writes its lines at once, in the listener: tslab's own listener has only rejected the cell's
 * promise, and prints "Error: Interrupted asynchronously" with the kernel's stack a moment later.
 * So what the learner needs comes first: which workers end, and that the cell's variables are gone
 * (tslab keeps no declaration of a cell that failed or was interrupted).
 */
function onInterrupt(): void {
  if (process.listenerCount("SIGINT") === 1) {
    process.off("SIGINT", onInterrupt);
    listening = false;
    process.kill(process.pid, "SIGINT");
    return;
  }
  const { names, ended } = endAllWorkers();
  const n = names.length;
  if (n > 0) {
    process.stderr.write(
      `Interrupted: ending ${n} running process${n === 1 ? "" : "es"} (${names.join(", ")}); any lock ${n === 1 ? "it" : "they"} held is marked abandoned.\n` +
        `What this cell declared (its const, let and function names) is gone: run the cells that declare them again.\n`,
    );
  }
  ended.catch((error: unknown) => {
    process.stderr.write(`Interrupted, but ending the workers failed: ${String(error)}\n`);
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
  workersRunning(running: boolean, endAll: () => EndingWorkers): void {
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
