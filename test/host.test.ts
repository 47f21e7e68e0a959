/**
 * The host (src/host.ts): in a plain Node program the library speaks of the main thread and reads
 * a target's names as written; as the tslab kernel it speaks of the notebook, reads `exports.x` (a
 * name from an earlier cell) as `x`, and gives workers `exports.mp`. The interrupt handling of the
 * tslab host is tested through a real kernel (test/notebooks/test_kernel_reliability.py).
 * `display` is tested against tslab's own module (the one whose writer a running kernel sets per
 * cell), with a recorder in the writer's place: what goes over the wire from there is tslab's.
 */
import { after, afterEach, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { host, useHost, type MimeBundle } from "../dist/host";
import { fails, run } from "./helpers/util";

after(() => mp.terminateAll());
afterEach(() => useHost("plain"));

/** A target as tslab compiles one that uses `balance` from an earlier cell. */
const fromLaterCell = new Function("return function work() { return exports.balance + 1; }")() as () => number;

describe("the plain host (a Node program, as these tests are)", () => {
  test("is the one in force here, and its messages do not speak of notebooks", async () => {
    assert.equal(host().name, "plain");
    assert.throws(() => new mp.Lock().acquire(), (e: unknown) => {
      assert.ok(e instanceof mp.BlockingCallError);
      assert.match(e.message, /would block the main thread:/);
      assert.doesNotMatch(e.message, /notebook/);
      return true;
    });
    assert.throws(() => new mp.Process({ target: fromLaterCell }), fails(TypeError, "uses `exports`", "around it"));
  });

  test("gives a worker mp and require, and no exports", async () => {
    const seen = mp.Array("i", 3);
    await run((seen: mp.SharedArray<"i">) => {
      const g = globalThis as { exports?: unknown };
      seen[0] = typeof mp === "object" ? 1 : 2;
      seen[1] = typeof require === "function" ? 1 : 2;
      seen[2] = g.exports === undefined ? 1 : 2;
    }, [seen]);
    assert.deepEqual(seen.toArray(), [1, 1, 1]);
  });
});

describe("the tslab host", () => {
  test("speaks of the notebook, and reads exports.balance as balance", () => {
    useHost("tslab");
    assert.throws(() => new mp.Lock().acquire(), fails(mp.BlockingCallError, "main thread, which runs the notebook's kernel"));
    assert.throws(() => new mp.Process({ target: fromLaterCell }), fails(TypeError, "uses `balance`", "the notebook's variables"));
  });

  test("gives a worker exports.mp, for a target from a later cell than the import", async () => {
    useHost("tslab");
    const seen = mp.Array("i", 1);
    await run((seen: mp.SharedArray<"i">) => {
      const g = globalThis as { exports?: { mp?: unknown } };
      seen[0] = g.exports?.mp === mp ? 1 : 2;
    }, [seen]);
    assert.equal(seen[0], 1);
  });

  test("useHost refuses a name it does not know", () => {
    assert.throws(() => useHost("jupyter" as never), fails(TypeError, '"jupyter"', "plain and tslab"));
  });
});

describe("display", () => {
  const bundle: MimeBundle = { data: { "image/svg+xml": "<svg/>", "text/plain": "a picture" }, metadata: {} };

  test("the plain host refuses, saying where pictures show and what to do instead", () => {
    const outcome = host().display(bundle, {});
    assert.equal(outcome.shown, false);
    assert.match(outcome.shown ? "" : outcome.why, /plain Node program.*only in a notebook cell run by the tslab kernel.*picture\.png\(\).*String\(picture\)/);
  });

  test("the tslab host refuses before a cell has run (its writer is not ready), then sends through the kernel's writer", (t) => {
    useHost("tslab");
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
    t.after(() => {
      jupyter.lastWriteDisplayData = null;
    });
    jupyter.lastWriteDisplayData = null;
    const before = host().display(bundle, {});
    assert.equal(before.shown, false);
    assert.match(before.shown ? "" : before.why, /no output to show it in yet: run it from a notebook cell/);

    const sent: { content: object; update: boolean }[] = [];
    jupyter.lastWriteDisplayData = (content: object, update: boolean) => sent.push({ content, update });
    assert.deepEqual(host().display(bundle, {}), { shown: true });
    assert.deepEqual(host().display(bundle, { id: "view-1" }), { shown: true });
    assert.deepEqual(host().display({ ...bundle, data: { "text/plain": "later" } }, { id: "view-1", update: true }), { shown: true });
    assert.deepEqual(sent, [
      { content: { ...bundle, transient: {} }, update: false },
      { content: { ...bundle, transient: { display_id: "view-1" } }, update: false },
      { content: { data: { "text/plain": "later" }, metadata: {}, transient: { display_id: "view-1" } }, update: true },
    ]);
  });
});
