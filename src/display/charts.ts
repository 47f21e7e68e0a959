/**
 * Static pictures made from measured data: SVG charts with no scripts, no ids and no external
 * styles, on a white background for dark themes, each with a title, a description and a one-line
 * text summary of its data. Nothing here knows about notebooks: each function takes plain data and
 * returns a {@link Picture}, which holds the SVG and renders it to PNG.
 *
 * - {@link barChart}: grouped bars, such as time per method for 1, 2 and 4 workers.
 * - {@link timelineChart}: one lane per worker, events in the order of a logical clock, with
 *   arrows between them and highlighted events, such as the steps of a lost update.
 * - {@link spanChart}: one lane per worker, intervals on a time axis, such as who held a printer when.
 * - {@link lineChart}: values over time, one line per series, with marked points, such as a
 *   balance while two workers change it and each update found lost.
 * - {@link sideBySide}: several of these pictures in one.
 */
import { Picture } from "./picture";
import { FONT_FAMILY } from "./raster";

/** Colours for series and lanes (Paul Tol's colour-blind-safe "muted" scheme). */
const PALETTE = ["#332288", "#44AA99", "#DDAA33", "#88CCEE", "#AA4499", "#117733", "#999933", "#882255"];
const ALERT = "#CC3311";
const MUTED = "#9A9A9A";
const INK = "#222222";
const GRID = "#DDDDDD";
/** The font shipped for the PNG first; a browser without it falls back to a look-alike. */
const FONT = `font-family="${FONT_FAMILY}, Helvetica, Arial, sans-serif"`;

/** Characters XML 1.0 forbids even as references: most controls, lone surrogates, U+FFFE/U+FFFF. */
// eslint-disable-next-line no-control-regex -- matching those control characters is the point
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Escapes text for use inside SVG/XML: `&`, `<`, `>` and quotes become character references, and
 * the few characters XML cannot hold at all (such as `\u0000`) become `\uFFFD` (�).
 */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML, "\uFFFD").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Writes a number short enough for a label: at most 3 significant digits, with k or M for
 * thousands and millions (`1234567` → `"1.23M"`, `48213` → `"48.2k"`, `0.0123` → `"0.0123"`).
 *
 * @param value - any finite number.
 */
export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trim((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${trim((value / 1e3).toPrecision(3))}k`;
  if (Number.isInteger(value)) return String(value);
  return trim(value.toPrecision(3));
}

function trim(digits: string): string {
  return digits.includes(".") && !digits.includes("e") ? digits.replace(/\.?0+$/, "") : digits;
}

/** A coordinate with one decimal at most, so that the SVG stays small and stable. */
function n(x: number): string {
  return String(Math.round(x * 10) / 10);
}

/** Roughly how wide `text` is in a sans-serif font of `size` px (no layout engine here). */
function textWidth(text: string, size: number): number {
  return text.length * size * 0.6;
}

function text(x: number, y: number, content: string, attrs = ""): string {
  return `<text x="${n(x)}" y="${n(y)}"${attrs ? ` ${attrs}` : ""}>${escapeXml(content)}</text>`;
}

/**
 * The picture: an outer `<svg>` of whole pixels (so that its PNG at 2x has exactly twice its size)
 * with a white background, the title drawn and in `<title>`, and `summary` in `<desc>` and as text.
 */
function frame(width: number, height: number, title: string, summary: string, body: string[]): Picture {
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ${FONT} font-size="12" fill="${INK}">`,
    `<title>${escapeXml(title)}</title>`,
    `<desc>${escapeXml(summary)}</desc>`,
    `<rect width="100%" height="100%" fill="#FFFFFF"/>`,
    text(width / 2, 20, title, `text-anchor="middle" font-size="14" font-weight="bold"`),
    ...body,
    `</svg>`,
  ].join("\n");
  return new Picture({ svg, title, text: summary, width: w, height: h });
}

/** One line of text: `parts` joined, every run of white space (newlines too) made one space. */
function oneLine(...parts: string[]): string {
  return parts.filter((p) => p !== "").join(" ").replace(/\s+/g, " ").trim();
}

/** The notes of a chart for its summary, or nothing. */
function notesLine(notes: readonly string[]): string {
  return notes.length > 0 ? `Notes: ${notes.join(" ")}` : "";
}

/** Lines of explanation, one every 17 px below `top`. */
function notesAt(notes: readonly string[], top: number): string[] {
  return notes.map((line, i) => text(16, top + 14 + i * 17, line));
}

/** How much height {@link notesAt} takes. */
function notesHeight(notes: readonly string[]): number {
  return notes.length > 0 ? notes.length * 17 + 10 : 0;
}

function checkLabels(labels: readonly string[], what: string): void {
  if (!Array.isArray(labels) || labels.length === 0 || labels.some((l) => typeof l !== "string")) {
    throw new TypeError(`${what} must be a non-empty array of strings.`);
  }
}

/** A step of 1, 2 or 5 times a power of ten, so that about `ticks` steps cover `max`. */
function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].find((m) => m * power >= raw) as number;
  return step * power;
}

/** One row of swatches and names, centred on the chart. */
function legend(entries: readonly { name: string; swatch: (x: number, y: number) => string }[], width: number, y: number): string[] {
  const widths = entries.map((e) => 18 + textWidth(e.name, 12) + 16);
  let x = (width - widths.reduce((a, b) => a + b, 0)) / 2;
  return entries.map((e, i) => {
    const out = `${e.swatch(x, y)}${text(x + 18, y + 4, e.name)}`;
    x += widths[i];
    return out;
  });
}

/** What every chart has: a title above it and, if given, lines of explanation under it. */
export interface ChartText {
  /** The title above the chart. */
  readonly title: string;
  /** Lines of explanation under the chart, such as how the numbers were measured. */
  readonly notes?: readonly string[];
}

/** One series of a {@link barChart}: a name for the legend and one value per group. */
export interface BarSeries {
  /** The name shown in the legend, such as `"Atomics.add"`. */
  readonly name: string;
  /** One value (0 or more) per group, in the order of the groups; `null` for no bar. */
  readonly values: readonly (number | null)[];
}

/** What {@link barChart} draws. */
export interface BarChartOptions extends ChartText {
  /** The groups along the x axis, such as `["1 worker", "2 workers", "4 workers"]`. */
  readonly groups: readonly string[];
  /** The bars in each group, one series per colour. */
  readonly series: readonly BarSeries[];
  /** The label of the y axis, with its unit, such as `"time (ms)"`. */
  readonly yLabel: string;
  /** The label under the x axis, if any. */
  readonly xLabel?: string;
  /** Width in px (default 560). */
  readonly width?: number;
  /** Height in px of the chart itself, without notes (default 320). */
  readonly height?: number;
  /** How a value is written on its bar (default {@link formatNumber}). */
  readonly format?: (value: number) => string;
}

/**
 * A grouped bar chart: for each group (such as a worker count) one bar per series (such as a
 * method), each with its value written above it, a y axis with grid lines, and a legend.
 *
 * @param options - the data and labels; see {@link BarChartOptions}.
 * @returns the picture: its SVG, its PNG and a one-line summary of the data.
 * @throws TypeError or RangeError if a series has the wrong number of values or a value is
 *   negative or not finite.
 */
export function barChart(options: BarChartOptions): Picture {
  const { title, groups, series, yLabel, xLabel, width = 560, height: chartHeight = 320, format = formatNumber, notes = [] } = options;
  checkLabels(groups, "barChart(): groups");
  checkLabels(series.map((s) => s.name), "barChart(): the series' names");
  for (const s of series) {
    if (s.values.length !== groups.length) {
      throw new TypeError(`barChart(): series "${s.name}" has ${s.values.length} values, but there are ${groups.length} groups.`);
    }
    for (const v of s.values) {
      if (v !== null && !(Number.isFinite(v) && v >= 0)) {
        throw new RangeError(`barChart(): series "${s.name}" has the value ${v}; bars need finite values of 0 or more.`);
      }
    }
  }
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = Math.max(0, ...values);
  const step = max > 0 ? niceStep(max * 1.1, 5) : 1;
  const top = Math.max(step, Math.ceil((max * 1.1) / step) * step);
  const plot = { left: 70, right: width - 16, top: 58, bottom: chartHeight - (xLabel ? 46 : 30) };
  const y = (v: number) => plot.bottom - ((plot.bottom - plot.top) * v) / top;
  const body: string[] = legend(
    series.map((s, i) => ({ name: s.name, swatch: (x: number, yy: number) => `<rect x="${n(x)}" y="${n(yy - 6)}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/>` })),
    width,
    38,
  );
  for (let t = 0; t <= top + step / 2; t += step) {
    body.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${n(y(t))}" y2="${n(y(t))}" stroke="${GRID}"/>`);
    body.push(text(plot.left - 6, y(t) + 4, formatNumber(t), `text-anchor="end" font-size="11"`));
  }
  const band = (plot.right - plot.left) / groups.length;
  const barWidth = (band * 0.8) / series.length;
  const labels = series.flatMap((s) => s.values.map((v) => (v === null ? "" : format(v))));
  const longest = Math.max(1, ...labels.map((l) => l.length));
  const valueSize = Math.max(8, Math.min(11, barWidth / (0.6 * longest)));
  groups.forEach((group, g) => {
    series.forEach((s, i) => {
      const v = s.values[g];
      if (v === null) return;
      const x = plot.left + g * band + band * 0.1 + i * barWidth;
      body.push(`<rect x="${n(x + 1)}" y="${n(y(v))}" width="${n(barWidth - 2)}" height="${n(plot.bottom - y(v))}" fill="${PALETTE[i % PALETTE.length]}"><title>${escapeXml(`${s.name}, ${group}: ${format(v)}`)}</title></rect>`);
      body.push(text(x + barWidth / 2, y(v) - 4, format(v), `text-anchor="middle" font-size="${n(valueSize)}"`));
    });
    body.push(text(plot.left + (g + 0.5) * band, plot.bottom + 18, group, `text-anchor="middle"`));
  });
  body.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}" stroke="${INK}"/>`);
  const middle = (plot.top + plot.bottom) / 2;
  body.push(text(18, middle, yLabel, `text-anchor="middle" transform="rotate(-90 18 ${n(middle)})"`));
  if (xLabel) body.push(text((plot.left + plot.right) / 2, chartHeight - 12, xLabel, `text-anchor="middle"`));
  body.push(...notesAt(notes, chartHeight));
  const data = groups.map((group, g) => {
    const bars = series.flatMap((s) => (s.values[g] === null ? [] : [`${s.name} ${format(s.values[g] as number)}`]));
    return `${group}: ${bars.length > 0 ? bars.join(", ") : "no bars"}`;
  });
  const summary = oneLine(`${title}: a bar chart of ${yLabel}${xLabel ? ` by ${xLabel}` : ""}.`, `${data.join("; ")}.`, notesLine(notes));
  return frame(width, chartHeight + notesHeight(notes), title, summary, body);
}

/** How an event or arrow of a {@link timelineChart} is drawn. */
export type Tone = "normal" | "alert" | "lost";

/** One event of a {@link timelineChart}: a mark on a lane at a tick of the logical clock. */
export interface TimelineEvent {
  /** The lane's index in `lanes`. */
  readonly lane: number;
  /** When it happened, as a whole number of a logical clock (such as a sequence number). */
  readonly at: number;
  /** The text next to the mark, such as `"read 41"`. */
  readonly label: string;
  /** `"circle"` (default) or `"square"`. */
  readonly shape?: "circle" | "square";
  /** `"alert"` draws it in red; `"lost"` greys it out and crosses it. Default `"normal"`. */
  readonly tone?: Tone;
}

/** An arrow of a {@link timelineChart} from one event to another (indices into `events`). */
export interface TimelineLink {
  /** The index of the event the arrow starts at. */
  readonly from: number;
  /** The index of the event the arrow points to. */
  readonly to: number;
  /** A few words written along the arrow. */
  readonly label?: string;
  /** `"alert"` draws it in red and dashed. Default `"normal"`. */
  readonly tone?: Tone;
}

/** One entry of a chart's legend. */
export interface LegendEntry {
  /** What the entry explains, such as `"write"`. */
  readonly label: string;
  /** The mark's shape (default circle). */
  readonly shape?: "circle" | "square";
  /** The mark's tone (default normal). */
  readonly tone?: Tone;
}

/** What {@link timelineChart} draws. */
export interface TimelineOptions extends ChartText {
  /** One name per lane, top to bottom, such as `["worker 1", "worker 2"]`. */
  readonly lanes: readonly string[];
  /** The events; events with the same `at` share a column. */
  readonly events: readonly TimelineEvent[];
  /** Arrows between events. */
  readonly links?: readonly TimelineLink[];
  /** The label of the axis (default `"logical clock"`). */
  readonly axisLabel?: string;
  /** A legend for the marks. */
  readonly legend?: readonly LegendEntry[];
  /** The label of a break, where ticks of the clock are left out (default `"… 12 more …"`). */
  readonly gapLabel?: (hidden: number) => string;
}

function mark(x: number, y: number, shape: "circle" | "square", colour: string, tone: Tone): string {
  const fill = tone === "lost" ? "#FFFFFF" : colour;
  const stroke = tone === "lost" ? MUTED : tone === "alert" ? ALERT : colour;
  const body =
    shape === "square"
      ? `<rect x="${n(x - 6)}" y="${n(y - 6)}" width="12" height="12" fill="${fill}" stroke="${stroke}" stroke-width="2"/>`
      : `<circle cx="${n(x)}" cy="${n(y)}" r="6.5" fill="${fill}" stroke="${stroke}" stroke-width="2"/>`;
  const cross = tone === "lost" ? `<path d="M${n(x - 9)} ${n(y - 9)}L${n(x + 9)} ${n(y + 9)}M${n(x - 9)} ${n(y + 9)}L${n(x + 9)} ${n(y - 9)}" stroke="${ALERT}" stroke-width="2"/>` : "";
  return body + cross;
}

function toneColour(tone: Tone | undefined, normal: string): string {
  return tone === "alert" ? ALERT : tone === "lost" ? MUTED : normal;
}

/**
 * A lane chart of events: one horizontal lane per worker, each event a mark in the column of its
 * tick on a logical clock, labelled, with arrows between events (say, from the write a read saw,
 * or from a write to the write that overwrote it). Ticks with no event are left out, and a run of
 * left-out ticks is drawn as a break saying how many.
 *
 * @param options - the lanes, events and arrows; see {@link TimelineOptions}.
 * @returns the picture: its SVG, its PNG and a one-line summary of the data.
 * @throws TypeError or RangeError for an event on a lane that does not exist, an `at` that is not
 *   a whole number, or an arrow to an event that does not exist.
 */
export function timelineChart(options: TimelineOptions): Picture {
  const { title, lanes, events, links = [], axisLabel = "logical clock", notes = [], gapLabel = (k: number) => `… ${k} more …` } = options;
  checkLabels(lanes, "timelineChart(): lanes");
  events.forEach((e, i) => {
    if (!Number.isInteger(e.lane) || e.lane < 0 || e.lane >= lanes.length) {
      throw new RangeError(`timelineChart(): event ${i} is on lane ${e.lane}, but the lanes are 0 to ${lanes.length - 1}.`);
    }
    if (!Number.isInteger(e.at)) throw new TypeError(`timelineChart(): event ${i} is at ${e.at}; it must be a whole tick of the clock.`);
  });
  links.forEach((l, i) => {
    if (!(l.from in events) || !(l.to in events)) {
      throw new RangeError(`timelineChart(): arrow ${i} joins events ${l.from} and ${l.to}, but the events are 0 to ${events.length - 1}.`);
    }
  });
  const ticks = [...new Set(events.map((e) => e.at))].sort((a, b) => a - b);
  const column = Math.max(70, ...events.map((e) => textWidth(e.label, 12) + 14));
  const gapWidth = Math.max(60, ...ticks.slice(1).map((t, i) => (t - ticks[i] > 1 ? textWidth(gapLabel(t - ticks[i] - 1), 11) + 12 : 0)));
  const left = Math.max(...lanes.map((l) => textWidth(l, 12))) + 24;
  const xOf = new Map<number, number>();
  const gaps: { x: number; hidden: number }[] = [];
  let x = left + column / 2;
  ticks.forEach((t, i) => {
    if (i > 0) {
      const hidden = t - ticks[i - 1] - 1;
      if (hidden > 0) {
        gaps.push({ x: x - column / 2 + gapWidth / 2, hidden });
        x += gapWidth;
      }
    }
    xOf.set(t, x);
    x += column;
  });
  const laneHeight = 84;
  const top = 52 + (options.legend ? 24 : 0);
  const laneY = (lane: number) => top + 36 + lane * laneHeight;
  const axisY = top + lanes.length * laneHeight + 8;
  const width = Math.max(x - column / 2 + 16, textWidth(title, 14) + 40, ...notes.map((l) => textWidth(l, 12) + 32));
  const height = axisY + 44 + notesHeight(notes);
  const body: string[] = [];
  if (options.legend) {
    body.push(...legend(options.legend.map((e) => ({ name: e.label, swatch: (lx: number, ly: number) => mark(lx + 6, ly, e.shape ?? "circle", INK, e.tone ?? "normal") })), width, top - 14));
  }
  lanes.forEach((name, i) => {
    body.push(`<line x1="${n(left - 8)}" x2="${n(width - 12)}" y1="${n(laneY(i))}" y2="${n(laneY(i))}" stroke="${PALETTE[i % PALETTE.length]}" stroke-opacity="0.35" stroke-width="2"/>`);
    body.push(text(left - 14, laneY(i) + 4, name, `text-anchor="end" font-weight="bold" fill="${PALETTE[i % PALETTE.length]}"`));
  });
  for (const gap of gaps) {
    body.push(`<rect x="${n(gap.x - gapWidth / 2 + 4)}" y="${n(top)}" width="${n(gapWidth - 8)}" height="${n(axisY - top)}" fill="#F2F2F2"/>`);
    body.push(text(gap.x, axisY + 16, gapLabel(gap.hidden), `text-anchor="middle" font-size="11" fill="#666666"`));
  }
  body.push(`<line x1="${n(left - 8)}" x2="${n(width - 12)}" y1="${n(axisY)}" y2="${n(axisY)}" stroke="${INK}"/>`);
  for (const t of ticks) body.push(text(xOf.get(t) as number, axisY + 16, String(t), `text-anchor="middle" font-size="11"`));
  body.push(text(left - 8, axisY + 34, axisLabel, `font-size="11" fill="#666666"`));
  const at = (e: TimelineEvent) => ({ x: xOf.get(e.at) as number, y: laneY(e.lane) });
  for (const link of links) {
    const a = at(events[link.from]);
    const b = at(events[link.to]);
    const colour = toneColour(link.tone, "#555555");
    // Along one lane, bend below it (the events' labels are above), but stay clear of the next lane.
    const bend = a.y === b.y ? Math.min(36, Math.max(24, Math.abs(b.x - a.x) / 4)) : 0;
    const c1 = { x: a.x + (b.x - a.x) / 2, y: a.y + bend };
    const c2 = { x: a.x + (b.x - a.x) / 2, y: b.y + bend };
    // Stop short of the mark and draw the head along the curve's last direction.
    const dx = b.x - c2.x;
    const dy = b.y - c2.y;
    const length = Math.hypot(dx, dy) || 1;
    const ux = dx / length;
    const uy = dy / length;
    const end = { x: b.x - ux * 10, y: b.y - uy * 10 };
    const head = [
      `${n(end.x)},${n(end.y)}`,
      `${n(end.x - ux * 9 - uy * 4.5)},${n(end.y - uy * 9 + ux * 4.5)}`,
      `${n(end.x - ux * 9 + uy * 4.5)},${n(end.y - uy * 9 - ux * 4.5)}`,
    ].join(" ");
    const dash = link.tone === "alert" ? ` stroke-dasharray="5 3"` : "";
    body.push(`<path d="M${n(a.x)} ${n(a.y)}C${n(c1.x)} ${n(c1.y)} ${n(c2.x)} ${n(c2.y)} ${n(end.x)} ${n(end.y)}" fill="none" stroke="${colour}" stroke-width="1.5"${dash}/>`);
    body.push(`<polygon points="${head}" fill="${colour}"/>`);
    if (link.label) {
      const mid = { x: (a.x + 3 * c1.x + 3 * c2.x + end.x) / 8, y: (a.y + 3 * c1.y + 3 * c2.y + end.y) / 8 };
      body.push(text(mid.x + 4, mid.y - 4, link.label, `font-size="11" fill="${colour}" stroke="#FFFFFF" stroke-width="3" paint-order="stroke"`));
    }
  }
  for (const e of events) {
    const { x: ex, y: ey } = at(e);
    const tone = e.tone ?? "normal";
    body.push(mark(ex, ey, e.shape ?? "circle", PALETTE[e.lane % PALETTE.length], tone));
    const decoration = tone === "lost" ? ` text-decoration="line-through"` : "";
    body.push(text(ex, ey - 14, e.label, `text-anchor="middle" fill="${toneColour(tone, INK)}"${decoration} stroke="#FFFFFF" stroke-width="3" paint-order="stroke"`));
  }
  body.push(...notesAt(notes, axisY + 44));
  const name = (e: TimelineEvent) => `${lanes[e.lane]} ${e.label} at ${e.at}`;
  const marks = [...events].sort((a, b) => a.at - b.at || a.lane - b.lane).map((e) => `${name(e)}${e.tone && e.tone !== "normal" ? ` (${e.tone})` : ""}`);
  const arrows = links.map((l) => `${name(events[l.from])} → ${name(events[l.to])}${l.label ? ` (${l.label})` : ""}`);
  const summary = oneLine(
    `${title}: ${events.length} events on ${lanes.length} lanes by ${axisLabel}:`,
    `${marks.join(", ")}.`,
    arrows.length > 0 ? `Arrows: ${arrows.join(", ")}.` : "",
    notesLine(notes),
  );
  return frame(width, height, title, summary, body);
}

/** One interval of a {@link spanChart}: a bar on a lane from `start` to `end`. */
export interface Span {
  /** The lane's index in `lanes`. */
  readonly lane: number;
  /** Where it begins on the time axis. */
  readonly start: number;
  /** Where it ends (not before `start`). */
  readonly end: number;
  /** A short text written on the bar if it fits. */
  readonly label?: string;
  /** `"alert"` draws it in red; `"lost"` in grey. Default: the lane's colour, or its kind's. */
  readonly tone?: Tone;
  /** What it is, as an index into the chart's `kinds`: spans of one kind share a colour. */
  readonly kind?: number;
}

/** What {@link spanChart} draws. */
export interface SpanChartOptions extends ChartText {
  /** One name per lane, top to bottom. */
  readonly lanes: readonly string[];
  /** The intervals. */
  readonly spans: readonly Span[];
  /** The label of the time axis, with its unit, such as `"ms since the start signal"`. */
  readonly axisLabel: string;
  /** Width in px (default 640). */
  readonly width?: number;
  /**
   * Names of the kinds of span, such as `["holding", "sleeping"]`: with them, a span is coloured
   * by its `kind` instead of its lane, and a legend names the colours.
   */
  readonly kinds?: readonly string[];
  /** Where the time axis ends at least (default: the last span's end), so that a growing chart keeps its scale. */
  readonly until?: number;
}

/**
 * A lane chart of intervals on a time axis (a Gantt chart): one lane per worker, one bar for each
 * stretch of time it spent doing something, such as holding a printer.
 *
 * @param options - the lanes and intervals; see {@link SpanChartOptions}.
 * @returns the picture: its SVG, its PNG and a one-line summary of the data.
 * @throws TypeError or RangeError for a span on a lane that does not exist or that ends before it starts.
 */
export function spanChart(options: SpanChartOptions): Picture {
  const { title, lanes, spans, axisLabel, width = 640, notes = [], kinds = [], until = -Infinity } = options;
  checkLabels(lanes, "spanChart(): lanes");
  if (kinds.length > 0) checkLabels(kinds, "spanChart(): kinds");
  spans.forEach((s, i) => {
    if (s.kind !== undefined && !(Number.isInteger(s.kind) && s.kind >= 0 && s.kind < kinds.length)) {
      throw new RangeError(`spanChart(): span ${i} is of kind ${s.kind}, but the kinds are ${kinds.length === 0 ? "not given (pass kinds: [...])" : `0 to ${kinds.length - 1}`}.`);
    }
    if (!Number.isInteger(s.lane) || s.lane < 0 || s.lane >= lanes.length) {
      throw new RangeError(`spanChart(): span ${i} is on lane ${s.lane}, but the lanes are 0 to ${lanes.length - 1}.`);
    }
    if (!(Number.isFinite(s.start) && Number.isFinite(s.end) && s.end >= s.start)) {
      throw new RangeError(`spanChart(): span ${i} runs from ${s.start} to ${s.end}; it needs finite numbers with end ≥ start.`);
    }
  });
  // The axis covers the spans, from a round number below the first start to one above the last end.
  const first = spans.length > 0 ? Math.min(...spans.map((s) => s.start)) : 0;
  const high = Math.max(first + 1, until, ...spans.map((s) => s.end));
  const step = niceStep(high - first, 8);
  const low = Math.floor(first / step) * step;
  const end = Math.ceil(high / step) * step;
  const left = Math.max(...lanes.map((l) => textWidth(l, 12))) + 24;
  const right = width - 20;
  const xOf = (t: number) => left + ((right - left) * (t - low)) / (end - low);
  const laneHeight = 30;
  const top = kinds.length > 0 ? 62 : 44;
  const axisY = top + lanes.length * laneHeight + 6;
  const height = axisY + 40 + notesHeight(notes);
  const body: string[] =
    kinds.length > 0
      ? legend(kinds.map((name, i) => ({ name, swatch: (x: number, y: number) => `<rect x="${n(x)}" y="${n(y - 6)}" width="12" height="12" rx="2" fill="${PALETTE[i % PALETTE.length]}"/>` })), width, 38)
      : [];
  lanes.forEach((name, i) => {
    const y = top + i * laneHeight + laneHeight / 2;
    body.push(`<line x1="${n(left)}" x2="${n(right)}" y1="${n(y)}" y2="${n(y)}" stroke="${GRID}"/>`);
    body.push(text(left - 10, y + 4, name, `text-anchor="end" font-weight="bold" fill="${kinds.length > 0 ? INK : PALETTE[i % PALETTE.length]}"`));
  });
  for (let k = 0; low + k * step <= end + step / 2; k++) {
    const t = low + k * step;
    body.push(`<line x1="${n(xOf(t))}" x2="${n(xOf(t))}" y1="${n(top)}" y2="${n(axisY + 4)}" stroke="${GRID}"/>`);
    body.push(text(xOf(t), axisY + 16, formatNumber(t), `text-anchor="middle" font-size="11"`));
  }
  body.push(`<line x1="${n(left)}" x2="${n(right)}" y1="${n(axisY)}" y2="${n(axisY)}" stroke="${INK}"/>`);
  body.push(text((left + right) / 2, axisY + 32, axisLabel, `text-anchor="middle" font-size="11" fill="#666666"`));
  for (const s of spans) {
    const y = top + s.lane * laneHeight + 5;
    const x0 = xOf(s.start);
    const w = Math.max(1.5, xOf(s.end) - x0);
    const fill = toneColour(s.tone, PALETTE[(s.kind ?? s.lane) % PALETTE.length]);
    body.push(`<rect x="${n(x0)}" y="${n(y)}" width="${n(w)}" height="${laneHeight - 10}" rx="3" fill="${fill}"><title>${escapeXml(`${lanes[s.lane]}: ${s.label ?? ""} ${formatNumber(s.start)}–${formatNumber(s.end)}`.trim())}</title></rect>`);
    if (s.label && textWidth(s.label, 11) + 6 <= w) {
      body.push(text(x0 + w / 2, y + laneHeight / 2 - 1, s.label, `text-anchor="middle" font-size="11" fill="#FFFFFF"`));
    }
  }
  body.push(...notesAt(notes, axisY + 40));
  const perLane = lanes.map((lane, i) => {
    const mine = spans.filter((s) => s.lane === i).map((s) => `${s.label ? `${s.label} ` : s.kind !== undefined ? `${kinds[s.kind]} ` : ""}${formatNumber(s.start)}–${formatNumber(s.end)}`);
    return `${lane}: ${mine.length > 0 ? mine.join(", ") : "nothing"}`;
  });
  const summary = oneLine(`${title}: ${spans.length} intervals on ${lanes.length} lanes, in ${axisLabel}.`, `${perLane.join("; ")}.`, notesLine(notes));
  return frame(width, height, title, summary, body);
}

/** One point of a {@link LineSeries}. */
export interface LinePoint {
  /** Where along the x axis, such as ms since the start. */
  readonly x: number;
  /** Its value. */
  readonly y: number;
}

/** One line of a {@link lineChart}: a name for the legend and its points, in order of x. */
export interface LineSeries {
  /** The name shown in the legend, such as `"without a lock"`. */
  readonly name: string;
  /** The points, joined in this order. */
  readonly points: readonly LinePoint[];
}

/** A point of a {@link lineChart} marked in red with a cross, such as an update found lost. */
export interface LineMark {
  /** Where along the x axis. */
  readonly x: number;
  /** Its value. */
  readonly y: number;
}

/** What {@link lineChart} draws. */
export interface LineChartOptions extends ChartText {
  /** The lines, one colour each. */
  readonly series: readonly LineSeries[];
  /** Points to mark in red. */
  readonly marks?: readonly LineMark[];
  /** What a mark means, for the legend (default `"marked"`). */
  readonly markLabel?: string;
  /** The label of the x axis, with its unit. */
  readonly xLabel: string;
  /** The label of the y axis, with its unit. */
  readonly yLabel: string;
  /** The x axis covers at least this range (default: the points'), so that a growing chart keeps its scale. */
  readonly xRange?: readonly [number, number];
  /** The y axis covers at least this range (default: the points'). */
  readonly yRange?: readonly [number, number];
  /** Width in px (default 560). */
  readonly width?: number;
  /** Height in px of the chart itself, without notes (default 300). */
  readonly height?: number;
}

/** A nice axis from `low` to `high`: round ends and a round step. */
function niceAxis(low: number, high: number, ticks: number): { low: number; high: number; step: number } {
  const span = high > low ? high - low : Math.max(1, Math.abs(high));
  const step = niceStep(span, ticks);
  const from = Math.floor(low / step) * step;
  return { low: from, high: Math.max(from + step, Math.ceil(high / step) * step), step };
}

/**
 * A line chart: one line per series of points (values over time), marked points crossed in red,
 * axes with grid lines, and a legend.
 *
 * @param options - the lines, marks and labels; see {@link LineChartOptions}.
 * @returns the picture: its SVG, its PNG and a one-line summary of the data.
 * @throws TypeError for series that are not `{ name, points }`; RangeError for a point or mark that
 *   is not a pair of finite numbers.
 */
export function lineChart(options: LineChartOptions): Picture {
  const { title, series, marks = [], markLabel = "marked", xLabel, yLabel, width = 560, height: chartHeight = 300, notes = [] } = options;
  if (!Array.isArray(series as unknown) || series.some((s) => typeof s?.name !== "string" || !Array.isArray(s.points as unknown))) {
    throw new TypeError("lineChart(): series must be an array of { name, points } (it may be empty: the axes alone).");
  }
  const all = [...series.flatMap((s) => s.points), ...marks];
  all.forEach((p) => {
    if (!(Number.isFinite(p?.x) && Number.isFinite(p?.y))) throw new RangeError(`lineChart(): the point ${JSON.stringify(p)} needs finite numbers x and y.`);
  });
  const xs = all.map((p) => p.x).concat(options.xRange ?? []);
  const ys = all.map((p) => p.y).concat(options.yRange ?? []);
  const xAxis = niceAxis(Math.min(0, ...xs), Math.max(1, ...xs), 8);
  const yAxis = niceAxis(Math.min(...(ys.length > 0 ? ys : [0])), Math.max(...(ys.length > 0 ? ys : [1])), 5);
  const plot = { left: 70, right: width - 16, top: 58, bottom: chartHeight - 46 };
  const xOf = (x: number) => plot.left + ((plot.right - plot.left) * (x - xAxis.low)) / (xAxis.high - xAxis.low);
  const yOf = (y: number) => plot.bottom - ((plot.bottom - plot.top) * (y - yAxis.low)) / (yAxis.high - yAxis.low);
  const entries = series.map((s, i) => ({ name: s.name, swatch: (x: number, y: number) => `<line x1="${n(x)}" x2="${n(x + 12)}" y1="${n(y)}" y2="${n(y)}" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="3"/>` }));
  const hollow = (x: number, y: number) => mark(x, y, "circle", ALERT, "alert").replace(/fill="[^"]*"/, 'fill="none"');
  if (marks.length > 0) entries.push({ name: markLabel, swatch: (x: number, y: number) => hollow(x + 6, y) });
  const body: string[] = legend(entries, width, 38);
  for (let t = yAxis.low; t <= yAxis.high + yAxis.step / 2; t += yAxis.step) {
    body.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${n(yOf(t))}" y2="${n(yOf(t))}" stroke="${GRID}"/>`);
    body.push(text(plot.left - 6, yOf(t) + 4, formatNumber(t), `text-anchor="end" font-size="11"`));
  }
  for (let t = xAxis.low; t <= xAxis.high + xAxis.step / 2; t += xAxis.step) {
    body.push(`<line x1="${n(xOf(t))}" x2="${n(xOf(t))}" y1="${plot.top}" y2="${plot.bottom + 4}" stroke="${GRID}"/>`);
    body.push(text(xOf(t), plot.bottom + 16, formatNumber(t), `text-anchor="middle" font-size="11"`));
  }
  body.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}" stroke="${INK}"/>`);
  series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const d = s.points.map((p, k) => `${k === 0 ? "M" : "L"}${n(xOf(p.x))} ${n(yOf(p.y))}`).join("");
    body.push(`<path d="${d}" fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="2"><title>${escapeXml(s.name)}</title></path>`);
  });
  for (const m of marks) body.push(hollow(xOf(m.x), yOf(m.y)));
  const middle = (plot.top + plot.bottom) / 2;
  body.push(text(18, middle, yLabel, `text-anchor="middle" transform="rotate(-90 18 ${n(middle)})"`));
  body.push(text((plot.left + plot.right) / 2, chartHeight - 12, xLabel, `text-anchor="middle"`));
  body.push(...notesAt(notes, chartHeight));
  const lines = series.map((s) => {
    if (s.points.length === 0) return `${s.name}: no points yet`;
    const values = s.points.map((p) => p.y);
    return `${s.name}: ${s.points.length} points, from ${formatNumber(values[0])} to ${formatNumber(values[values.length - 1])} (lowest ${formatNumber(Math.min(...values))}, highest ${formatNumber(Math.max(...values))})`;
  });
  const marked = marks.length > 0 ? `${marks.length} ${markLabel}.` : "";
  const summary = oneLine(`${title}: a line chart of ${yLabel} by ${xLabel}.`, lines.length > 0 ? `${lines.join("; ")}.` : "No lines yet.", marked, notesLine(notes));
  return frame(width, chartHeight + notesHeight(notes), title, summary, body);
}

/**
 * Puts pictures made by this module next to each other in one picture, top-aligned.
 *
 * @param pictures - pictures from {@link barChart}, {@link timelineChart} or {@link spanChart}.
 * @param gap - space between them in px (default 16).
 * @returns one picture, whose summary is the pictures' summaries in order.
 * @throws TypeError if a picture is not a {@link Picture}, or there is none; RangeError for a negative gap.
 */
export function sideBySide(pictures: readonly Picture[], gap = 16): Picture {
  if (!Array.isArray(pictures) || pictures.length === 0 || pictures.some((p) => !(p instanceof Picture))) {
    throw new TypeError("sideBySide(): pass a non-empty array of pictures made by barChart(), timelineChart(), spanChart() or sideBySide().");
  }
  if (!(Number.isFinite(gap) && gap >= 0)) throw new RangeError(`sideBySide(): the gap is ${gap}; it must be a finite number of px, 0 or more.`);
  let x = 0;
  const parts = pictures.map((picture) => {
    const part = picture.svg.replace(/^<svg /, `<svg x="${x}" y="0" `);
    x += picture.width + gap;
    return part;
  });
  const width = Math.ceil(x - gap);
  const height = Math.max(...pictures.map((p) => p.height));
  const title = pictures.map((p) => p.title).join("; ");
  const summary = oneLine(...pictures.map((p) => p.text));
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<title>${escapeXml(title)}</title>`,
    `<desc>${escapeXml(summary)}</desc>`,
    `<rect width="100%" height="100%" fill="#FFFFFF"/>`,
    ...parts,
    `</svg>`,
  ].join("\n");
  return new Picture({ svg, title, text: summary, width, height });
}
