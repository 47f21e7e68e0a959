/**
 * The checks of notebook 03, *Locks*. A lost update needs two workers inside their read-write
 * window at the same moment, which real workers reach only by luck, so the first two checks judge
 * the learner's functions over every schedule of a small bank under the explorer (one round each),
 * where a racy answer loses an update in some schedule every time; then they run the real bank in
 * workers. The last check runs the learner's function on the notebook's own thread against a worker.
 *
 * @packageDocumentation
 */
import { LockOwnerDiedError } from "../errors";
import { lostUpdates, type FinalState, type LostUpdate } from "../explore";
import { Lock } from "../lock";
import { Process } from "../process";
import { Value, type SharedValue } from "../shared";
import { sleepAsync } from "../sleep";
import { asThread, everySchedule, lostInWords, refusal, inSchedule, showSchedule } from "./explored";
import { fail, pass } from "./verdict";
import { runWorkers, trouble } from "./workers";

const SECONDS = 30;
const ROUNDS = 100;

/** Whether every thread of a schedule returned; else what the first that did not did. */
function ended(final: FinalState): string | null {
  const t = final.threads.find((x) => x.outcome !== "returned");
  return t === undefined ? null : `thread ${t.thread} ${t.outcome}${t.error ? ` ${t.error.name}: ${t.error.message.replace(/\.$/, "")}` : ""}`;
}

type Clerk = (b: SharedValue<"i">, times: number) => void;

/**
 * Runs `clerk(b, 3)` alone from 200 and returns null if the balance ended at `want`, else what went
 * wrong. One thread: one schedule.
 */
async function alone(clerk: Clerk, name: string, want: number): Promise<string | null> {
  let seen = 200;
  let problem: string | null = null;
  const { failure } = await everySchedule({
    threads: [asThread(clerk, "args[0], 3")],
    args: [Value("i", 200)],
    names: ["b"],
    check: (final) => {
      seen = (final.args[0] as SharedValue<"i">).value;
      problem = ended(final);
      return problem === null && seen === want;
    },
  });
  if (failure === null) return null;
  if (failure.kind !== "check") return `${name}(b, 3) alone: ${failure.message}`;
  if (problem !== null) return `${name}(b, 3) alone: ${problem}`;
  return `${name}(b, 3) alone moved the balance from 200 to ${seen}, want ${want}: it must change it by 1, \`times\` times`;
}

/**
 * Exercise 1: `deposit(b, times)` and `withdraw(b, times)` change the balance by 1, `times` times,
 * with the read-write window of the notebook's slow clerks, protected by the Value's own lock,
 * `b.getLock()`. The check runs each alone (3 rounds); then both, one round each, under every
 * schedule (classes of equivalent schedules: every lost update is still found), where the balance
 * must end at 200; then the real bank, 100 rounds each in workers. Only `b` is passed, so the one
 * lock both can share is the Value's own.
 *
 * @example `await check.exercise1(depositOwnLock, withdrawOwnLock);`
 */
export async function exercise1(deposit: Clerk, withdraw: Clerk): Promise<void> {
  if (typeof deposit !== "function" || typeof withdraw !== "function") {
    return fail(1, "pass your two functions, such as check.exercise1(depositOwnLock, withdrawOwnLock).");
  }
  for (const fn of [deposit, withdraw]) {
    const refused = refusal(fn);
    if (refused !== null) return fail(1, `the library refused it: ${refused}`);
  }
  for (const [clerk, name, want] of [[deposit, "deposit", 203], [withdraw, "withdraw", 197]] as const) {
    const wrong = await alone(clerk, name, want);
    if (wrong !== null) return fail(1, `${wrong}.`);
  }
  let balance = 200;
  let problem: string | null = null;
  let lost: LostUpdate[] = [];
  let judged;
  try {
    judged = await everySchedule({
      threads: [asThread(deposit, "args[0], 1"), asThread(withdraw, "args[0], 1")],
      args: [Value("i", 200)],
      names: ["b"],
      reduce: true,
      check: (final) => {
        balance = (final.args[0] as SharedValue<"i">).value;
        problem = ended(final);
        lost = lostUpdates(final, "b.value");
        return problem === null && lost.length === 0 && balance === 200;
      },
    });
  } catch (error) {
    return fail(1, (error as Error).message);
  }
  const { failure, covered } = judged;
  if (failure !== null) {
    const what = failure.kind !== "check" ? `a ${failure.kind}: ${failure.message}`
      : problem ?? `${lostInWords(lost[0])}. The balance ended at ${balance}, want 200`;
    fail(1, `one round each, ${inSchedule(failure)}: ${what}. ` +
      "Is every read and write of b.value inside mp.withLock(b.getLock(), () => { ... }), in both functions?");
    return showSchedule(failure, "A = deposit, B = withdraw");
  }
  const b = Value("i", 200);
  const outcome = await runWorkers([{ target: deposit, args: [b, ROUNDS] }, { target: withdraw, args: [b, ROUNDS] }], SECONDS);
  const wrong = trouble(outcome, SECONDS);
  if (wrong !== null) return fail(1, `with ${ROUNDS} rounds each in real workers, ${wrong}`);
  if (b.value !== 200) return fail(1, `with ${ROUNDS} rounds each in real workers, the balance ended at ${b.value}, want 200.`);
  pass(1, `balance 200 in ${covered} of one round each, and after ${ROUNDS} rounds each in real workers: ` +
    "the Value's own lock made each read-add-write a critical section.");
}

type Transfer = (from: SharedValue<"i">, to: SharedValue<"i">, lock: Lock, times: number) => void;

/**
 * Exercise 2: `transfer(from, to, lock, times)` moves 1 from `from` to `to`, `times` times, each
 * move one critical section under the one `lock`: whoever holds the lock sees all the money. The
 * check runs it alone (3 moves); then A-to-B and B-to-A, one move each, under every schedule (classes
 * of equivalent ones), checking after every step that while the lock is free the two accounts hold
 * 400 between them, and at the end 200 each; then 100 moves each way in real workers.
 *
 * @example `await check.exercise2(transfer);`
 */
export async function exercise2(transfer: Transfer): Promise<void> {
  if (typeof transfer !== "function") return fail(2, `pass your function itself, such as check.exercise2(transfer), not ${typeof transfer}.`);
  const refused = refusal(transfer);
  if (refused !== null) return fail(2, `the library refused it: ${refused}`);
  let seen = [200, 200];
  let problem: string | null = null;
  const solo = await everySchedule({
    threads: [asThread(transfer, "args[0], args[1], args[2], 3")],
    args: [Value("i", 200), Value("i", 200), new Lock()],
    names: ["from", "to", "lock"],
    check: (final) => {
      seen = (final.args as SharedValue<"i">[]).slice(0, 2).map((v) => v.value);
      problem = ended(final);
      return problem === null && seen[0] === 197 && seen[1] === 203;
    },
  });
  if (solo.failure !== null) {
    const what = solo.failure.kind !== "check" ? solo.failure.message : problem ?? `from ended at ${seen[0]} and to at ${seen[1]}, want 197 and 203: each move takes 1 from from and gives it to to`;
    return fail(2, `transfer(from, to, lock, 3) alone: ${what}.`);
  }
  let broken: number[] | null = null;
  let lost: LostUpdate[] = [];
  let judged;
  try {
    judged = await everySchedule({
      threads: [asThread(transfer, "args[0], args[1], args[2], 1"), asThread(transfer, "args[1], args[0], args[2], 1")],
      args: [Value("i", 200), Value("i", 200), new Lock()],
      names: ["a", "b", "lock"],
      reduce: true,
      invariant: ([a, b, lock]) => {
        if (lock.locked() || a.value + b.value === 400) return true;
        broken = [a.value, b.value];
        return false;
      },
      check: (final) => {
        seen = (final.args as SharedValue<"i">[]).slice(0, 2).map((v) => v.value);
        problem = ended(final);
        lost = [...lostUpdates(final, "a.value"), ...lostUpdates(final, "b.value")];
        return problem === null && lost.length === 0 && seen[0] === 200 && seen[1] === 200;
      },
    });
  } catch (error) {
    return fail(2, (error as Error).message);
  }
  const { failure, covered } = judged;
  if (failure !== null) {
    const [a, b] = broken ?? seen;
    const what = failure.kind === "invariant"
      ? `at step ${failure.trace.length} the lock was free and account a held ${a}, b ${b}: ${a + b} dollars in all, want 400. Whoever takes the lock then sees money missing (or made up)`
      : failure.kind !== "check" ? `a ${failure.kind}: ${failure.message}`
      : problem ?? (lost.length > 0 ? `${lostInWords(lost[0])}. a ended at ${a} and b at ${b}` : `a ended at ${a} and b at ${b}, want 200 and 200`);
    fail(2, `one move each way, ${inSchedule(failure)}: ${what}. ` +
      "Both accounts must change inside the same acquire ... release (one mp.withLock), with the one lock both workers share.");
    return showSchedule(failure, "A moves from a to b, B from b to a");
  }
  const a = Value("i", 200);
  const b = Value("i", 200);
  const lock = new Lock();
  const outcome = await runWorkers([{ target: transfer, args: [a, b, lock, ROUNDS] }, { target: transfer, args: [b, a, lock, ROUNDS] }], SECONDS);
  const wrong = trouble(outcome, SECONDS);
  if (wrong !== null) return fail(2, `with ${ROUNDS} moves each way in real workers, ${wrong}`);
  if (a.value !== 200 || b.value !== 200) return fail(2, `with ${ROUNDS} moves each way in real workers, A ended at ${a.value} and B at ${b.value}, want 200 and 200.`);
  pass(2, `in ${covered} of one move each way, whenever the lock was free the accounts held 400, and both ended at 200; ` +
    `so did ${ROUNDS} moves each way in real workers: each move was one critical section.`);
}

/** Holds the lock for `seconds`; sets `state[0]` to 1 once it holds it and 2 just before it lets go. */
function holdLock(lock: Lock, seconds: number, state: Int32Array): void {
  lock.acquire();
  Atomics.store(state, 0, 1);
  mp.sleep(seconds);
  Atomics.store(state, 0, 2);
  lock.release();
}
declare const mp: { sleep(seconds: number): void };

/**
 * Exercise 3: `takeInNotebook(lock)` runs on the notebook's own thread and must take `lock`, then
 * release it, without blocking the kernel. The check has a worker hold the lock for 0.3 s first,
 * so the function must really wait for it.
 *
 * @example `await check.exercise3(takeInNotebook);`
 */
export async function exercise3(takeInNotebook: (lock: Lock) => Promise<void> | void): Promise<void> {
  if (typeof takeInNotebook !== "function") return fail(3, "pass your function itself, such as check.exercise3(takeInNotebook).");
  const lock = new Lock();
  const state = new Int32Array(new SharedArrayBuffer(4));
  const holder = new Process({ target: holdLock, args: [lock, 0.3, state] });
  holder.start();
  while (Atomics.load(state, 0) === 0) await sleepAsync(0.005);
  let took = false;
  const acquireAsync = lock.acquireAsync.bind(lock);
  const acquire = lock.acquire.bind(lock);
  lock.acquireAsync = async (options) => (took = (await acquireAsync(options)) || took);
  lock.acquire = (options) => (took = acquire(options) || took);
  let error: unknown = null;
  try {
    await takeInNotebook(lock);
  } catch (e) {
    error = e;
  }
  const workerHeldIt = Atomics.load(state, 0) !== 2;
  const lockedAfter = lock.locked();
  if (lockedAfter && took) lock.release();
  try {
    await holder.join({ timeout: 5 });
  } catch (e) {
    if (!(e instanceof LockOwnerDiedError)) await holder.terminate();
  }
  if (error !== null) {
    const name = (error as Error).name;
    const hint = name === "BlockingCallError" ? " On the kernel's thread, use await lock.acquireAsync() instead." : "";
    return fail(3, `your function threw ${name}: ${(error as Error).message.split(". ")[0]}.${hint}`);
  }
  if (!took) return fail(3, "your function returned without taking the lock: await lock.acquireAsync() takes it without blocking the kernel.");
  if (workerHeldIt) return fail(3, "your function returned while the worker still held the lock: did it await lock.acquireAsync()?");
  if (lockedAfter) return fail(3, "your function took the lock but left it locked: release it when done (in a finally).");
  pass(3, "your function waited for the worker's lock without blocking the kernel, took it, and released it.");
}
