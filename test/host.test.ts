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
import { resolve } from "node:path";
import { inspect } from "node:util";
import * as vm from "node:vm";
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

  test("a helper function of an earlier cell, as tslab compiles its call, gets the advice that works", () => {
    useHost("tslab");
    for (const call of ["exports.addOne(v)", "(0, exports.addOne)(v)"]) {
      const target = new Function(`return function work(v) { return ${call}; }`)() as (v: number) => number;
      assert.throws(() => new mp.Process({ target, args: [1] }), (e: unknown) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, /uses `addOne`/);
        assert.match(e.message, /define `addOne` inside target work/);
        assert.match(e.message, /require\(\) it inside target work/);
        assert.doesNotMatch(e.message, /through args/, "a function cannot travel in args: that advice goes in a circle");
        return true;
      });
    }
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

  test("a library error, as the kernel prints a cell's error, opens with its message and shows no library code", () => {
    // tslab runs a cell with vm.runInThisContext and prints what it throws with console.error.
    const g = globalThis as { mpForCell?: typeof mp };
    g.mpForCell = mp;
    try {
      vm.runInThisContext("new mpForCell.Lock().acquire(); new mpForCell.Lock().acquire();");
      assert.fail("acquire() on the main thread did not throw");
    } catch (error) {
      const printed = inspect(error);
      assert.match(printed, /^BlockingCallError: Lock\.acquire\(\) would block/, `it opens with something else:\n${printed}`);
      const library = resolve(__dirname, "..", "dist");
      assert.ok(!printed.includes(library), `library internals in what the learner sees:\n${printed}`);
      assert.match(printed, /\n\s+at evalmachine/, "the learner's own frame (the cell) is kept");
    }
    try {
      vm.runInThisContext("function addOne(x) { return x + 1; } new mpForCell.Process({ target: (x) => addOne(x) });");
      assert.fail("a target calling a helper from outside was not refused");
    } catch (error) {
      const printed = inspect(error);
      assert.match(printed, /^TypeError: Process\(\): target uses `addOne`/, `it opens with something else:\n${printed}`);
      assert.ok(!printed.includes(resolve(__dirname, "..", "dist")), `library internals in what the learner sees:\n${printed}`);
    } finally {
      delete g.mpForCell;
    }
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
