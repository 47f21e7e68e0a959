/**
 * The checks of notebook 08, *Share memory, or pass messages*.
 *
 * Exercise 1 is about timing (does the teller apply every message, whatever order the clerks' and
 * the teller's steps come in?), so it is judged with `mp.explore`: every schedule in which a thread
 * runs until it blocks or ends before another takes over (no preemptions), each from the same
 * start. That bound covers every order in which the three workers can hand the queue over, which is
 * where the plausible wrong tellers fail (stopping at the first stop message, waiting for one stop
 * too many, `getNowait` on an empty queue, skipping withdrawals); it does not cover a switch in the
 * middle of a `put`, which the queue's own model-checked tests cover. Timeouts are fair, so a
 * teller that takes with a timeout in a loop is not timed out for ever while a clerk could put.
 *
 * Exercise 2 runs the learner's function in a real `Pool` and compares the values.
 *
 * @packageDocumentation
 */
import { explore } from "../explore";
import { Pool } from "../pool";
import { Queue } from "../queue";
import { Value, type SharedValue } from "../shared";
import { shortSchedule } from "./explored";
import { fail, listed, pass, sameList } from "./verdict";

/** A teller: takes messages from `q` and applies each to `balance`, until both clerks said stop. */
type Teller = (q: Queue, balance: SharedValue<"i">) => void;

/** The deposit clerk of exercise 1: two deposits of 1, then its stop message. */
const depositClerk = (q: Queue): void => {
  q.put(1);
  q.put(1);
  q.put(null);
};

/** The withdraw clerk of exercise 1: one withdrawal of 1, then its stop message. */
const withdrawClerk = (q: Queue): void => {
  q.put(-1);
  q.put(null);
};

/**
 * Exercise 1: `teller(q, balance)` is the one worker that owns the balance. Two clerks put numbers
 * on `q` (+1, +1 and -1) and then `null` each, meaning "I am done". The teller must apply every
 * number and return once both clerks are done: 200 + 1 + 1 - 1 = 201 in every schedule.
 *
 * @example `await check.exercise1(teller);`
 * @param teller - the learner's teller.
 */
export async function exercise1(teller: Teller): Promise<void> {
  if (typeof teller !== "function") return fail(1, `pass your function itself, such as check.exercise1(teller), not ${typeof teller}.`);
  let result;
  try {
    result = await explore({
      threads: [depositClerk, withdrawClerk, teller] as ((q: Queue, balance: SharedValue<"i">) => void)[],
      args: [new Queue(), Value("i", 200)] as [Queue, SharedValue<"i">],
      names: ["q", "balance"],
      preemptions: 0,
      fairTimeouts: true,
      stopAtFirstFailure: true,
      check: ({ args: [, balance], threads }) => threads.every((t) => t.outcome === "returned") && balance.value === 201,
    });
  } catch (error) {
    return fail(1, `${(error as Error).message}`);
  }
  const { failure, schedules } = result;
  if (failure === null) {
    return pass(1, `balance 201 in all ${schedules} schedules: one owner, every message applied once, and it stopped after both clerks were done.`);
  }
  const order = `In schedule ${shortSchedule(failure.schedule.replace(/(.)\1*/g, (run) => run[0]))} (A deposits, B withdraws, C is your teller)`;
  if (failure.kind === "deadlock" || failure.kind === "livelock") {
    return fail(1, `${order} your teller waited for a message that never comes: ${failure.message}. Count the stop messages: there is one per clerk, two in all.`);
  }
  const threw = /threw|Empty/.test(failure.message) ? ` (${failure.message})` : "";
  return fail(
    1,
    `${order} the run ended with ${failure.state}${threw}, want balance 201. ` +
      "Apply every number, and stop only after the second null: the clerks finish in any order, and a null may come before the other clerk's numbers.",
  );
}

/**
 * Exercise 2: `countPrimesBelow(n)`, the number of primes below `n`, written so that a `Pool` can
 * run it: it may use only its argument and JavaScript's globals. The check maps it over
 * `[2, 3, 10, 100, 1000, 7919]` (7919 is the 1000th prime) in a pool of 2 and wants
 * `[0, 1, 4, 25, 168, 999]`.
 *
 * @example `await check.exercise2(countPrimesBelow);`
 * @param countPrimesBelow - the learner's function.
 */
export async function exercise2(countPrimesBelow: (n: number) => number): Promise<void> {
  if (typeof countPrimesBelow !== "function") return fail(2, `pass your function itself, such as check.exercise2(countPrimesBelow), not ${typeof countPrimesBelow}.`);
  const limits = [2, 3, 10, 100, 1000, 7919];
  const want = [0, 1, 4, 25, 168, 999];
  const pool = new Pool(2);
  try {
    const got = await pool.map(countPrimesBelow, limits, { chunksize: 1 });
    if (!sameList(got, want)) {
      return fail(2, `pool.map(countPrimesBelow, ${listed(limits)}) gave ${listed(got)}, want ${listed(want)}. Are 0 and 1 left out, 2 counted, and n itself left out?`);
    }
    return pass(2, `pool.map(countPrimesBelow, ${listed(limits)}) gave ${listed(got)}, computed in the pool's workers.`);
  } catch (error) {
    return fail(2, `${(error as Error).message.split("\n")[0]}`);
  } finally {
    await pool.terminate();
  }
}
