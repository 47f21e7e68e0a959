/**
 * draw.live(): one output redrawn in place. The clock and the timers are node:test's mock timers, so
 * the throttling is checked against exact times, not against how fast this machine happens to be;
 * the frames go to tslab's own writer module with a recorder in the writer's place (what a running
 * kernel sets per cell), as in host.test.ts.
 */
import { afterEach, beforeEach, describe, mock, test } from "node:test";
import * as assert from "node:assert/strict";
import * as draw from "../dist/display";
import { useHost } from "../dist/host";
import * as mp from "../dist";

interface Sent {
  at: number;
  update: boolean;
  content: { data: Record<string, string>; transient: { display_id?: string } };
}

const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
let sent: Sent[] = [];

beforeEach(() => {
  mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: 0 });
  useHost("tslab");
  sent = [];
  jupyter.lastWriteDisplayData = (content: Sent["content"], update: boolean) => sent.push({ at: Date.now(), update, content });
});

afterEach(() => {
  mock.timers.reset();
  useHost("plain");
  jupyter.lastWriteDisplayData = null;
});

/** A small chart of `value`. */
function chart(value: number): draw.Picture {
  return draw.barChart({ title: "Balance", groups: ["now"], series: [{ name: "balance", values: [value] }], yLabel: "dollars" });
}

describe("draw.live", () => {
  test("the first frame is a display_data with a display id; later ones replace it, at most fps a second, asks in between merged", () => {
    let value = 0;
    const view = draw.live(() => chart(value), { fps: 4 });
    assert.equal(view.interval, 250);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].update, false);
    assert.equal(sent[0].content.transient.display_id, view.id);

    // 100 asks, one every 10 ms for a second, each after a change.
    for (let t = 1; t <= 100; t++) {
      mock.timers.tick(10);
      value = t;
      view.redraw();
    }
    mock.timers.tick(250);
    const times = sent.map((s) => s.at);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 250, `frames ${i - 1} and ${i} came ${times[i] - times[i - 1]} ms apart: ${times.join(", ")}`);
    // A second of asks at 4 a second: the first frame, four or five throttled ones.
    assert.ok(sent.length >= 5 && sent.length <= 6, `${sent.length} frames: ${times.join(", ")}`);
    assert.ok(sent.slice(1).every((s) => s.update && s.content.transient.display_id === view.id));
    // The frames in between carry the SVG and the text, not the PNG (slow to render).
    assert.ok(sent.every((s) => Object.keys(s.content.data).sort().join() === "image/svg+xml,text/plain"));
    // The frame sent last shows the last value asked for, not a stale one.
    assert.match(sent.at(-1)!.content.data["text/plain"], /100/);
    assert.equal(view.frames, sent.length);
  });

  test("a frame equal to the one shown is not sent again, but the last is sent whole (with its PNG)", () => {
    const view = draw.live(() => chart(7));
    for (let i = 0; i < 10; i++) {
      mock.timers.tick(300);
      view.redraw();
    }
    assert.equal(sent.length, 1);
    view.finish();
    assert.equal(sent.length, 2);
    assert.deepEqual(sent[1].content.data, chart(7).displayData().data);
  });

  test("pngEveryFrame: every frame is the whole bundle, and an unchanged last frame is not sent again", () => {
    let value = 1;
    const view = draw.live(() => chart(value), { pngEveryFrame: true });
    value = 2;
    mock.timers.tick(300);
    view.redraw();
    view.finish();
    assert.equal(sent.length, 2);
    assert.ok(sent.every((s) => "image/png" in s.content.data));
    assert.throws(() => draw.live(() => chart(1), { pngEveryFrame: "yes" as never }), TypeError);
  });

  test("finish() sends the final state at once as the whole bundle, which the output keeps; the picture then refuses more", () => {
    let value = 1;
    const view = draw.live(() => chart(value), { fps: 2 });
    value = 2;
    view.redraw(); // too soon after the first frame: waits for its turn
    value = 3;
    view.finish(); // does not wait: the final frame goes now, and the waiting one is dropped
    mock.timers.tick(1000);
    assert.equal(sent.length, 2);
    const last = sent[1];
    assert.equal(last.update, true);
    assert.deepEqual(Object.keys(last.content.data).sort(), ["image/png", "image/svg+xml", "text/plain"]);
    assert.deepEqual(last.content.data, chart(3).displayData().data);
    assert.ok(view.finished);
    assert.throws(() => view.redraw(), /this picture is finished.*draw\.live\(\)/);
    view.finish();
    assert.equal(sent.length, 2);
  });

  test("follow() redraws while the work runs and ends on the final frame", async () => {
    let value = 0;
    const view = draw.live(() => chart(value), { fps: 5 });
    const changer = setInterval(() => value++, 20);
    let done!: (v: string) => void;
    const work = new Promise<string>((resolve) => (done = resolve));
    const followed = view.follow(work);
    for (let i = 0; i < 100; i++) mock.timers.tick(10);
    clearInterval(changer);
    value = 999;
    done("ok");
    assert.equal(await followed, "ok");
    const times = sent.map((s) => s.at);
    assert.ok(sent.length >= 6, `only ${sent.length} frames in a second at 5 a second`);
    for (let i = 1; i < times.length - 1; i++) assert.ok(times[i] - times[i - 1] >= 200, `frames ${i - 1} and ${i}: ${times.join(", ")}`);
    assert.match(sent.at(-1)!.content.data["text/plain"], /999/);
    assert.ok(view.finished);
  });

  test("a drawing that fails on a timer is not lost: the next call throws it", () => {
    let fail = false;
    const view = draw.live(() => {
      if (fail) throw new Error("no data yet");
      return chart(1);
    });
    view.redraw();
    fail = true;
    view.redraw();
    mock.timers.tick(300);
    assert.throws(() => view.finish(), /no data yet/);
  });

  test("bad arguments, and a host without pictures, are refused with what to do", () => {
    assert.throws(() => draw.live("chart" as never), (e: unknown) => e instanceof TypeError && /pass a function that draws/.test(e.message));
    assert.throws(() => draw.live(() => chart(1), { fps: 0 }), (e: unknown) => e instanceof RangeError && /fps is 0; it must be a number from 1 to 10/.test(e.message));
    assert.throws(() => draw.live(() => chart(1), { fps: 60 }), RangeError);
    assert.throws(() => draw.live(() => "x" as never), TypeError);
    useHost("plain");
    assert.throws(() => draw.live(() => chart(1)), (e: unknown) => e instanceof mp.MpError && /draw\.live\(\): a plain Node program.*String\(picture\)/.test(e.message));
  });
});

test("whenDrawn() resolves once the frame waiting for its turn has been sent", async () => {
  let value = 1;
  const view = draw.live(() => chart(value), { fps: 2 });
  await view.whenDrawn(); // nothing waiting
  value = 2;
  view.redraw();
  let drawn = false;
  const waiting = view.whenDrawn().then(() => (drawn = true));
  await Promise.resolve();
  assert.equal(drawn, false);
  assert.equal(sent.length, 1);
  mock.timers.tick(500);
  await waiting;
  assert.equal(sent.length, 2);
  assert.match(sent[1].content.data["text/plain"], /\b2\b/);
});
