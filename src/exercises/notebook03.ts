/**
 * The checks of notebook 03, *Locks*. Each runs the learner's functions in workers (or, for the
 * last one, on the notebook's own thread against a worker) and prints one ✓ or ✗ line.
 *
 * A lost update needs two workers inside their read-write window at the same moment, so a racy
 * answer can come out right by luck. The checks therefore look at the source as well as the
 * balance: a right balance from a function that takes no lock gets a ✗ that says so.
 *
 * @packageDocumentation
 */
import { LockOwnerDiedError } from "../errors";
import { Lock } from "../lock";
import { Process } from "../process";
import { Value, type SharedValue } from "../shared";
import { sleepAsync } from "../sleep";
import { fail, pass, sourceOf } from "./verdict";
import { runWorkers, trouble } from "./workers";

const SECONDS = 30;
const TAKES_A_LOCK = /\b(acquire|withLock)\b/;

type Clerk = (b: SharedValue<"i">) => void;

/**
 * Exercise 1: `deposit(b)` and `withdraw(b)` each change the balance by 1, a hundred times, with
 * the read-write window of the notebook's slow clerks, protected by the Value's own lock,
 * `b.getLock()`. The check runs the bank and wants 200.
 *
 * @example `await check.exercise1(depositOwnLock, withdrawOwnLock);`
 */
export async function exercise1(deposit: Clerk, withdraw: Clerk): Promise<void> {
  if (typeof deposit !== "function" || typeof withdraw !== "function") {
    return fail(1, "pass your two functions, such as check.exercise1(depositOwnLock, withdrawOwnLock).");
  }
  const b = Value("i", 200);
  const outcome = await runWorkers([{ target: deposit, args: [b] }, { target: withdraw, args: [b] }], SECONDS);
  const wrong = trouble(outcome, SECONDS);
  if (wrong !== null) return fail(1, wrong);
  if (b.value !== 200) {
    return fail(1, `the balance ended at ${b.value}, want 200: updates were lost. ` +
      "Is every read and write of b.value inside mp.withLock(b.getLock(), () => { ... }) in both functions?");
  }
  if (![deposit, withdraw].every((fn) => /getLock\s*\(/.test(sourceOf(fn)))) {
    return fail(1, `the balance was ${b.value}, but a function never calls b.getLock(): the race is still there, it just did not show this time.`);
  }
  pass(1, `balance ${b.value}: the Value's own lock made each read-add-write a critical section.`);
}

type Transfer = (from: SharedValue<"i">, to: SharedValue<"i">, lock: Lock) => void;

/**
 * Exercise 2: `transfer(from, to, lock)` moves 1 from `from` to `to`, a hundred times, under the
 * one `lock`. The check runs A-to-B and B-to-A at once and wants both accounts back at 200.
 *
 * @example `await check.exercise2(transfer);`
 */
export async function exercise2(transfer: Transfer): Promise<void> {
  if (typeof transfer !== "function") return fail(2, `pass your function itself, such as check.exercise2(transfer), not ${typeof transfer}.`);
  const a = Value("i", 200);
  const b = Value("i", 200);
  const lock = new Lock();
  const outcome = await runWorkers([{ target: transfer, args: [a, b, lock] }, { target: transfer, args: [b, a, lock] }], SECONDS);
  const wrong = trouble(outcome, SECONDS);
  if (wrong !== null) return fail(2, wrong);
  if (a.value !== 200 || b.value !== 200) {
    return fail(2, `A ended at ${a.value} and B at ${b.value} (total ${a.value + b.value}), want 200 and 200. ` +
      "Both accounts must change inside the same acquire ... release, with the one lock both workers share.");
  }
  if (!TAKES_A_LOCK.test(sourceOf(transfer))) {
    return fail(2, "the accounts came out right, but transfer never takes the lock: the race is still there, it just did not show this time.");
  }
  pass(2, `A ${a.value}, B ${b.value}: one lock kept both accounts right.`);
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
