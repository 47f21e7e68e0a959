/**
 * The adaptive spin policy (src/spin.ts): fed outcomes, asked for budgets, on the main thread; and
 * the count of spinning threads, which a worker must share with the thread that started it (two
 * real workers, one after the other). What a contended lock does with the budget is covered by the
 * lock tests and measured by `npm run bench` (the 8- and 16-worker rows).
 */
import { after, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { getEnvironmentData } from "node:worker_threads";
import * as mp from "../dist";
import { MOST_LOOKS, SpinPolicy, spinBudget, spinOutcome } from "../dist/spin";
import { run } from "./helpers/util";

after(() => mp.terminateAll());

/** A policy over `cores` cores, with a count of spinners of its own. */
function policyOn(cores: number, spinners = new Int32Array(new SharedArrayBuffer(4))): SpinPolicy {
  return new SpinPolicy(cores, spinners);
}

/** Asks for a budget and reports each spin as `won` after `used` looks, `times` times. */
function feed(policy: SpinPolicy, times: number, won: boolean, used: number): void {
  for (let i = 0; i < times; i++) {
    policy.budget();
    policy.outcome(won, used);
  }
}

describe("SpinPolicy", () => {
  test("on one or two cores it never spins, whatever wins it is told of", () => {
    for (const cores of [1, 2]) {
      const policy = policyOn(cores);
      assert.equal(policy.budget(), 0);
      feed(policy, 20, true, 5);
      assert.equal(policy.budget(), 0);
    }
  });

  test("on three cores it starts at 64 looks, the fixed spin it replaces", () => {
    assert.equal(policyOn(3).budget(), 64);
  });

  test("spins that win at once shrink the budget to about 2 × looks + 10", () => {
    const policy = policyOn(4);
    feed(policy, 60, true, 1);
    const budget = policy.budget();
    assert.ok(budget >= 12 && budget <= 14, `budget ${budget}, expected 12–14 after wins at the first look`);
  });

  test("spins that need many looks raise the budget, never past 100", () => {
    const policy = policyOn(16);
    feed(policy, 60, true, 90);
    assert.equal(policy.budget(), MOST_LOOKS);
    assert.equal(MOST_LOOKS, 100);
  });

  test("one thread spins at a time, even with many cores; the others sleep at once and learn nothing from it", () => {
    const spinners = new Int32Array(new SharedArrayBuffer(4));
    const [a, b] = [policyOn(16, spinners), policyOn(16, spinners)];
    assert.equal(a.budget(), 64);
    assert.equal(b.budget(), 0, "a second spinner at the same time");
    b.outcome(false, 0);
    assert.equal(spinners[0], 1);
    a.outcome(true, 5);
    assert.equal(spinners[0], 0);
    assert.equal(b.budget(), 64, "b's odds and looks were not changed by being turned away");
    b.outcome(false, 64);
    assert.equal(spinners[0], 0);
  });

  test("spins that lose stop the spinning, and after some sleeps it tries again", () => {
    const policy = policyOn(4);
    let losses = 0;
    for (let budget = policy.budget(); budget > 0; budget = policy.budget()) {
      policy.outcome(false, budget);
      losses++;
      assert.ok(losses <= 8, "still spinning after 8 lost spins in a row");
    }
    assert.ok(losses >= 3, `stopped after ${losses} lost spin(s): one unlucky spin should not stop it`);
    // Now every contended acquire sleeps at once, until the policy tries a spin again.
    let sleeps = 1;
    let budget = policy.budget();
    for (; budget === 0; budget = policy.budget()) {
      sleeps++;
      assert.ok(sleeps <= 20, "no spin tried again after 20 sleeps");
    }
    assert.ok(sleeps >= 8, `tried again after only ${sleeps} sleep(s)`);
    // Lost spins counted all their looks: the probe may look long, up to the cap.
    assert.ok(budget > 64 && budget <= MOST_LOOKS, `probe budget ${budget}`);
    assert.equal(policy.budget(), 0, "a second spin while the probe is not reported");
    // The probe lost too: back to sleeping at once.
    policy.outcome(false, budget);
    assert.equal(policy.budget(), 0);
  });

  test("a win after a stop keeps it spinning", () => {
    const policy = policyOn(4);
    for (let budget = policy.budget(); budget > 0; budget = policy.budget()) policy.outcome(false, budget);
    while (policy.budget() === 0);
    policy.outcome(true, 3);
    for (let i = 0; i < 5; i++) {
      assert.ok(policy.budget() > 0, `contended acquire ${i + 1} after the win did not spin`);
      policy.outcome(true, 3);
    }
  });

  test("a spin that stopped at its first look (others already sleep) changes nothing", () => {
    const policy = policyOn(4);
    feed(policy, 100, false, 0);
    assert.equal(policy.budget(), 64);
  });

  test("refuses a core count that is not a whole number ≥ 1", () => {
    for (const cores of [0, -2, 1.5, Number.NaN]) {
      assert.throws(() => policyOn(cores), { name: "RangeError", message: /cores must be a whole number of at least 1, not/ });
    }
  });
});

describe("this thread's policy", () => {
  test("follows os.availableParallelism(), and learns from what the thread's spins did", () => {
    const first = spinBudget();
    spinOutcome(false, first);
    if (availableParallelism() < 3) {
      assert.equal(first, 0);
      return;
    }
    assert.equal(first, 64);
    for (let i = 0; i < 8; i++) spinOutcome(false, spinBudget());
    assert.equal(spinBudget(), 0);
  });

  test("a worker counts its spins in the count of the thread that started it", async () => {
    // The count the library put in the environment data when it loaded (src/spin.ts's comment).
    const spinners = getEnvironmentData("mp.spinners") as Int32Array;
    const budget = mp.Array("i", 1);
    // A policy for 4 cores over the worker's own count, whatever the cores here.
    const target = (spin: string, budget: mp.SharedArray<"i">): void => {
      budget[0] = new (require(spin) as typeof import("../dist/spin")).SpinPolicy(4).budget(); // and stays a spinner
    };
    Atomics.store(spinners, 0, 1);
    await run(target, [join(__dirname, "..", "dist", "spin"), budget]);
    assert.equal(budget[0], 0, "the worker spun while another thread was counted as spinning");
    Atomics.store(spinners, 0, 0);
    await run(target, [join(__dirname, "..", "dist", "spin"), budget]);
    assert.equal(budget[0], 64);
    assert.equal(Atomics.load(spinners, 0), 1, "the worker's spin is counted here");
    Atomics.store(spinners, 0, 0);
  });
});
