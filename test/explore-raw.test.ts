/**
 * Raw shared memory under the explorer: typed arrays over a `SharedArrayBuffer` passed in `args`
 * (as notebook 06 builds its locks), whose element reads and writes and `Atomics` calls are steps,
 * with `Atomics.wait`/`notify` modelled as the library's waits and `Atomics.waitAsync` as a wait whose
 * answer comes as a promise; what cannot be scheduled is refused.
 * Each scenario here is explored exhaustively (every schedule), or replayed on a spelled-out schedule.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { noFailure, printed } from "./helpers/explore";
import { fails } from "./helpers/util";

const ints = (n: number): Int32Array => new Int32Array(new SharedArrayBuffer(4 * n));

test("element reads and writes of a raw Int32Array are steps: a lost update is found, named flags[i] in the trace", async () => {
  const counter = ints(2);
  counter[1] = 7;
  const scenario: mp.Scenario<[Int32Array]> = {
    threads: [(c: Int32Array) => void (c[0] = c[0] + 1), (c: Int32Array) => void (c[0] = c[0] + 1)],
    args: [counter],
    names: ["counter"],
    check: ({ args: [c] }) => c[0] === 2,
  };
  const result = printed("raw counter, 2 threads x 1 increment", await mp.explore(scenario));
  // Two threads of a read and a write each: C(4, 2) = 6 interleavings, 2 of them serial.
  assert.equal(result.schedules, 6);
  assert.equal(result.exhaustive, true);
  assert.equal(result.failures, 4);
  assert.equal(result.failure?.kind, "check");
  // Both read 0 before either writes 1.
  const replayed = await mp.replay(scenario, "ABAB");
  assert.deepEqual(replayed.trace.map((s) => `${s.thread} ${s.op} ${s.cell}`), ["A read counter[0]", "B read counter[0]", "A write counter[0]", "B write counter[0]"]);
  assert.equal(replayed.failure?.kind, "check");
  assert.match(replayed.state, /Int32Array\(2\) \[ 1, 7 \]/);
  assert.deepEqual([...counter], [0, 7], "the memory is restored afterwards");
  // A thread that returns its view returns a copy of the elements as they were at its end.
  const returned = await mp.replay({ threads: [(c: Int32Array) => { c[0] = 5; return c; }], args: [counter] }, "");
  assert.deepEqual(returned.threads[0].value, new Int32Array([5, 7]));
  assert.equal(returned.trace.length, 1, "copying what it returned is no step");
});

test("Atomics on a raw Int32Array are steps: Atomics.add loses nothing, Atomics.load + store does", async () => {
  const c = ints(1);
  const atomic = await mp.explore({
    threads: [(c: Int32Array) => Atomics.add(c, 0, 1), (c: Int32Array) => Atomics.add(c, 0, 1)],
    args: [c],
    check: ({ args: [c] }) => c[0] === 2,
  });
  assert.equal(atomic.schedules, 2);
  noFailure(atomic);
  const split = await mp.explore({
    threads: [(c: Int32Array) => Atomics.store(c, 0, Atomics.load(c, 0) + 1), (c: Int32Array) => Atomics.store(c, 0, Atomics.load(c, 0) + 1)],
    args: [c],
    names: ["c"],
    check: ({ args: [c] }) => c[0] === 2,
  });
  assert.equal(split.schedules, 6);
  assert.equal(split.failures, 4);
  assert.deepEqual(split.failure?.trace.map((s) => s.op), ["load", "load", "store", "store"]);
  // and, or, xor, exchange, sub are steps too, on other element types as well.
  const bits = new Uint8Array(new SharedArrayBuffer(2));
  const ops = await mp.replay(
    {
      threads: [(b: Uint8Array) => { Atomics.or(b, 0, 6); Atomics.and(b, 0, 3); Atomics.xor(b, 1, 255); Atomics.exchange(b, 1, 9); Atomics.sub(b, 1, 4); }],
      args: [bits],
      names: ["bits"],
    },
    "A5",
  );
  assert.deepEqual(ops.trace.map((s) => `${s.op} ${s.cell} ${s.before}→${s.after}`), ["or bits[0] 0→6", "and bits[0] 6→2", "xor bits[1] 0→255", "exchange bits[1] 255→9", "sub bits[1] 9→5"]);
});

test("notebook 06's spinLock and sleepingLock, written with raw Atomics, pass every schedule", async () => {
  const spin = await mp.explore({
    threads: [0, 1].map(() => (lock: Int32Array) => {
      while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) { /* spin */ }
      lock[1] = lock[1] + 1;
      Atomics.store(lock, 0, 0);
    }),
    args: [ints(2)],
    names: ["lock"],
    check: ({ args: [l] }) => l[1] === 2,
  });
  printed("spinLock, 2 threads", spin);
  noFailure(spin);
  assert.equal(spin.exhaustive, true);
  const sleeping = await mp.explore({
    threads: [0, 1].map(() => (lock: Int32Array) => {
      while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) Atomics.wait(lock, 0, 1);
      lock[1] = lock[1] + 1;
      Atomics.store(lock, 0, 0);
      Atomics.notify(lock, 0, 1);
    }),
    args: [ints(2)],
    names: ["lock"],
    check: ({ args: [l] }) => l[1] === 2,
  });
  printed("sleepingLock, 2 threads", sleeping);
  noFailure(sleeping);
  // Some schedule puts a thread to sleep in Atomics.wait and wakes it with the other's notify.
  const woken = await mp.replay(
    {
      threads: [0, 1].map(() => (lock: Int32Array) => {
        while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) Atomics.wait(lock, 0, 1);
        Atomics.store(lock, 0, 0);
        Atomics.notify(lock, 0, 1);
      }),
      args: [ints(2)],
      names: ["lock"],
    },
    "ABBAAB",
  );
  assert.deepEqual(woken.trace.slice(0, 6).map((s) => `${s.thread} ${s.op}${s.note ? `: ${s.note}` : ""}`), [
    "A compareExchange",
    "B compareExchange",
    "B wait: sleeps until a notify",
    "A store",
    "A notify: wakes B",
    "B wait: returns: woken by a notify",
  ]);
});

test("Atomics.wait with a timeout on raw memory times out only when the schedule says so", async () => {
  const scenario: mp.Scenario<[Int32Array]> = {
    threads: [(c: Int32Array) => Atomics.wait(c, 0, 0, 50), (c: Int32Array) => { Atomics.store(c, 0, 1); Atomics.notify(c, 0); }],
    args: [ints(1)],
    state: ({ threads: [a] }) => String(a.value),
  };
  const all = await mp.explore(scenario);
  assert.equal(all.exhaustive, true);
  assert.deepEqual(all.finalStates.map((s) => s.state).sort(), ["not-equal", "ok", "timed-out"]);
  assert.equal((await mp.replay(scenario, "AA~")).state, "timed-out");
});

test("Atomics.waitAsync on raw memory is a step, modelled as a wait: answered at once when the cell differs, else a promise of ok or timed-out as the schedule says (exhaustive)", async () => {
  const scenario: mp.Scenario<[Int32Array]> = {
    threads: [
      async (c: Int32Array) => {
        const r = Atomics.waitAsync(c, 0, 0, 50);
        return r.async ? `awaited ${await r.value}` : `at once ${r.value}`;
      },
      (c: Int32Array) => {
        Atomics.store(c, 0, 1);
        Atomics.notify(c, 0);
      },
    ],
    args: [ints(1)],
    state: ({ threads: [a] }) => String(a.value),
  };
  const all = await mp.explore(scenario);
  assert.equal(all.exhaustive, true);
  assert.deepEqual(all.finalStates.map((s) => s.state).sort(), ["at once not-equal", "awaited ok", "awaited timed-out"]);
  assert.equal((await mp.replay(scenario, "AA~")).state, "awaited timed-out");
  // A timeout of 0 answers at once, as natively.
  const now = await mp.replay({ threads: [(c: Int32Array) => Atomics.waitAsync(c, 0, 0, 0).value], args: [ints(1)] }, "");
  assert.equal(now.threads[0].value, "timed-out");
});

/** Thread of an awaiting raw lock, as a learner would write one for a cell: notify on release unless `silent`. */
const awaitingLockThread = (silent: boolean) =>
  new Function(
    "lock",
    `return (async () => {
      while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) {
        const r = Atomics.waitAsync(lock, 0, 1);
        if (r.async) await r.value;
      }
      lock[1] = lock[1] + 1;
      Atomics.store(lock, 0, 0);
      ${silent ? "" : "Atomics.notify(lock, 0, 1);"}
    })();`,
  ) as (lock: Int32Array) => Promise<void>;

for (const silent of [false, true]) {
  test(`a raw lock that awaits Atomics.waitAsync, 2 threads: ${silent ? "without a notify on release, an awaiting thread waits for good (caught as a deadlock)" : "both count, no deadlock"} (every schedule)`, async () => {
    const scenario: mp.Scenario<[Int32Array]> = {
      threads: [awaitingLockThread(silent), awaitingLockThread(silent)],
      args: [ints(2)],
      names: ["lock"],
      reduce: true,
      check: ({ args: [l] }) => l[1] === 2,
    };
    const result = printed(`awaiting raw lock${silent ? " without notify" : ""}, 2 threads`, await mp.explore({ ...scenario, stopAtFirstFailure: silent }));
    if (!silent) {
      noFailure(result);
      assert.equal(result.exhaustive, true);
    } else {
      assert.equal(result.failure?.kind, "deadlock", String(result));
    }
  });
}

test("raw memory a thread could touch unseen is refused with a clear error", async () => {
  const memory = ints(2);
  const threw = async (thread: (m: Int32Array, lock: mp.Lock) => unknown, ...parts: string[]): Promise<void> => {
    const result = await mp.explore({ threads: [thread], args: [memory, new mp.Lock()] as [Int32Array, mp.Lock] });
    assert.equal(result.failure?.kind, "check", String(result));
    for (const part of parts) assert.ok(result.failure?.message.includes(part), `${result.failure?.message} should say ${part}`);
  };
  await threw((m) => m.buffer, ".buffer cannot be explored");
  await threw((m) => m.subarray(1), "subarray() on shared memory under the explorer cannot be explored");
  await threw((m) => m.map((x) => x + 1), "map()", "plain for loop");
  await assert.rejects(mp.explore<unknown[]>({ threads: [() => 1], args: [new SharedArrayBuffer(4)] }), fails(TypeError, "args[0] is a SharedArrayBuffer", "typed array over the memory"));
  await assert.rejects(mp.explore<unknown[]>({ threads: [() => 1], args: [{ view: new DataView(new SharedArrayBuffer(4)) }] }), fails(TypeError, "args[0].view is a DataView"));
  // A typed array a thread makes over a shared object's memory: its Atomics calls are steps.
  const own = await mp.replay({ threads: [(lock: mp.Lock) => Atomics.compareExchange(new Int32Array(lock.buffer), 0, 0, 4)], args: [new mp.Lock()], names: ["lock"] }, "");
  assert.deepEqual(own.trace.map((s) => `${s.op} ${s.cell} ${s.before}→${s.after}`), ["compareExchange lock[0] 0→4"]);
  // What can be scheduled element by element works: iteration, join, fill, indexOf.
  const fine = await mp.replay(
    {
      threads: [(m: Int32Array) => { m.fill(3); return `${[...m].join("+")} ${m.join("-")} ${m.indexOf(3)} ${m.length}`; }],
      args: [memory],
    },
    "",
  );
  assert.equal(fine.threads[0].value, "3+3 3-3 0 2");
  // Two writes, then reads (the later ones, re-reads of what nothing changed, one spin-out step).
  assert.deepEqual(fine.trace.slice(0, 3).map((s) => `${s.op} ${s.cell}`), ["write args[0][0]", "write args[0][1]", "read args[0][0]"]);
  assert.ok(fine.trace.slice(2).every((s) => s.op === "read"));
});
