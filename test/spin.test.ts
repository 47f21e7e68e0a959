/**
 * The adaptive spin policy (src/spin.ts), on its own: fed outcomes, asked for budgets. Single
 * threaded: what a contended lock does with the budget is covered by the lock tests and measured by
 * `npm run bench` (the 8- and 16-worker rows).
 */
import { describe, test } from "node:test";
import * as assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { MOST_LOOKS, SpinPolicy, spinBudget, spinOutcome } from "../dist/spin";

/** Feeds `times` equal outcomes. */
function feed(policy: SpinPolicy, times: number, won: boolean, used: number): void {
  for (let i = 0; i < times; i++) policy.outcome(won, used);
}

describe("SpinPolicy", () => {
  test("on one core it never spins, whatever wins it is told of", () => {
    const policy = new SpinPolicy(1);
    assert.equal(policy.budget(), 0);
    feed(policy, 20, true, 5);
    assert.equal(policy.budget(), 0);
  });

  test("on two cores it starts at 64 looks, the fixed spin it replaces", () => {
    assert.equal(new SpinPolicy(2).budget(), 64);
  });

  test("spins that win at once shrink the budget to about 2 × looks + 10", () => {
    const policy = new SpinPolicy(2);
    feed(policy, 60, true, 1);
    const budget = policy.budget();
    assert.ok(budget >= 12 && budget <= 14, `budget ${budget}, expected 12–14 after wins at the first look`);
  });

  test("spins that need many looks raise the budget, never past 100", () => {
    const policy = new SpinPolicy(16);
    feed(policy, 60, true, 90);
    assert.equal(policy.budget(), MOST_LOOKS);
    assert.equal(MOST_LOOKS, 100);
  });

  test("spins that lose stop the spinning, and after some sleeps it tries again", () => {
    const policy = new SpinPolicy(2);
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
    // The probe lost too: back to sleeping at once.
    policy.outcome(false, budget);
    assert.equal(policy.budget(), 0);
  });

  test("a win after a stop keeps it spinning", () => {
    const policy = new SpinPolicy(2);
    while (policy.budget() > 0) policy.outcome(false, 64);
    while (policy.budget() === 0);
    policy.outcome(true, 3);
    for (let i = 0; i < 5; i++) assert.ok(policy.budget() > 0, `contended acquire ${i + 1} after the win did not spin`);
  });

  test("a spin that stopped at its first look (others already sleep) changes nothing", () => {
    const policy = new SpinPolicy(2);
    feed(policy, 100, false, 0);
    assert.equal(policy.budget(), 64);
  });

  test("refuses a core count that is not a whole number ≥ 1", () => {
    for (const cores of [0, -2, 1.5, Number.NaN]) {
      assert.throws(() => new SpinPolicy(cores), { name: "RangeError", message: /cores must be a whole number of at least 1, not/ });
    }
  });
});

describe("this thread's policy", () => {
  test("follows os.availableParallelism(), and learns from what the thread's spins did", () => {
    const first = spinBudget();
    if (availableParallelism() === 1) {
      assert.equal(first, 0);
      return;
    }
    assert.equal(first, 64);
    for (let i = 0; i < 8; i++) spinOutcome(false, MOST_LOOKS);
    assert.equal(spinBudget(), 0);
  });
});
