/**
 * The check of notebook 06, *How a lock works*: the learner's hand-built lock goes on the
 * notebook's test bench and must count exactly, and let every waiter in.
 *
 * @packageDocumentation
 */
import { bench, type MakeLock } from "../lessons/lock-bench";
import { fail, pass } from "./verdict";

const SECONDS = 30;
const TOTAL = 50_000;
/** Extra reads inside each critical section: two holders at once then collide nearly every time. */
const HOLD = 20;
/** Runs of several workers that overlapped less than this are run again: they tested nothing. */
const ENOUGH_OVERLAP = 0.5;
const ATTEMPTS = 5;

/**
 * Exercise 1: `makeLock(cells)` builds a lock over two zeroed `Int32` cells, such as a ticket
 * lock. The check puts it on the bench with 1, 2 and 4 workers, 50,000 locked increments each
 * time (with a few extra reads inside each critical section to widen it), and wants every count
 * exact within 30 s. A run whose workers hardly ran side by side (less than half the time) is run
 * again, up to 5 times, since it put the lock to no test.
 *
 * @example `await check.exercise1(ticketLock);`
 */
export async function exercise1(makeLock: MakeLock): Promise<void> {
  if (typeof makeLock !== "function") return fail(1, `pass your function itself, such as check.exercise1(ticketLock), not ${typeof makeLock}.`);
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
  pass(1, `exact with 1, 2 and 4 workers (${times.join(", ")}), and every waiter got in.`);
}
