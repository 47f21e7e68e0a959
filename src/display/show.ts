/**
 * Shows a {@link Picture} in the program's output through the host (src/host.ts): in a notebook
 * cell, ONE `display_data` message holding the SVG, the PNG and the text.
 * Where the host has no output for pictures (a plain Node program) it refuses, saying what to do.
 */
import { MpError } from "../errors";
import { host, type DisplayPlace } from "../host";
import type { Picture } from "./picture";

/**
 * Shows `picture` through the host at `place`, or raises the host's reason why it cannot.
 *
 * @param caller - the learner's call, such as `"show()"`, for the message.
 * @param withPng - send the PNG too (default), or only the SVG and the text (a live frame that the
 *   next one replaces: the PNG takes far longer to render).
 * @throws MpError where the host cannot show pictures.
 */
export function showAt(picture: Picture, place: DisplayPlace, caller: string, withPng = true): void {
  const bundle = withPng ? picture.displayData() : { data: { "image/svg+xml": picture.svg, "text/plain": picture.text }, metadata: {} };
  const outcome = host().display(bundle, place);
  if (!outcome.shown) throw new MpError(`${caller}: ${outcome.why}`);
}

/**
 * Shows `picture` in the output of the running notebook cell, as SVG (sharp, shown where the
 * notebook is trusted), PNG at twice the size in pixels (shown everywhere, GitHub too) and a line of
 * text (for a screen reader or a terminal), all in one output.
 *
 * @param picture - a picture from `barChart`, `timelineChart`, `spanChart` or `sideBySide`.
 * @throws MpError where the host cannot show pictures, such as a plain Node program (use
 *   `picture.svg`, `picture.png()` or `String(picture)` there); TypeError for something that is not
 *   a picture.
 */
export function show(picture: Picture): void {
  if (typeof picture?.displayData !== "function") {
    throw new TypeError("show(): pass a picture made by barChart(), timelineChart(), spanChart() or sideBySide().");
  }
  showAt(picture, {}, "show()");
}
