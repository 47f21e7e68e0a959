/**
 * `Condition.wait()` returns `true` exactly when a `notify` woke it, and `notify(n)` wakes at most
 * `n` waiters (issue 10b and 10h), as in Python.
 *
 * What this covers: real workers waiting with timeouts while the main thread notifies. Every check
 * is made when all waiters are known to be inside `wait()` (they count themselves in under the
 * lock, and the notifier takes the lock only after all of them released it by waiting), so the
 * answer does not depend on who runs first; only the moment a timeout fires is left to the OS, and
 * a waiter whose timeout fired but that was notified before it could leave may say `true` (it was
 * notified), which keeps "one true per notify" exact either way.
 */
import { after, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { finishAll } from "./helpers/primitives-util";
import { until } from "./helpers/util";

after(() => mp.terminateAll());

/** Result codes the waiters write: 0 none yet, 1 woke with true, 2 returned false. */
const TRUE = 1;
const FALSE = 2;

/**
 * Starts `waiters` workers that, for each of `rounds` rounds, count themselves in under the lock,
 * wait with `timeout`, and record what wait() returned; then runs `notifier` once per round when all
 * are waiting, and returns each round's results.
 */
async function rounds(waiters: number, roundCount: number, timeout: number, notifier: (cond: mp.Condition) => void): Promise<number[][]> {
  const cond = new mp.Condition();
  const state = mp.Array("i", 2 + roundCount * (1 + waiters)); // [0] round to run; [1] unused; then per round: arrived, results...
  const base = (round: number) => 2 + round * (1 + waiters);
  const processes = Array.from({ length: waiters }, (_, slot) =>
    new mp.Process({
      target: (cond: mp.Condition, state: mp.SharedArray<"i">, slot: number, waiters: number, roundCount: number, timeout: number) => {
        for (let round = 0; round < roundCount; round++) {
          while (state[0] < round) mp.sleep(0.001);
          const at = 2 + round * (1 + waiters);
          cond.acquire();
          state[at] += 1;
          const woke = cond.wait({ timeout });
          cond.release();
          state[at + 1 + slot] = woke ? 1 : 2;
        }
      },
      args: [cond, state, slot, waiters, roundCount, timeout],
    }),
  );
  processes.forEach((p) => p.start());
  const results: number[][] = [];
  for (let round = 0; round < roundCount; round++) {
    const at = base(round);
    state[0] = round;
    await until(() => state[at] === waiters, `round ${round}: all ${waiters} waiters in`);
    assert.ok(await cond.acquireAsync({ timeout: 10 }));
    try {
      notifier(cond);
    } finally {
      cond.release();
    }
    await until(() => Array.from({ length: waiters }, (_, i) => state[at + 1 + i]).every((r) => r !== 0), `round ${round}: all waiters back`);
    results.push(Array.from({ length: waiters }, (_, i) => state[at + 1 + i]));
  }
  await finishAll(processes);
  return results;
}

const trues = (round: number[]) => round.filter((r) => r === TRUE).length;

describe("Condition.wait() with a timeout", () => {
  test("4 waiters, one notify(1) per round: exactly one true, three false, in each of 25 rounds", async () => {
    const results = await rounds(4, 25, 0.05, (cond) => cond.notify(1));
    results.forEach((round, i) => {
      assert.equal(trues(round), 1, `round ${i}: ${round.map((r) => (r === TRUE ? "true" : "false")).join(", ")}`);
      assert.equal(round.filter((r) => r === FALSE).length, 3);
    });
  });

  test("notify(2) with 5 waiters wakes exactly 2; notifyAll() wakes all 4; notify(0) wakes none", async () => {
    const [two] = await rounds(5, 1, 0.3, (cond) => assert.equal(cond.notify(2), 2));
    assert.equal(trues(two), 2, `notify(2): ${two}`);
    const [all] = await rounds(4, 1, 5, (cond) => assert.equal(cond.notifyAll(), 4));
    assert.equal(trues(all), 4, `notifyAll(): ${all}`);
    const [none] = await rounds(2, 1, 0.05, (cond) => assert.equal(cond.notify(0), 0));
    assert.equal(trues(none), 0, `notify(0): ${none}`);
  });

  test("6 waiters in a loop, one notify() at a time for 1.5 s: the trues add up to exactly the waiters woken", async () => {
    const cond = new mp.Condition();
    const state = mp.Array("i", 1 + 6); // [0] stop; [1 + i] trues seen by waiter i
    const processes = Array.from({ length: 6 }, (_, slot) =>
      new mp.Process({
        target: (cond: mp.Condition, state: mp.SharedArray<"i">, slot: number) => {
          cond.acquire();
          while (state[0] === 0) {
            if (cond.wait({ timeout: 0.005 })) state[1 + slot] += 1;
          }
          cond.release();
        },
        args: [cond, state, slot],
      }),
    );
    processes.forEach((p) => p.start());
    let notifies = 0;
    let woken = 0;
    const end = performance.now() + 1500;
    while (performance.now() < end) {
      assert.ok(await cond.acquireAsync({ timeout: 10 }));
      woken += cond.notify();
      notifies++;
      cond.release();
      await mp.sleepAsync(0.0005);
    }
    assert.ok(await cond.acquireAsync({ timeout: 10 }));
    state[0] = 1;
    woken += cond.notifyAll();
    cond.release();
    await finishAll(processes);
    const seen = state.toArray().slice(1).reduce((a, b) => a + b, 0);
    console.log(`${notifies} notify() calls woke ${woken} waiters; the waiters saw ${seen} trues`);
    assert.ok(woken <= notifies + 6, "notify() woke at most one each (plus the final notifyAll)");
    assert.equal(seen, woken);
  });
});
