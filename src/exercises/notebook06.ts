/**
 * The check of notebook 06, *How a lock works*: the learner's ticket lock is judged over every
 * schedule of two workers taking it twice each under the explorer (raw `Atomics` on the lock's
 * cells are steps there), where it must keep them apart and let them in in the order they came;
 * then it goes on the notebook's test bench, in real workers, and must count exactly.
 *
 * @packageDocumentation
 */
import { lostUpdates, type Failure, type LostUpdate, type TraceStep } from "../explore";
import { bench, type MakeLock } from "../lessons/lock-bench";
import { everySchedule, lostInWords, refusal, inSchedule, showSchedule, threadAround } from "./explored";
import { fail, pass } from "./verdict";

const SECONDS = 30;
const TOTAL = 50_000;
/** Extra reads inside each critical section: two holders at once then collide nearly every time. */
const HOLD = 20;
/** Runs of several workers that overlapped less than this are run again: they tested nothing. */
const ENOUGH_OVERLAP = 0.5;
const ATTEMPTS = 5;

/** Whether a trace step changed its cell (a compare-exchange only if it succeeded). */
function changed(s: TraceStep): boolean {
  return s.op === "compareExchange" ? !Object.is(s.before, s.after) : ["add", "sub", "exchange", "store", "write", "and", "or", "xor"].includes(s.op);
}

/**
 * The order in which the workers came to the lock and the order in which they got in, one letter
 * per acquire. A worker *comes* when it takes its ticket: its first change of cell 0 in an acquire
 * (after it started, or after it marked the end of its last round in `done[i]`). It *gets in* when
 * it writes `count[0]` inside the critical section.
 */
export function arrivalsAndEntries(trace: readonly TraceStep[]): { came: string; entered: string } {
  const coming = new Set<string>();
  let came = "";
  let entered = "";
  for (const s of trace) {
    if (s.cell === "cells[0]" && changed(s) && !coming.has(s.thread)) {
      coming.add(s.thread);
      came += s.thread;
    }
    if (s.cell === "count[0]" && s.op === "write") entered += s.thread;
    if (s.cell.startsWith("done[")) coming.delete(s.thread);
  }
  return { came, entered };
}

/**
 * The explored scenarios: A taking the lock twice and B once, every schedule (A can come back for
 * more while B waits: a lock that lets A in first is no ticket lock); then three workers taking it
 * once each, every schedule with at most two preemptions (enough for two sleepers to queue up,
 * where a release that wakes only one may wake the wrong one).
 */
const SCENARIOS = [
  { rounds: [2, 1], preemptions: undefined, who: "A taking it twice and B once" },
  { rounds: [1, 1, 1], preemptions: 2, who: "3 workers taking it once each" },
] as const;

/** Explores one scenario: what it covered, or the failing schedule and what went wrong in it. */
async function explored(makeLock: MakeLock, rounds: readonly number[], preemptions: number | undefined): Promise<string | { failure: Failure | null; what: string }> {
  const body = (i: number) =>
    `const lock = learner(args[0]);
    for (let round = 0; round < ${rounds[i]}; round++) {
      lock.acquire();
      args[1][0] = args[1][0] + 1;
      lock.release();
      args[2][${i}] = round + 1;
    }`;
  let orders = { came: "", entered: "" };
  let lost: LostUpdate[] = [];
  let problem: string | null = null;
  let tickets: number[] | null = null;
  let judged;
  try {
    judged = await everySchedule({
      threads: rounds.map((_, i) => threadAround(makeLock, body(i))),
      args: [new Int32Array(new SharedArrayBuffer(8)), new Int32Array(new SharedArrayBuffer(4)), new Int32Array(new SharedArrayBuffer(4 * rounds.length))],
      names: ["cells", "count", "done"],
      ...(preemptions === undefined ? { reduce: true } : { preemptions }),
      check: (final) => {
        const t = final.threads.find((x) => x.outcome !== "returned");
        problem = t === undefined ? null : `thread ${t.thread} ${t.outcome}${t.error ? ` ${t.error.name}: ${t.error.message.replace(/\.$/, "")}` : ""}`;
        lost = lostUpdates(final, "count[0]");
        orders = arrivalsAndEntries(final.trace);
        const cells = final.args[0] as Int32Array;
        const acquires = rounds.reduce((a, b) => a + b, 0);
        tickets = cells[0] === acquires && cells[1] === acquires ? null : [cells[0], cells[1], acquires];
        return problem === null && lost.length === 0 && tickets === null && orders.came === orders.entered;
      },
    });
  } catch (error) {
    return { failure: null, what: (error as Error).message };
  }
  const { failure, covered } = judged;
  if (failure === null) return covered;
  const what = failure.kind === "deadlock" || failure.kind === "livelock"
    ? `a ${failure.kind}: ${failure.message}. Does release() move cell 1 on and wake every sleeper (Atomics.notify(cells, 1), all of them: only the one whose ticket is up may go on)?`
    : problem !== null ? `${problem}.`
    : lost.length > 0 ? `two workers were inside at once: ${lostInWords(lost[0])}. Take the ticket in one indivisible step, Atomics.add(cells, 0, 1), and wait until cell 1 shows it.`
    : tickets !== null ? `after ${tickets[2]} acquires and releases, cell 0 holds ${tickets[0]} and cell 1 holds ${tickets[1]}, want ${tickets[2]} and ${tickets[2]}: ` +
      "in a ticket lock, cell 0 counts the tickets handed out (one per acquire) and cell 1 the tickets served (one per release)."
    : `the workers took their tickets in the order ${orders.came} but got in in the order ${orders.entered}: a worker got in ahead of one that was already waiting. ` +
      "A ticket lock serves tickets in order: take one with Atomics.add(cells, 0, 1), and wait until cell 1 shows it.";
  return { failure, what };
}

/**
 * Exercise 1: `makeLock(cells)` builds a ticket lock over two zeroed `Int32` cells: cell 0 hands
 * out tickets, cell 1 shows the ticket being served. The check first explores workers that take
 * the lock, add 1 to a shared count inside (a plain read and write), and release it: A twice and
 * B once, every schedule (classes of equivalent schedules: every failure is still found); then
 * three workers once each, every schedule with at most two preemptions. In every schedule, no
 * update of the count may be lost, no worker may wait forever, and the workers must get in in the
 * order they took their tickets; at the end cell 0 must have counted every ticket handed out and
 * cell 1 every ticket served. Notebook 6's `spinLock`, `sleepingLock` or `threeStateLock` keep
 * workers apart but are no ticket lock, and get a ✗ every run, with the schedule. Then the bench runs it in 1, 2 and 4 real workers, 50,000 locked increments
 * each time, and wants every count exact within 30 s (a run whose workers hardly overlapped is run
 * again, up to 5 times).
 *
 * @example `await check.exercise1(ticketLock);`
 */
export async function exercise1(makeLock: MakeLock): Promise<void> {
  if (typeof makeLock !== "function") return fail(1, `pass your function itself, such as check.exercise1(ticketLock), not ${typeof makeLock}.`);
  const refused = refusal(makeLock);
  if (refused !== null) return fail(1, `the library refused it: ${refused}`);
  const covered: string[] = [];
  for (const { rounds, preemptions, who } of SCENARIOS) {
    const wrong = await explored(makeLock, rounds, preemptions);
    if (typeof wrong !== "string") {
      const { failure, what } = wrong;
      if (failure === null) return fail(1, what);
      fail(1, `${who}, ${inSchedule(failure)}: ${what}`);
      return showSchedule(failure, `${"ABC".slice(0, rounds.length).split("").join(", ")} are the workers; count[0] is written inside the critical section`);
    }
    covered.push(`${wrong} of ${who}`);
  }
  const times: string[] = [];
  for (const workers of [1, 2, 4]) {
    let run;
    try {
      run = await bench(makeLock, workers, { total: TOTAL, seconds: SECONDS, hold: HOLD });
      for (let attempt = 1; run.overlap < ENOUGH_OVERLAP && run.lost === 0 && attempt < ATTEMPTS; attempt++) {
        run = await bench(makeLock, workers, { total: TOTAL, seconds: SECONDS, hold: HOLD });
      }
    } catch (error) {
      return fail(1, `with ${workers} worker${workers === 1 ? "" : "s"}: ${(error as Error).message.split("\n")[0]}`);
    }
    if (run.lost !== 0) {
      return fail(1, `with ${workers} workers, ${run.lost} of ${TOTAL} increments were lost: two workers were in the critical section at once. ` +
        "Taking the lock must be one indivisible step (compareExchange, exchange or add), never a load and then a store.");
    }
    times.push(`${workers}: ${run.ms.toFixed(0)} ms`);
  }
  pass(1, `one worker inside at a time, first come first served, and nobody left asleep, in ${covered.join(", and in ")}; ` +
    `then exact on the bench with 1, 2 and 4 workers (${times.join(", ")}).`);
}
