/**
 * The SVG builders: every picture is well-formed XML (checked by a tiny parser below, since the
 * library has no dependencies to borrow one from), its labels are all there and escaped, and the
 * numbers drawn come from the input.
 */
import { describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import * as mp from "../dist";

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
function texts(svg: string): string[] {
  return all(parseXml(svg), "text").map((t) => t.text);
}

/** The bars of a bar chart: the rects that carry a <title> tooltip. */
function bars(svg: string): XmlElement[] {
  return all(parseXml(svg), "rect").filter((r) => r.children.some((c) => c.name === "title"));
}

describe("escapeXml and formatNumber", () => {
  test("escapeXml escapes the five special characters and nothing else", () => {
    assert.equal(mp.escapeXml(`a<b>&"c'`), "a&#60;b&#62;&#38;&#34;c&#39;");
    assert.equal(mp.escapeXml("plain text, 42 µs"), "plain text, 42 µs");
  });

  test("formatNumber keeps 3 significant digits and uses k and M", () => {
    assert.equal(formatAll([0, 7, 97.7, 201.83, 9999, 12345, 1427409, 0.012345, -2500000]), "0 7 97.7 202 9999 12.3k 1.43M 0.0123 -2.5M");
  });

  function formatAll(values: number[]): string {
    return values.map(mp.formatNumber).join(" ");
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
    const svg = mp.barChart(options);
    const root = parseXml(svg);
    assert.equal(root.name, "svg");
    assert.equal(root.attrs.xmlns, "http://www.w3.org/2000/svg");
    const words = texts(svg);
    for (const label of [options.title, ...options.groups, ...options.series.map((s) => s.name), "time (ms)", "workers"]) {
      assert.ok(words.includes(label), `label ${label} missing`);
    }
    assert.equal(all(root, "title")[0].text, options.title);
  });

  test("draws one bar per value, its height proportional to the value and its value written on it", () => {
    const svg = mp.barChart(options);
    const drawn = bars(svg);
    assert.equal(drawn.length, 8, "9 values, one of them null");
    const heights = new Map(drawn.map((r) => [r.children[0].text, Number(r.attrs.height)]));
    assert.equal(heights.get("plain, 2 workers: 300"), 300 * (heights.get("plain, 1 worker: 200") as number) / 200);
    assert.ok(Math.abs((heights.get("Atomics.add, 1 worker: 98") as number) / (heights.get("plain, 1 worker: 200") as number) - 0.49) < 0.01);
    const words = texts(svg);
    for (const v of ["200", "300", "280", "98", "201", "147", "157", "149"]) assert.ok(words.includes(v), `value ${v} not written`);
  });

  test("writes values with the given format", () => {
    const words = texts(mp.barChart({ ...options, format: (v) => `${v.toFixed(1)} ms` }));
    assert.ok(words.includes("147.0 ms"));
  });

  test("draws an all-zero chart (no lost updates) without dividing by zero", () => {
    const svg = mp.barChart({ ...options, series: [{ name: "lost", values: [0, 0, 0] }] });
    assert.deepEqual(bars(svg).map((r) => Number(r.attrs.height)), [0, 0, 0]);
    assert.ok(!svg.includes("NaN") && !svg.includes("Infinity"));
  });

  test("refuses a series of the wrong length, and negative or non-finite values", () => {
    assert.throws(() => mp.barChart({ ...options, series: [{ name: "short", values: [1, 2] }] }), /series "short" has 2 values, but there are 3 groups/);
    assert.throws(() => mp.barChart({ ...options, series: [{ name: "neg", values: [1, -2, 3] }] }), RangeError);
    assert.throws(() => mp.barChart({ ...options, series: [{ name: "nan", values: [1, NaN, 3] }] }), RangeError);
    assert.throws(() => mp.barChart({ ...options, groups: [] }), TypeError);
  });
});

describe("timelineChart", () => {
  const events: mp.TimelineEvent[] = [
    { lane: 0, at: 40, label: "read 41" },
    { lane: 1, at: 41, label: "read 41" },
    { lane: 0, at: 42, label: "write 42", shape: "square", tone: "lost" },
    { lane: 1, at: 43, label: "write 42", shape: "square", tone: "alert" },
    { lane: 1, at: 100, label: "read 99" },
  ];
  const options: mp.TimelineOptions = {
    title: "A lost update",
    lanes: ["worker 1", "worker 2"],
    events,
    links: [{ from: 2, to: 3, label: "overwritten by", tone: "alert" }, { from: 0, to: 2 }],
    legend: [{ label: "read" }, { label: "write", shape: "square" }],
    notes: ["one increment lost"],
  };

  test("is well-formed SVG with lanes, event labels, ticks, legend and notes", () => {
    const svg = mp.timelineChart(options);
    const words = texts(svg);
    for (const label of ["A lost update", "worker 1", "worker 2", "read 41", "write 42", "read 99", "overwritten by", "read", "write", "one increment lost", "logical clock"]) {
      assert.ok(words.includes(label), `label ${label} missing`);
    }
    for (const tick of ["40", "41", "42", "43", "100"]) assert.ok(words.includes(tick), `tick ${tick} missing`);
  });

  test("leaves out ticks with no event and says how many, in order on the axis", () => {
    const svg = mp.timelineChart({ ...options, gapLabel: (k) => `${k} steps not shown` });
    const words = texts(svg);
    assert.ok(words.includes("56 steps not shown"), "the ticks 44..99 are one break of 56");
    const x = (content: string) => Number(all(parseXml(svg), "text").find((t) => t.text === content)?.attrs.x);
    assert.ok(x("40") < x("41") && x("41") < x("43") && x("43") < x("56 steps not shown") && x("56 steps not shown") < x("100"));
  });

  test("draws each arrow with a head, and marks lost and alert events", () => {
    const root = parseXml(mp.timelineChart(options));
    assert.equal(all(root, "polygon").length, 2);
    const lost = all(root, "text").filter((t) => t.attrs["text-decoration"] === "line-through");
    assert.deepEqual(lost.map((t) => t.text), ["write 42"]);
    assert.ok(all(root, "path").some((p) => p.attrs["stroke-dasharray"] !== undefined), "the alert arrow is dashed");
  });

  test("refuses an event on a missing lane, a fractional tick, and an arrow to a missing event", () => {
    assert.throws(() => mp.timelineChart({ ...options, events: [{ lane: 2, at: 1, label: "x" }], links: [] }), /lane 2, but the lanes are 0 to 1/);
    assert.throws(() => mp.timelineChart({ ...options, events: [{ lane: 0, at: 1.5, label: "x" }], links: [] }), TypeError);
    assert.throws(() => mp.timelineChart({ ...options, links: [{ from: 0, to: 9 }] }), RangeError);
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
    const svg = mp.spanChart(options);
    const drawn = bars(svg);
    assert.equal(drawn.length, 4);
    const widths = drawn.map((r) => Number(r.attrs.width));
    assert.ok(Math.abs(widths[1] / widths[0] - 1.01) < 0.01);
    assert.ok(Number(drawn[2].attrs.x) > Number(drawn[1].attrs.x));
  });

  test("writes lanes, the axis, notes and the labels that fit", () => {
    const words = texts(mp.spanChart(options));
    for (const label of ["Who held a printer", "w1", "w2", "w3", "ms since the start signal", "at most 2 at once", "job 1", "0", "100", "200"]) {
      assert.ok(words.includes(label), `label ${label} missing`);
    }
    assert.ok(!words.includes("a label far too long to fit on its bar"));
  });

  test("the time axis starts at a round number just below the first span, not at 0", () => {
    const words = texts(mp.spanChart({ ...options, spans: [{ lane: 0, start: 1730, end: 1850 }, { lane: 1, start: 1800, end: 2610 }] }));
    const ticks = words.filter((w) => /^\d+$/.test(w)).map(Number);
    assert.ok(ticks[0] <= 1730 && ticks[0] >= 1500, `first tick ${ticks[0]}`);
    assert.ok(ticks[ticks.length - 1] >= 2610 && ticks[ticks.length - 1] < 3000, `last tick ${ticks[ticks.length - 1]}`);
  });

  test("refuses a span that ends before it starts", () => {
    assert.throws(() => mp.spanChart({ ...options, spans: [{ lane: 0, start: 5, end: 4 }] }), RangeError);
  });
});

describe("sideBySide", () => {
  test("places pictures left to right in one well-formed SVG", () => {
    const a = mp.barChart({ title: "a", groups: ["g"], series: [{ name: "s", values: [1] }], yLabel: "y", width: 300, height: 200 });
    const b = mp.barChart({ title: "b", groups: ["g"], series: [{ name: "s", values: [2] }], yLabel: "y", width: 200, height: 250 });
    const root = parseXml(mp.sideBySide([a, b], 10));
    assert.equal(root.attrs.width, "510");
    assert.equal(root.attrs.height, "250");
    const inner = root.children.filter((c) => c.name === "svg");
    assert.deepEqual(inner.map((c) => c.attrs.x), ["0", "310"]);
  });

  test("refuses text that is not one of these pictures", () => {
    assert.throws(() => mp.sideBySide(["<div/>"]), TypeError);
  });
});

test("any label text, however odd, stays well-formed and reads back the same", () => {
  // Characters XML cannot hold at all are drawn as U+FFFD; everything else comes back unchanged.
  const readable = (s: string) => s.replace(XML_FORBIDDEN, "\uFFFD");
  const anyText = fc.string({ unit: "binary", maxLength: 30 });
  fc.assert(
    fc.property(anyText, anyText, (lane, label) => {
      fc.pre(lane.length > 0 && label.length > 0);
      const timeline = texts(mp.timelineChart({ title: label, lanes: [lane], events: [{ lane: 0, at: 1, label }], links: [] }));
      assert.ok(timeline.includes(readable(lane)) && timeline.includes(readable(label)));
      const bar = texts(mp.barChart({ title: label, groups: [lane], series: [{ name: label, values: [1] }], yLabel: label }));
      assert.ok(bar.includes(readable(lane)) && bar.includes(readable(label)));
    }),
    { numRuns: 60 },
  );
});

test("escapeXml replaces lone surrogates, which no XML can hold", () => {
  assert.equal(mp.escapeXml("a\uD800b\uDC00c\uD83D\uDE00"), "a\uFFFDb\uFFFDc\uD83D\uDE00");
});
