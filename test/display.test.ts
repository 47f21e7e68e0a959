/**
 * The pictures: every SVG is well-formed XML (checked by a tiny parser below), its labels are all
 * there and escaped, and the numbers drawn come from the input; every picture's bundle holds the
 * SVG with a title and description, a real PNG of twice its size with the text drawn in the shipped
 * font, and a one-line text summary of the data; show() sends that bundle through the kernel's writer.
 */
import { describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { inflateSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { sep } from "node:path";
import * as draw from "../dist/display";
import { useHost } from "../dist/host";

/** An element of the parsed SVG. */
interface XmlElement {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlElement[];
  /** The element's own text (not its children's), entities decoded. */
  text: string;
}

const ENTITY = /&(#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);/g;
/** The characters XML 1.0 cannot hold at all, escaped or not: control characters among them. */
// eslint-disable-next-line no-control-regex -- matching those control characters is the point
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes entities after checking that every `&` starts one and no `<` is left bare. */
function decode(raw: string, where: string): string {
  assert.ok(!raw.includes("<"), `a bare < in ${where}: ${JSON.stringify(raw)}`);
  assert.ok(raw.search(XML_FORBIDDEN) < 0, `a character XML forbids in ${where}: ${JSON.stringify(raw)}`);
  assert.ok(!raw.replace(ENTITY, "").includes("&"), `a bare & in ${where}: ${JSON.stringify(raw)}`);
  return raw.replace(ENTITY, (_, e: string) =>
    e.startsWith("#x") ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith("#") ? String.fromCodePoint(Number(e.slice(1))) : NAMED[e],
  );
}

/** Parses the subset of XML that SVG pictures use (elements, attributes, text) or fails the test. */
function parseXml(xml: string): XmlElement {
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>/y;
  const attr = /\s+([\w:.-]+)="([^"]*)"/g;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let at = 0;
  while (at < xml.length) {
    const next = xml.indexOf("<", at);
    const between = xml.slice(at, next === -1 ? xml.length : next);
    if (stack.length > 0) stack[stack.length - 1].text += decode(between, "text");
    else assert.equal(between.trim(), "", `text outside the root element: ${JSON.stringify(between)}`);
    if (next === -1) break;
    tag.lastIndex = next;
    const m = tag.exec(xml);
    assert.ok(m, `malformed tag at ${next}: ${JSON.stringify(xml.slice(next, next + 60))}`);
    const [whole, closing, name, attrText, selfClosing] = m;
    at = next + whole.length;
    if (closing) {
      const open = stack.pop();
      assert.equal(open?.name, name, `</${name}> closes <${open?.name}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const [, key, value] of attrText.matchAll(attr)) {
      assert.ok(!(key in attrs), `attribute ${key} twice in <${name}>`);
      attrs[key] = decode(value, `attribute ${key}`);
    }
    const element: XmlElement = { name, attrs, children: [], text: "" };
    if (stack.length > 0) stack[stack.length - 1].children.push(element);
    else {
      assert.equal(root, null, "more than one root element");
      root = element;
    }
    if (!selfClosing) stack.push(element);
  }
  assert.equal(stack.length, 0, `unclosed <${stack.map((e) => e.name).join("> <")}>`);
  assert.ok(root, "no root element");
  return root;
}

function all(element: XmlElement, name: string): XmlElement[] {
  return [...(element.name === name ? [element] : []), ...element.children.flatMap((c) => all(c, name))];
}

/** The decoded text of every <text> element, in document order. */
function texts(picture: draw.Picture): string[] {
  return all(parseXml(picture.svg), "text").map((t) => t.text);
}

/** The bars of a bar chart: the rects that carry a <title> tooltip. */
function bars(picture: draw.Picture): XmlElement[] {
  return all(parseXml(picture.svg), "rect").filter((r) => r.children.some((c) => c.name === "title"));
}

describe("escapeXml and formatNumber", () => {
  test("escapeXml escapes the five special characters and nothing else", () => {
    assert.equal(draw.escapeXml(`a<b>&"c'`), "a&#60;b&#62;&#38;&#34;c&#39;");
    assert.equal(draw.escapeXml("plain text, 42 µs"), "plain text, 42 µs");
  });

  test("formatNumber keeps 3 significant digits and uses k and M", () => {
    assert.equal(formatAll([0, 7, 97.7, 201.83, 9999, 12345, 1427409, 0.012345, -2500000]), "0 7 97.7 202 9999 12.3k 1.43M 0.0123 -2.5M");
  });

  function formatAll(values: number[]): string {
    return values.map(draw.formatNumber).join(" ");
  }
});

describe("barChart", () => {
  const options = {
    title: "Time for 4M increments",
    groups: ["1 worker", "2 workers", "4 workers"],
    series: [
      { name: "plain", values: [200, 300, 280] },
      { name: "Atomics.add", values: [98, 201, 147] },
      { name: "Lock", values: [157, null, 149] },
    ],
    yLabel: "time (ms)",
    xLabel: "workers",
  };

  test("is well-formed SVG with the title, groups, series names and axis labels", () => {
    const picture = draw.barChart(options);
    const root = parseXml(picture.svg);
    assert.equal(root.name, "svg");
    assert.equal(root.attrs.xmlns, "http://www.w3.org/2000/svg");
    const words = texts(picture);
    for (const label of [options.title, ...options.groups, ...options.series.map((s) => s.name), "time (ms)", "workers"]) {
      assert.ok(words.includes(label), `label ${label} missing`);
    }
    assert.equal(all(root, "title")[0].text, options.title);
  });

  test("draws one bar per value, its height proportional to the value and its value written on it", () => {
    const picture = draw.barChart(options);
    const drawn = bars(picture);
    assert.equal(drawn.length, 8, "9 values, one of them null");
    const heights = new Map(drawn.map((r) => [r.children[0].text, Number(r.attrs.height)]));
    assert.equal(heights.get("plain, 2 workers: 300"), 300 * (heights.get("plain, 1 worker: 200") as number) / 200);
    assert.ok(Math.abs((heights.get("Atomics.add, 1 worker: 98") as number) / (heights.get("plain, 1 worker: 200") as number) - 0.49) < 0.01);
    const words = texts(picture);
    for (const v of ["200", "300", "280", "98", "201", "147", "157", "149"]) assert.ok(words.includes(v), `value ${v} not written`);
  });

  test("writes values with the given format", () => {
    const words = texts(draw.barChart({ ...options, format: (v) => `${v.toFixed(1)} ms` }));
    assert.ok(words.includes("147.0 ms"));
  });

  test("draws an all-zero chart (no lost updates) without dividing by zero", () => {
    const picture = draw.barChart({ ...options, series: [{ name: "lost", values: [0, 0, 0] }] });
    assert.deepEqual(bars(picture).map((r) => Number(r.attrs.height)), [0, 0, 0]);
    assert.ok(!picture.svg.includes("NaN") && !picture.svg.includes("Infinity"));
  });

  test("refuses a series of the wrong length, and negative or non-finite values", () => {
    assert.throws(() => draw.barChart({ ...options, series: [{ name: "short", values: [1, 2] }] }), /series "short" has 2 values, but there are 3 groups/);
    assert.throws(() => draw.barChart({ ...options, series: [{ name: "neg", values: [1, -2, 3] }] }), RangeError);
    assert.throws(() => draw.barChart({ ...options, series: [{ name: "nan", values: [1, NaN, 3] }] }), RangeError);
    assert.throws(() => draw.barChart({ ...options, groups: [] }), TypeError);
  });
});

describe("timelineChart", () => {
  const events: draw.TimelineEvent[] = [
    { lane: 0, at: 40, label: "read 41" },
    { lane: 1, at: 41, label: "read 41" },
    { lane: 0, at: 42, label: "write 42", shape: "square", tone: "lost" },
    { lane: 1, at: 43, label: "write 42", shape: "square", tone: "alert" },
    { lane: 1, at: 100, label: "read 99" },
  ];
  const options: draw.TimelineOptions = {
    title: "A lost update",
    lanes: ["worker 1", "worker 2"],
    events,
    links: [{ from: 2, to: 3, label: "overwritten by", tone: "alert" }, { from: 0, to: 2 }],
    legend: [{ label: "read" }, { label: "write", shape: "square" }],
    notes: ["one increment lost"],
  };

  test("is well-formed SVG with lanes, event labels, ticks, legend and notes", () => {
    const picture = draw.timelineChart(options);
    const words = texts(picture);
    for (const label of ["A lost update", "worker 1", "worker 2", "read 41", "write 42", "read 99", "overwritten by", "read", "write", "one increment lost", "logical clock"]) {
      assert.ok(words.includes(label), `label ${label} missing`);
    }
    for (const tick of ["40", "41", "42", "43", "100"]) assert.ok(words.includes(tick), `tick ${tick} missing`);
  });

  test("leaves out ticks with no event and says how many, in order on the axis", () => {
    const picture = draw.timelineChart({ ...options, gapLabel: (k) => `${k} steps not shown` });
    const words = texts(picture);
    assert.ok(words.includes("56 steps not shown"), "the ticks 44..99 are one break of 56");
    const x = (content: string) => Number(all(parseXml(picture.svg), "text").find((t) => t.text === content)?.attrs.x);
    assert.ok(x("40") < x("41") && x("41") < x("43") && x("43") < x("56 steps not shown") && x("56 steps not shown") < x("100"));
  });

  test("draws each arrow with a head, and marks lost and alert events", () => {
    const root = parseXml(draw.timelineChart(options).svg);
    assert.equal(all(root, "polygon").length, 2);
    const lost = all(root, "text").filter((t) => t.attrs["text-decoration"] === "line-through");
    assert.deepEqual(lost.map((t) => t.text), ["write 42"]);
    assert.ok(all(root, "path").some((p) => p.attrs["stroke-dasharray"] !== undefined), "the alert arrow is dashed");
  });

  test("refuses an event on a missing lane, a fractional tick, and an arrow to a missing event", () => {
    assert.throws(() => draw.timelineChart({ ...options, events: [{ lane: 2, at: 1, label: "x" }], links: [] }), /lane 2, but the lanes are 0 to 1/);
    assert.throws(() => draw.timelineChart({ ...options, events: [{ lane: 0, at: 1.5, label: "x" }], links: [] }), TypeError);
    assert.throws(() => draw.timelineChart({ ...options, links: [{ from: 0, to: 9 }] }), RangeError);
  });
});

describe("spanChart", () => {
  const options = {
    title: "Who held a printer",
    lanes: ["w1", "w2", "w3"],
    spans: [
      { lane: 0, start: 0, end: 100, label: "job 1" },
      { lane: 1, start: 2, end: 103, label: "job 1" },
      { lane: 2, start: 100, end: 201, label: "a label far too long to fit on its bar" },
      { lane: 0, start: 150, end: 151, tone: "alert" as const },
    ],
    axisLabel: "ms since the start signal",
    notes: ["at most 2 at once"],
  };

  test("draws one bar per span, at widths proportional to their durations", () => {
    const picture = draw.spanChart(options);
    const drawn = bars(picture);
    assert.equal(drawn.length, 4);
    const widths = drawn.map((r) => Number(r.attrs.width));
    assert.ok(Math.abs(widths[1] / widths[0] - 1.01) < 0.01);
    assert.ok(Number(drawn[2].attrs.x) > Number(drawn[1].attrs.x));
  });

  test("writes lanes, the axis, notes and the labels that fit", () => {
    const words = texts(draw.spanChart(options));
    for (const label of ["Who held a printer", "w1", "w2", "w3", "ms since the start signal", "at most 2 at once", "job 1", "0", "100", "200"]) {
      assert.ok(words.includes(label), `label ${label} missing`);
    }
    assert.ok(!words.includes("a label far too long to fit on its bar"));
  });

  test("the time axis starts at a round number just below the first span, not at 0", () => {
    const words = texts(draw.spanChart({ ...options, spans: [{ lane: 0, start: 1730, end: 1850 }, { lane: 1, start: 1800, end: 2610 }] }));
    const ticks = words.filter((w) => /^\d+$/.test(w)).map(Number);
    assert.ok(ticks[0] <= 1730 && ticks[0] >= 1500, `first tick ${ticks[0]}`);
    assert.ok(ticks[ticks.length - 1] >= 2610 && ticks[ticks.length - 1] < 3000, `last tick ${ticks[ticks.length - 1]}`);
  });

  test("refuses a span that ends before it starts", () => {
    assert.throws(() => draw.spanChart({ ...options, spans: [{ lane: 0, start: 5, end: 4 }] }), RangeError);
  });
});

describe("sideBySide", () => {
  test("places pictures left to right in one well-formed SVG", () => {
    const a = draw.barChart({ title: "a", groups: ["g"], series: [{ name: "s", values: [1] }], yLabel: "y", width: 300, height: 200 });
    const b = draw.barChart({ title: "b", groups: ["g"], series: [{ name: "s", values: [2] }], yLabel: "y", width: 200, height: 250 });
    const root = parseXml(draw.sideBySide([a, b], 10).svg);
    assert.equal(root.attrs.width, "510");
    assert.equal(root.attrs.height, "250");
    const inner = root.children.filter((c) => c.name === "svg");
    assert.deepEqual(inner.map((c) => c.attrs.x), ["0", "310"]);
  });

  test("refuses text that is not one of these pictures, no pictures, and a negative gap", () => {
    const a = draw.barChart({ title: "a", groups: ["g"], series: [{ name: "s", values: [1] }], yLabel: "y" });
    assert.throws(() => draw.sideBySide(["<svg/>" as unknown as draw.Picture]), /pass a non-empty array of pictures/);
    assert.throws(() => draw.sideBySide([]), TypeError);
    assert.throws(() => draw.sideBySide([a], -1), RangeError);
  });
});

test("any label text, however odd, stays well-formed and reads back the same", () => {
  // Characters XML cannot hold at all are drawn as U+FFFD; everything else comes back unchanged.
  const readable = (s: string) => s.replace(XML_FORBIDDEN, "\uFFFD");
  const anyText = fc.string({ unit: "binary", maxLength: 30 });
  fc.assert(
    fc.property(anyText, anyText, (lane, label) => {
      fc.pre(lane.length > 0 && label.length > 0);
      const timeline = texts(draw.timelineChart({ title: label, lanes: [lane], events: [{ lane: 0, at: 1, label }], links: [] }));
      assert.ok(timeline.includes(readable(lane)) && timeline.includes(readable(label)));
      const bar = texts(draw.barChart({ title: label, groups: [lane], series: [{ name: label, values: [1] }], yLabel: label }));
      assert.ok(bar.includes(readable(lane)) && bar.includes(readable(label)));
    }),
    { numRuns: 60 },
  );
});

test("escapeXml replaces lone surrogates, which no XML can hold", () => {
  assert.equal(draw.escapeXml("a\uD800b\uDC00c\uD83D\uDE00"), "a\uFFFDb\uFFFDc\uD83D\uDE00");
});

/** The width and height in a PNG's IHDR chunk, after checking the PNG signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], "not a PNG signature");
  assert.equal(png.toString("latin1", 12, 16), "IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The inflated image data of a PNG (all IDAT chunks), which proves the file is complete. */
function pngData(png: Buffer): Buffer {
  const chunks: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString("latin1", at + 4, at + 8);
    if (type === "IDAT") chunks.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
    if (type === "IEND") assert.equal(at, png.length, "bytes after IEND");
  }
  return inflateSync(Buffer.concat(chunks));
}

describe("the picture bundle: SVG, PNG and text", () => {
  const bar = draw.barChart({ title: "Time & cost", groups: ["1 worker", "2 workers"], series: [{ name: "Lock", values: [157, 149] }, { name: "Atomics.add", values: [98, null] }], yLabel: "time (ms)" });
  const timeline = draw.timelineChart({
    title: "A lost update",
    lanes: ["worker 1", "worker 2"],
    events: [{ lane: 0, at: 3, label: "read 41" }, { lane: 1, at: 5, label: "write 42", tone: "alert" }],
    links: [{ from: 0, to: 1, label: "41 + 1" }],
    notes: ["one\nincrement lost"],
  });
  const spans = draw.spanChart({ title: "Printers", lanes: ["w1", "w2"], spans: [{ lane: 0, start: 0, end: 12.5, label: "A" }, { lane: 1, start: 3, end: 9 }], axisLabel: "ms" });
  const pictures = { bar, timeline, spans, sideBySide: draw.sideBySide([bar, spans]) };

  for (const [kind, picture] of Object.entries(pictures)) {
    test(`${kind}: the PNG is a complete PNG of exactly twice the SVG's size, shown at the SVG's size`, () => {
      const root = parseXml(picture.svg);
      const bundle = picture.displayData();
      assert.equal(bundle.data["image/svg+xml"], picture.svg);
      const png = Buffer.from(bundle.data["image/png"], "base64");
      assert.deepEqual(png, picture.png());
      const size = pngSize(png);
      assert.deepEqual(size, { width: 2 * Number(root.attrs.width), height: 2 * Number(root.attrs.height) });
      assert.equal(pngData(png).length, size.height * (1 + size.width * 4), "8-bit RGBA rows, each with its filter byte");
      assert.deepEqual(bundle.metadata["image/png"], { width: picture.width, height: picture.height });
      assert.deepEqual([picture.width, picture.height], [Number(root.attrs.width), Number(root.attrs.height)]);
    });

    test(`${kind}: the SVG has a <title> and a <desc>, and the bundle a one-line text/plain of the same`, () => {
      const root = parseXml(picture.svg);
      const [title, desc] = root.children;
      assert.deepEqual([title.name, desc.name], ["title", "desc"], "<title> and <desc> come first, where readers look");
      assert.equal(title.text, picture.title);
      assert.equal(desc.text, picture.text);
      const text = picture.displayData().data["text/plain"];
      assert.equal(text, String(picture));
      assert.match(text, /^[^\n\r]+$/);
      assert.ok(text.startsWith(picture.title.split("; ")[0]), text);
    });
  }

  test("the text summaries carry the data: values, events, arrows, intervals and notes", () => {
    assert.equal(bar.text, "Time & cost: a bar chart of time (ms). 1 worker: Lock 157, Atomics.add 98; 2 workers: Lock 149.");
    assert.equal(
      timeline.text,
      "A lost update: 2 events on 2 lanes by logical clock: worker 1 read 41 at 3, worker 2 write 42 at 5 (alert). Arrows: worker 1 read 41 at 3 → worker 2 write 42 at 5 (41 + 1). Notes: one increment lost",
    );
    assert.equal(spans.text, "Printers: 2 intervals on 2 lanes, in ms. w1: A 0–12.5; w2: 3–9.");
    assert.equal(pictures.sideBySide.text, `${bar.text} ${spans.text}`);
    assert.equal(pictures.sideBySide.title, "Time & cost; Printers");
  });

  test("text in the PNG is drawn with the shipped font, not left out for want of system fonts", () => {
    const svg = (words: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30" font-family="${draw.FONT_FAMILY}"><text x="4" y="20">${words}</text></svg>`;
    assert.match(bar.svg, new RegExp(`font-family="${draw.FONT_FAMILY},`), "the SVG names the font the PNG is drawn in");
    const blank = draw.renderPng(svg(""));
    const written = draw.renderPng(svg("Lock 157"));
    assert.notDeepEqual(pngData(written), pngData(blank), "the words left no pixel");
    assert.notDeepEqual(pngData(draw.renderPng(svg("Lock 158"))), pngData(written), "different words, same pixels");
  });

  test("renderPng and Picture refuse what they cannot draw, saying what is wrong", () => {
    assert.throws(() => draw.renderPng(bar.svg, 0), /scale is 0; it must be a positive number/);
    assert.throws(() => new draw.Picture({ svg: bar.svg, title: "t", text: "two\nlines", width: 10, height: 10 }), /one non-empty line/);
    assert.throws(() => new draw.Picture({ svg: bar.svg, title: "t", text: "t", width: 10.5, height: 10 }), /width is 10.5; it must be a whole number/);
  });
});

describe("spanChart kinds and lineChart (the live views' charts)", () => {
  test("spans coloured by kind, with a legend naming the kinds; until keeps the axis' scale", () => {
    const kinds = ["holding", "sleeping"];
    const picture = draw.spanChart({ title: "t", lanes: ["w1", "w2"], spans: [{ lane: 0, start: 0, end: 10, kind: 0 }, { lane: 1, start: 0, end: 10, kind: 1 }, { lane: 1, start: 10, end: 12, kind: 0 }], axisLabel: "ms", kinds, until: 500 });
    // Lane 1's two spans take the colours of their kinds, not of their lane.
    const fills = [...picture.svg.matchAll(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="20" rx="3" fill="([^"]*)"/g)].map((m) => m[1]);
    assert.equal(fills.length, 3);
    assert.equal(fills[0], fills[2]);
    assert.notEqual(fills[0], fills[1]);
    for (const k of kinds) assert.ok(picture.svg.includes(`>${k}</text>`), `legend lacks ${k}`);
    assert.ok(picture.svg.includes(">500</text>"), "the axis does not reach until");
    assert.match(picture.text, /w1: holding 0–10; w2: sleeping 0–10, holding 10–12/);
    assert.throws(() => draw.spanChart({ title: "t", lanes: ["w"], spans: [{ lane: 0, start: 0, end: 1, kind: 2 }], axisLabel: "ms", kinds }), /span 0 is of kind 2, but the kinds are 0 to 1/);
    assert.throws(() => draw.spanChart({ title: "t", lanes: ["w"], spans: [{ lane: 0, start: 0, end: 1, kind: 0 }], axisLabel: "ms" }), /kinds are not given/);
  });

  test("lineChart: one path per series, a red circle per mark, and a summary of the values", () => {
    const picture = draw.lineChart({
      title: "Balance",
      series: [{ name: "racy", points: [{ x: 0, y: 200 }, { x: 5, y: 201 }, { x: 9, y: 199 }] }, { name: "locked", points: [{ x: 0, y: 200 }, { x: 8, y: 200 }] }],
      marks: [{ x: 9, y: 199 }],
      markLabel: "an update erased",
      xLabel: "ms",
      yLabel: "balance",
      yRange: [190, 210],
    });
    assert.equal((picture.svg.match(/<path d="M/g) ?? []).length, 2);
    assert.equal((picture.svg.match(/<circle /g) ?? []).length, 2, "one mark and its legend swatch");
    assert.ok(picture.svg.includes(">210</text>") && picture.svg.includes(">190</text>"), "the y range is not covered");
    assert.match(picture.text, /racy: 3 points, from 200 to 199 \(lowest 199, highest 201\); locked: 2 points, from 200 to 200.*1 an update erased\./);
    assert.match(draw.lineChart({ title: "t", series: [], xLabel: "x", yLabel: "y" }).text, /No lines yet\./);
    assert.throws(() => draw.lineChart({ title: "t", series: [{ name: "s", points: [{ x: 0, y: NaN }] }], xLabel: "x", yLabel: "y" }), RangeError);
    assert.throws(() => draw.lineChart({ title: "t", series: "s" as never, xLabel: "x", yLabel: "y" }), TypeError);
  });
});

describe("show", () => {
  test("outside a tslab kernel it says where it works and what to do instead", () => {
    assert.throws(() => draw.show(draw.spanChart({ title: "t", lanes: ["a"], spans: [], axisLabel: "ms" })), /only in a notebook cell run by the tslab kernel.*String\(picture\)/);
    assert.throws(() => draw.show("<svg/>" as unknown as draw.Picture), TypeError);
  });

  test("in a kernel it sends the whole bundle as ONE display_data through tslab's own writer", (t) => {
    useHost("tslab");
    t.after(() => useHost("plain"));
    // The module tslab's display.raw() writes through; a running kernel sets the writer per cell.
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
    const sent: { content: ReturnType<draw.Picture["displayData"]> & { transient: object }; update: boolean }[] = [];
    jupyter.lastWriteDisplayData = (content: (typeof sent)[0]["content"], update: boolean) => sent.push({ content, update });
    t.after(() => {
      jupyter.lastWriteDisplayData = null;
    });
    const picture = draw.spanChart({ title: "t", lanes: ["a"], spans: [{ lane: 0, start: 1, end: 2 }], axisLabel: "ms" });
    draw.show(picture);
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0], { content: { ...picture.displayData(), transient: {} }, update: false });
    assert.deepEqual(Object.keys(sent[0].content.data).sort(), ["image/png", "image/svg+xml", "text/plain"]);
  });
});

test("the library's entry loads neither the pictures nor the PNG renderer, so workers do not", () => {
  const loaded = execFileSync(process.execPath, ["-e", `require(${JSON.stringify(require.resolve("../dist"))}); console.log(JSON.stringify(Object.keys(require.cache)))`], { encoding: "utf8" });
  const files = JSON.parse(loaded) as string[];
  assert.ok(files.some((f) => f.endsWith(`${sep}dist${sep}lock.js`)), "the check sees the library's modules");
  assert.deepEqual(files.filter((f) => /resvg|expo-google-fonts|[\\/]dist[\\/]display[\\/]/.test(f)), []);
});
