/**
 * Process: output, exit codes, pid, names, join timeouts, terminate, the kinds of target that can
 * run in a worker, how arguments travel (shared objects by memory, the rest copied), errors from
 * the worker, and every bad use, each with its error class and a message that names the problem.
 */
import { after, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import { inspect } from "node:util";
import * as mp from "../dist";
import { captureStdout, fails, finish, run, until } from "./helpers/util";

after(() => mp.terminateAll());

describe("output and exit", () => {
  test("a worker's console.log lines have all arrived, in order, when join() resolves", async () => {
    const { text } = await captureStdout(async () => {
      const p = new mp.Process({
        target: (n: number) => {
          for (let i = 1; i <= n; i++) console.log(`line ${i}`);
          process.stdout.write("no newline at the end");
        },
        args: [200],
      });
      p.start();
      await finish(p);
    });
    const expected = Array.from({ length: 200 }, (_, i) => `line ${i + 1}`).join("\n") + "\nno newline at the end";
    assert.equal(text, expected);
  });

  test("output of two processes joined one after the other lands before each join resolves", async () => {
    const { text } = await captureStdout(async () => {
      const a = new mp.Process({ target: () => console.log("from a") });
      a.start();
      await finish(a);
      console.log("between");
      const b = new mp.Process({ target: () => console.log("from b") });
      b.start();
      await finish(b);
    });
    assert.equal(text, "from a\nbetween\nfrom b\n");
  });

  test("exitCode is null before start, 0 when target returns, and isAlive follows the worker", async () => {
    const p = new mp.Process({ target: () => mp.sleep(0.05) });
    assert.equal(p.exitCode, null);
    assert.equal(p.isAlive(), false);
    assert.equal(p.pid, null);
    assert.match(String(p), /^<Process name='Process-\d+' initial>$/);
    p.start();
    assert.equal(p.isAlive(), true);
    assert.equal(p.exitCode, null);
    assert.match(inspect(p), new RegExp(`^<Process name='${p.name}' pid=${p.pid} started>$`));
    await finish(p);
    assert.equal(p.isAlive(), false);
    assert.equal(p.exitCode, 0);
    assert.equal(String(p), `<Process name='${p.name}' pid=${p.pid} stopped exitcode=0>`);
  });

  test("a target that sets process.exitCode ends with that code, as Python's sys.exit(3)", async () => {
    const p = await run(() => {
      process.exitCode = 3;
    }, []);
    assert.equal(p.exitCode, 3);
    assert.match(String(p), /stopped exitcode=3>$/);
    const later = await run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      process.exitCode = 7;
    }, []);
    assert.equal(later.exitCode, 7, "an async target's exit code, set after an await");
  });

  test("exitCode is 1 when target throws", async () => {
    const p = new mp.Process({
      target: () => {
        throw new Error("nope");
      },
    });
    p.start();
    await assert.rejects(finish(p), mp.ProcessError);
    assert.equal(p.exitCode, 1);
    assert.equal(p.isAlive(), false);
  });

  test("pid is the worker's threadId, a new one for each process", async () => {
    const seen = mp.Array("i", 2);
    const target = (seen: mp.SharedArray<"i">, i: number) => {
      seen[i] = require("node:worker_threads").threadId;
    };
    const a = await run(target, [seen, 0]);
    const b = await run(target, [seen, 1]);
    assert.equal(a.pid, seen[0]);
    assert.equal(b.pid, seen[1]);
    assert.notEqual(a.pid, b.pid);
    assert.ok((a.pid ?? 0) > 0);
  });

  test("names count up, Process-1, Process-2, ...; a given name is kept", () => {
    const first = new mp.Process({ target: () => 1 });
    const second = new mp.Process({ target: () => 1 });
    const n = Number(/^Process-(\d+)$/.exec(first.name)?.[1]);
    assert.ok(n >= 1);
    assert.equal(second.name, `Process-${n + 1}`);
    assert.equal(new mp.Process({ target: () => 1, name: "depositor" }).name, "depositor");
  });
});

describe("join timeouts and terminate", () => {
  test("join({ timeout }) throws a TimeoutError naming the process; it runs on until terminate()", async () => {
    const p = new mp.Process({
      target: () => {
        for (;;) mp.sleep(0.01);
      },
      name: "sleeper",
    });
    p.start();
    try {
      const t0 = performance.now();
      await assert.rejects(p.join({ timeout: 0.1 }), fails(mp.TimeoutError, "sleeper.join()", "0.1 s", "terminate()"));
      assert.ok(performance.now() - t0 >= 95);
      assert.equal(p.isAlive(), true);
      assert.equal(p.exitCode, null);
    } finally {
      await p.terminate();
    }
    assert.equal(p.isAlive(), false);
    assert.equal(p.exitCode, -15);
    await p.join({ timeout: 1 }); // a terminated process joins at once, without an error
    await p.terminate(); // and terminating it again is harmless
    assert.equal(p.exitCode, -15);
  });

  test("terminate() ends a worker spinning without ever yielding", async () => {
    const p = new mp.Process({
      target: () => {
        for (;;);
      },
    });
    p.start();
    await mp.sleepAsync(0.05);
    await p.terminate();
    assert.equal(p.exitCode, -15);
  });

  test("terminate() after a normal end keeps exitCode 0", async () => {
    const p = await run(() => 1, []);
    await p.terminate();
    assert.equal(p.exitCode, 0);
  });

  test("kill() ends a worker as terminate() does, with Python's exitCode -9 (SIGKILL)", async () => {
    const p = new mp.Process({
      target: () => {
        for (;;);
      },
    });
    p.start();
    await mp.sleepAsync(0.05);
    await p.kill();
    assert.equal(p.isAlive(), false);
    assert.equal(p.exitCode, -9);
    assert.equal(String(p), `<Process name='${p.name}' pid=${p.pid} stopped exitcode=-9>`);
    await p.kill(); // killing it again is harmless, and changes nothing
    await p.terminate();
    assert.equal(p.exitCode, -9);
    await assert.rejects(new mp.Process({ target: () => 1 }).kill(), fails(mp.ProcessStateError, "kill() was called before start()"));
  });

  test("a lock held by a killed worker is abandoned, as after terminate(): acquire fails instead of hanging", async () => {
    const lock = new mp.Lock();
    const held = mp.Value("i", 0);
    const holder = new mp.Process({
      target: (lock: mp.Lock, held: mp.Value) => {
        lock.acquire();
        held.value = 1;
        for (;;) mp.sleep(0.01);
      },
      args: [lock, held],
    });
    holder.start();
    await until(() => held.value === 1, "the holder to take the lock");
    await holder.kill();
    await assert.rejects(lock.acquireAsync({ timeout: 5 }), (e: unknown) => e instanceof mp.LockOwnerDiedError && e.ownerThreadId === holder.pid);
  });

  test("activeChildren() lists running processes; terminateAll() ends them and says how many", async () => {
    assert.deepEqual(mp.activeChildren(), []);
    const forever = () => {
      for (;;) mp.sleep(0.01);
    };
    const a = new mp.Process({ target: forever });
    const b = new mp.Process({ target: forever });
    const done = new mp.Process({ target: () => 1 });
    a.start();
    b.start();
    done.start();
    await finish(done);
    assert.deepEqual(new Set(mp.activeChildren()), new Set([a, b]));
    assert.equal(await mp.terminateAll(), 2);
    assert.deepEqual(mp.activeChildren(), []);
    assert.equal(a.exitCode, -15);
    assert.equal(b.exitCode, -15);
    assert.equal(await mp.terminateAll(), 0);
  });
});

describe("targets", () => {
  test("an async target is awaited before the process ends", async () => {
    const v = mp.Value("i");
    await run(
      async (v: mp.SharedValue<"i">) => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        v.value = 7;
      },
      [v],
    );
    assert.equal(v.value, 7);
  });

  test("an async target that rejects is a ProcessError", async () => {
    const p = new mp.Process({
      target: async () => {
        await mp.sleepAsync(0.01);
        throw new RangeError("later");
      },
    });
    p.start();
    await assert.rejects(finish(p), (e: unknown) => e instanceof mp.ProcessError && e.remoteName === "RangeError" && /later/.test(e.message));
  });

  test("a method written in shorthand, a named function expression and a function declaration all run", async () => {
    const v = mp.Array("i", 3);
    const account = {
      deposit(v: mp.SharedArray<"i">) {
        v[0] = 1;
      },
    };
    function declared(v: mp.SharedArray<"i">) {
      v[1] = 2;
    }
    await run(account.deposit, [v]);
    await run(declared, [v]);
    await run(
      async function named(v: mp.SharedArray<"i">) {
        v[2] = 3;
      },
      [v],
    );
    assert.deepEqual(v.toArray(), [1, 2, 3]);
  });

  test("inside a worker the library is the global mp, and require() resolves from the working directory", async () => {
    const out = mp.Array("i", 4);
    await run(
      (out: mp.SharedArray<"i">) => {
        const made = mp.Value("i", 41);
        made.value = made.value + 1;
        out[0] = made.value;
        out[1] = typeof mp.Process === "function" ? 1 : 0;
        // acorn-globals is one of this project's own dependencies: found only from the working directory.
        const findGlobals = require("acorn-globals");
        out[2] = findGlobals("x + y").length;
        out[3] = require("node:worker_threads").isMainThread ? 1 : 0;
      },
      [out],
    );
    assert.deepEqual(out.toArray(), [42, 1, 2, 0]);
  });
  test("a worker does not load ts-node, even when the parent runs under it", async (t) => {
    if (!(".ts" in require.extensions)) {
      t.skip("this run does not use ts-node");
      return;
    }
    const out = mp.Value("i", -1);
    await run(
      (out: mp.SharedValue<"i">) => {
        out.value = ".ts" in require.extensions ? 1 : 0;
      },
      [out],
    );
    assert.equal(out.value, 0, "the worker registered ts-node's loader for .ts files");
  });
});

describe("arguments", () => {
  test("Values, Arrays and Locks nested in arrays and objects are rebuilt over the same memory", async () => {
    const v = mp.Value("d", 1.5);
    const arr = mp.Array("q", 2);
    const lock = new mp.Lock();
    const rlock = new mp.RLock();
    const report = mp.Array("i", 5);
    await run(
      (
        box: { nested: [{ deep: mp.SharedValue<"d"> }, mp.SharedArray<"q">]; locks: { lock: mp.Lock; rlock: mp.RLock } },
        report: mp.SharedArray<"i">,
      ) => {
        const v = box.nested[0].deep;
        const arr = box.nested[1];
        report[0] = v instanceof mp.SharedValue ? 1 : 0;
        report[1] = box.locks.lock instanceof mp.Lock && !(box.locks.lock instanceof mp.RLock) ? 1 : 0;
        report[2] = box.locks.rlock instanceof mp.RLock ? 1 : 0;
        report[3] = arr.length;
        v.value = v.value * 2;
        arr[-1] = 2n ** 40n;
        box.locks.lock.acquire();
        report[4] = box.locks.rlock.acquire({ blocking: false }) ? 1 : 0;
        box.locks.rlock.release();
      },
      [{ nested: [{ deep: v }, arr], locks: { lock, rlock } }, report],
    );
    assert.deepEqual(report.toArray(), [1, 1, 1, 2, 1]);
    assert.equal(v.value, 3);
    assert.deepEqual(arr.toArray(), [0n, 2n ** 40n]);
    assert.equal(rlock.locked(), false);
    // The worker ended holding the lock: the parent sees that through the same memory.
    assert.equal(lock.locked(), true);
  });

  test("a plain array or object in args is a copy: the parent's is unchanged", async () => {
    const items = [5, 6, 7, 8];
    const settings = { rate: 2, names: ["a"] };
    const seen = mp.Array("i", 2);
    await run(
      (items: number[], settings: { rate: number; names: string[] }, seen: mp.SharedArray<"i">) => {
        items.push(9);
        items[0] = 0;
        settings.rate = 100;
        settings.names.push("b");
        seen[0] = items.length;
        seen[1] = settings.rate;
      },
      [items, settings, seen],
    );
    assert.deepEqual(seen.toArray(), [5, 100], "the worker changed its own copy");
    assert.deepEqual(items, [5, 6, 7, 8]);
    assert.deepEqual(settings, { rate: 2, names: ["a"] });
  });

  test("args are copied at start(): later changes in the parent do not reach the worker", async () => {
    const items = [1];
    const seen = mp.Value("i");
    const p = new mp.Process({
      target: (items: number[], seen: mp.SharedValue<"i">) => {
        seen.value = items[0];
      },
      args: [items, seen],
    });
    items[0] = 2;
    p.start();
    items[0] = 3;
    await finish(p);
    assert.equal(seen.value, 2);
  });

  test("Map, Date, typed arrays and bigints are copied by structured clone", async () => {
    const out = mp.Array("d", 4);
    await run(
      (m: Map<string, number>, d: Date, t: Float64Array, n: bigint, out: mp.SharedArray<"d">) => {
        out[0] = m.get("k") ?? -1;
        out[1] = d.getTime();
        out[2] = t[1];
        out[3] = Number(n);
      },
      [new Map([["k", 3]]), new Date(1000), new Float64Array([0, 2.5]), 7n, out],
    );
    assert.deepEqual(out.toArray(), [3, 1000, 2.5, 7]);
  });
});

describe("errors from the worker", () => {
  test("a library error inside a worker shows the learner's frame, not the library's", async () => {
    const p = new mp.Process({ target: function napBackwards() { mp.sleep(-1); }, name: "napper" });
    p.start();
    await assert.rejects(finish(p), (e: unknown) => {
      assert.ok(e instanceof mp.ProcessError);
      assert.equal(e.remoteName, "RangeError");
      const stack = e.stack ?? "";
      assert.match(stack, /^ProcessError: napper failed: RangeError: sleep\(\): seconds is -1/);
      assert.match(stack, /\n\s+at napBackwards \(napper:\d+:\d+\)/);
      assert.doesNotMatch(stack, /[\\/](dist|src)[\\/]\w+\.[jt]s/, `library frames in the learner's stack:\n${stack}`);
      return true;
    });
  });

  test("a ProcessError carries the worker's message, the process name, and a stack pointing at the target", async () => {
    const p = new mp.Process({
      target: function withdrawTooMuch(balance: mp.SharedValue<"i">) {
        if (balance.value < 500) throw new Error(`balance ${balance.value} is below 500`);
      },
      args: [mp.Value("i", 200)],
      name: "withdrawer",
    });
    p.start();
    await assert.rejects(finish(p), (e: unknown) => {
      assert.ok(e instanceof mp.ProcessError);
      assert.equal(e.processName, "withdrawer");
      assert.equal(e.exitCode, 1);
      assert.equal(e.remoteName, "Error");
      assert.equal(e.message, "withdrawer failed: Error: balance 200 is below 500");
      assert.match(e.stack ?? "", /balance 200 is below 500/);
      assert.match(e.stack ?? "", /at withdrawTooMuch \(withdrawer:\d+:\d+\)/);
      assert.doesNotMatch(e.stack ?? "", /worker-main/, "the library's own frames are left out");
      return true;
    });
  });

  test("a ReferenceError inside a worker says that the notebook's variables are not there", async () => {
    const p = new mp.Process({
      target: () => {
        // eval hides the name from the check at construction, as a learner's typo inside a string would.
        return (0, eval)("notebookVariable + 1");
      },
    });
    p.start();
    await assert.rejects(finish(p), fails(mp.ProcessError, "ReferenceError", "notebookVariable", "pass what it needs through args"));
  });

  test("a target that throws something other than an Error still fails with a message", async () => {
    const p = new mp.Process({
      target: () => {
        throw "a string";
      },
    });
    p.start();
    await assert.rejects(finish(p), fails(mp.ProcessError, "a string", "not an Error"));
  });

  test("a failure nobody joins is written to stderr, not lost", async () => {
    const original = process.stderr.write;
    const chunks: string[] = [];
    process.stderr.write = ((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const p = new mp.Process({
        target: () => {
          throw new Error("unheard");
        },
        name: "forgotten",
      });
      p.start();
      await until(() => p.exitCode !== null, "the process to end");
    } finally {
      process.stderr.write = original;
    }
    assert.match(chunks.join(""), /forgotten failed, and nobody was waiting in join\(\)[^]*unheard/);
  });
});

describe("bad uses", () => {
  const noop = (..._args: unknown[]) => undefined;

  test("a target that is not a function is a TypeError naming it", () => {
    assert.throws(() => new mp.Process({ target: 42 as unknown as () => void }), fails(TypeError, "target must be a function", "42"));
    assert.throws(() => new mp.Process({ target: "work" as unknown as () => void }), fails(TypeError, "target", '"work"'));
    assert.throws(() => new mp.Process({} as mp.ProcessOptions<[]>), fails(TypeError, "target", "undefined"));
  });

  test("a bound function is a TypeError: it has no source to rebuild", () => {
    function work(this: { x: number }) {
      return this.x;
    }
    assert.throws(() => new mp.Process({ target: work.bind({ x: 1 }) }), fails(TypeError, "bound work", "bound or built-in", "args"));
    assert.throws(() => new mp.Process({ target: Math.max }), fails(TypeError, "max", "bound or built-in"));
  });

  test("a closure over an outer variable is a TypeError that names the variable", () => {
    const rate = 2;
    const fee = 1;
    assert.throws(
      () => new mp.Process({ target: (v: mp.SharedValue<"i">) => (v.value = v.value * rate) }),
      fails(TypeError, "Process(): target uses `rate`, which is not defined inside a worker", "Pass `rate` through args"),
    );
    function compound(v: mp.SharedValue<"i">) {
      v.value = v.value * rate;
    }
    assert.throws(() => new mp.Process({ target: compound }), fails(TypeError, "Process(): target compound uses `rate`"));
    assert.throws(
      () => new mp.Process({ target: () => rate + fee }),
      fails(TypeError, /uses `(rate` and `fee|fee` and `rate)`, which are not defined inside a worker/),
    );
    assert.throws(() => new mp.Process({ target: () => noop() }), fails(TypeError, "`noop`"));
  });

  test("a target that calls a helper from outside is told to define it inside or require() it, not to pass it in args", () => {
    const rate = 2;
    function addOne(x: number) {
      return x + 1;
    }
    assert.throws(() => new mp.Process({ target: (v: mp.SharedValue<"i">) => (v.value = addOne(v.value)) }), (e: unknown) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /target uses `addOne`, which is not defined inside a worker/);
      assert.match(e.message, /A function cannot be sent to a worker: define `addOne` inside target \(a function declared in its body travels with it\), or put it in a module file and require\(\) it inside target\./);
      assert.doesNotMatch(e.message, /Pass `addOne` through args/);
      return true;
    });
    // A helper and a value together: each gets its own advice.
    assert.throws(
      () => new mp.Process({ target: (v: mp.SharedValue<"i">) => (v.value = addOne(v.value) * rate) }),
      fails(TypeError, "define `addOne` inside target", "Pass `rate` through args"),
    );
  });

  test("a class is a TypeError", () => {
    class Worker {
      run() {
        return 1;
      }
    }
    assert.throws(() => new mp.Process({ target: Worker as unknown as () => void }), fails(TypeError, "target Worker is a class"));
  });

  test("args and name of the wrong kind are TypeErrors", () => {
    assert.throws(() => new mp.Process({ target: noop, args: 5 as unknown as [] }), fails(TypeError, "args must be an array", "5"));
    assert.throws(() => new mp.Process({ target: noop, name: "" }), fails(TypeError, "name must be a non-empty string"));
    assert.throws(() => new mp.Process(null as unknown as mp.ProcessOptions<[]>), fails(TypeError, "null", "{ target: work"));
  });

  test("start() twice is an Error; the process still ends normally", async () => {
    const p = new mp.Process({ target: noop, name: "twice" });
    p.start();
    assert.throws(() => p.start(), fails(mp.ProcessStateError, "twice was already started", "only be started once"));
    await finish(p);
    assert.equal(p.exitCode, 0);
  });

  test("join() and terminate() before start() are Errors", async () => {
    const p = new mp.Process({ target: noop, name: "unstarted" });
    await assert.rejects(p.join(), fails(mp.ProcessStateError, "join() was called before start()", "unstarted"));
    await assert.rejects(p.terminate(), fails(mp.ProcessStateError, "terminate() was called before start()", "unstarted"));
  });

  test("a function inside args is a TypeError naming its path, and nothing starts", () => {
    const p = new mp.Process({ target: noop, args: [1, () => 2] });
    assert.throws(() => p.start(), fails(TypeError, "args[1]", "function", "cannot be copied"));
    assert.equal(p.isAlive(), false);
    assert.deepEqual(mp.activeChildren(), []);
    const q = new mp.Process({ target: noop, args: [{ account: { onChange: noop } }] });
    assert.throws(() => q.start(), fails(TypeError, "args[0].account.onChange"));
    const r = new mp.Process({ target: noop, args: [[Symbol("s")]] });
    assert.throws(() => r.start(), fails(TypeError, "args[0][0]", "symbol"));
  });

  test("args structured clone cannot copy are a TypeError naming the process", () => {
    const p = new mp.Process({ target: noop, args: [new WeakMap()], name: "weak" });
    assert.throws(() => p.start(), fails(TypeError, "weak.start()", "could not be sent", "WeakMap"));
    assert.deepEqual(mp.activeChildren(), []);
  });

  test("bad join timeouts are refused, naming the value", async () => {
    const p = new mp.Process({ target: noop, name: "timed" });
    p.start();
    await assert.rejects(p.join({ timeout: -1 }), fails(RangeError, "timed.join()", "timeout is -1", "0 or more"));
    await assert.rejects(p.join({ timeout: NaN }), fails(TypeError, "timeout", "NaN"));
    await assert.rejects(p.join({ timeout: "1" as unknown as number }), fails(TypeError, "timeout", '"1"'));
    await finish(p);
  });

  test("sleep() on the main thread is a BlockingCallError; bad sleep durations are refused", async () => {
    assert.throws(() => mp.sleep(0.01), fails(mp.BlockingCallError, "sleep()", "sleepAsync"));
    assert.throws(() => mp.sleep(-1), fails(RangeError, "seconds is -1"));
    assert.throws(() => mp.sleepAsync(NaN), fails(TypeError, "seconds", "NaN"));
    const t0 = performance.now();
    await mp.sleepAsync(0.03);
    assert.ok(performance.now() - t0 >= 25);
  });
});
