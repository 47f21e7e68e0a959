/**
 * Shows a {@link Picture} in a notebook cell run by the tslab kernel, as ONE `display_data` message
 * holding the SVG, the PNG and the text. tslab's public `display` sends one type per message, so a
 * front end that cannot show that type (an untrusted notebook's SVG) would show nothing; the kernel's
 * own writer, which tslab's `display.raw` calls, takes a whole bundle.
 */
import { sep } from "node:path";
import { MpError } from "./errors";
import type { Picture } from "./picture";

/** tslab's writer of the running cell's `display_data` messages (`jupyter.lastWriteDisplayData`). */
type WriteDisplayData = (content: { data: object; metadata: object; transient: object }, update: boolean) => void;

/** The module of the tslab that runs this kernel, whichever copy of tslab that is. */
const KERNEL_MODULE = `${sep}tslab${sep}dist${sep}jupyter.js`;

/** The running kernel's writer, once a cell has run; none outside a tslab kernel. */
function kernelWriter(): WriteDisplayData | undefined {
  for (const [file, loaded] of Object.entries(require.cache)) {
    const write: unknown = file.endsWith(KERNEL_MODULE) ? loaded?.exports?.lastWriteDisplayData : undefined;
    if (typeof write === "function") return write as WriteDisplayData;
  }
  return undefined;
}

/**
 * Shows `picture` in the output of the running notebook cell, as SVG (sharp, shown where the
 * notebook is trusted), PNG at twice the size in pixels (shown everywhere, GitHub too) and a line of
 * text (for a screen reader or a terminal), all in one output.
 *
 * @param picture - a picture from `barChart`, `timelineChart`, `spanChart` or `sideBySide`.
 * @throws Error outside a notebook cell run by the tslab kernel (use `picture.svg`, `picture.png()`
 *   or `String(picture)` there); TypeError for something that is not a picture.
 */
export function show(picture: Picture): void {
  if (typeof picture?.displayData !== "function") {
    throw new TypeError("show(): pass a picture made by barChart(), timelineChart(), spanChart() or sideBySide().");
  }
  const write = kernelWriter();
  if (write === undefined) {
    throw new MpError("show() works only in a notebook cell run by the tslab kernel. Elsewhere, write picture.svg or picture.png() to a file, or print String(picture).");
  }
  write({ ...picture.displayData(), transient: {} }, false);
}
