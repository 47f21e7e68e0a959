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
 * Exercise 3 is about timing too (does `collect` stop when the sender has closed its end, or
 * merely when nothing has arrived *yet*?), and is judged the same way: a sender and the learner's
 * function on a one-way pipe with room for one number, every schedule without preemptions, with
 * the learner's timeouts free to fire wherever it waits (fairly). With room for one, the sender
 * waits for each number to be taken, so even without preemptions the learner's function looks
 * between every two sends, and any timeout of its own may fire at each of those points: that is
 * where `poll()`, `poll(timeout)`, "the first with recv(), the rest while poll()" and a counted
 * loop fail, every run. (With room for all five, the sender never waits, and the last of those
 * passed.) A live run nearly always passes `poll(0.1)`: a sender in a worker is seldom 100 ms late
 * (10 runs of 10, 2026-12-05).
 *
 * @packageDocumentation
 */
import { explore } from "../explore";
import { Pool } from "../pool";
import { Pipe, Queue, type Connection } from "../queue";
import { Value, type SharedValue } from "../shared";
import { asThread, everySchedule, refusal, shortSchedule } from "./explored";
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
  const order = `In schedule ${whoRan(failure.schedule)} (A deposits, B withdraws, C is your teller)`;
  if (failure.kind === "deadlock" || failure.kind === "livelock") {
    return fail(1, `${order} your teller waited for a message that never comes: ${failure.message}. Count the stop messages: there is one per clerk, two in all.`);
  }
  const { state, error } = failure.threads[2];
  const threw = state === "threw" && error !== undefined ? ` (your teller threw ${error.name}: ${error.message})` : "";
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

/**
 * A failing schedule as a ✗ line of this notebook shows it: who ran, in turn, one letter per run of
 * steps (`AAABBA~` is `ABA~`), shortened if it is long.
 */
function whoRan(schedule: string): string {
  return shortSchedule(schedule.replace(/(.)\1*/g, (run) => run[0]));
}

/** What exercise 3's sender sends before it closes its end. */
const SENT = [3, 1, 4, 1, 5];

/** Exercise 3's sender: sends `sent` ({@link SENT}) on its end of a one-way pipe, then closes it. */
const sender = (_conn: Connection, writer: Connection, sent: number[]): void => {
  for (const x of sent) writer.send(x);
  writer.close();
};

/**
 * Exercise 3: `collect(conn)` gets the receiving end of a one-way pipe whose other end sends
 * 3, 1, 4, 1, 5 and then closes. It must return every number, in order, and only once the sender
 * has closed its end (its `recv()` raises `EOFError`).
 *
 * @example `await check.exercise3(collect);`
 * @param collect - the learner's function (it may also be `async`, with `recvAsync`).
 */
export async function exercise3(collect: (conn: Connection) => unknown): Promise<void> {
  if (typeof collect !== "function") return fail(3, `pass your function itself, such as check.exercise3(collect), not ${typeof collect}.`);
  const refused = refusal(collect);
  if (refused !== null) return fail(3, `${refused} The check runs your function in a worker, beside the sender.`);
  let judged;
  try {
    const [conn, writer] = Pipe(false, { bytes: 16 });
    judged = await everySchedule({
      threads: [sender, asThread(collect, "args[0]")] as ((conn: Connection, writer: Connection, sent: number[]) => unknown)[],
      args: [conn, writer, SENT] as [Connection, Connection, number[]],
      names: ["conn", "writer", "sent"],
      preemptions: 0,
      check: ({ threads: [a, b] }) => a.outcome === "returned" && b.outcome === "returned" && Array.isArray(b.value) && sameList(b.value, SENT),
    });
  } catch (error) {
    return fail(3, (error as Error).message);
  }
  const { failure, covered } = judged;
  if (failure === null) {
    return pass(3, `${listed(SENT)} in ${covered}: every number, in order, and you stopped only at EOFError.`);
  }
  const timeout = failure.schedule.includes("~") ? "; ~ is a timeout of yours that fired" : "";
  const order = `In schedule ${whoRan(failure.schedule)} (A sends, then closes; B is your collect${timeout})`;
  const eof = "Only recv() raising EOFError says that the sender closed its end and everything it sent has been received";
  if (failure.kind === "livelock") {
    return fail(3, `${order} your collect never returned: once the sender has closed its end, every recv() raises EOFError again, and your loop went on. ${eof}: return the list there.`);
  }
  const notYet = `poll() or a timeout answering false means "nothing yet", not "no more", and a count fixed in advance cannot know how many will come. ${eof}.`;
  const [a, b] = failure.threads;
  // A deadlock where the learner's function had returned: the sender waits for ever for room to
  // send its next number.
  if (failure.kind === "deadlock" && b.state === "returned") {
    return fail(3, `${order} your collect returned while the sender still had numbers to send: the sender waits for ever for room in the pipe (it holds one number at a time). ${notYet}`);
  }
  if (b.state === "threw" && b.error?.name === "EOFError") {
    return fail(3, `${order} your collect threw EOFError. ${eof}: it is how the pipe says "no more", so catch it and return the list.`);
  }
  if (b.state === "threw") return fail(3, `${order} your collect threw ${b.error?.name}: ${b.error?.message}`);
  if (failure.kind !== "check") return fail(3, `${order} ${failure.message}.`);
  if (a.state === "threw") return fail(3, `${order} the sender's send() threw ${a.error?.name}: did your collect close its end before the sender was done?`);
  const got = Array.isArray(b.value) ? listed(b.value) : String(b.value);
  const early = Array.isArray(b.value) && b.value.length < SENT.length && sameList(b.value, SENT.slice(0, b.value.length));
  return fail(
    3,
    `${order} your collect returned ${got}, want ${listed(SENT)}. ` +
      (early
        ? `It stopped before the sender was done: ${notYet}`
        : "Return every number you received, in the order they came."),
  );
}
