/**
 * The checks of notebook 05, *More primitives*. Each runs the learner's function in workers (the
 * last one on the notebook's own thread, against workers) and prints one ✓ or ✗ line.
 *
 * @packageDocumentation
 */
import { Barrier } from "../barrier";
import { Condition } from "../condition";
import { Lock, RLock } from "../lock";
import { Event } from "../event";
import { Process } from "../process";
import { explore } from "../explore";
import { BoundedSemaphore, Semaphore } from "../semaphore";
import { Array as SharedArrayOf, Value, type SharedArray, type SharedValue } from "../shared";
import { sleepAsync } from "../sleep";
import type { Failure } from "../explore";
import { asThread, everySchedule, refusal, inSchedule, shortSchedule, showSchedule, threadAround } from "./explored";
import { fail, listed, pass, sameList } from "./verdict";
import { runWorkers, trouble } from "./workers";

const SECONDS = 10;

/** A scan scenario under the explorer: who runs, on how many places, within which bound. */
interface ScanScenario {
  readonly workers: number;
  readonly places: number;
  readonly who: string;
}

/**
 * The explored scenarios, every schedule of each: two workers on two places (both scan at once,
 * so a maximum kept with a look and then a write can lose the larger number); two workers on one
 * place (the second must wait: it walks in where the semaphore is missing, and waits forever for
 * a place never given back).
 */
const SCANS: readonly ScanScenario[] = [
  { workers: 2, places: 2, who: "2 workers on a BoundedSemaphore(2)" },
  { workers: 2, places: 1, who: "2 workers on a BoundedSemaphore(1)" },
];

type Scan = (scanners: BoundedSemaphore, scanning: Int32Array, most: Int32Array) => void;

/** Explores one scan scenario: what it covered, or what went wrong and in which schedule. */
async function exploreScans(scan: Scan, { workers, places, who }: ScanScenario): Promise<string | { failure: Failure | null; what: string }> {
  let what = "";
  let judged;
  try {
    judged = await everySchedule({
      threads: Array.from({ length: workers }, () => asThread(scan, "args[0], args[1], args[2]")),
      args: [new BoundedSemaphore(places), new Int32Array(new SharedArrayBuffer(4)), new Int32Array(new SharedArrayBuffer(4))],
      names: ["scanners", "scanning", "most"],
      reduce: true,
      check: (final) => {
        const [scanners, scanning, most] = final.args as [BoundedSemaphore, Int32Array, Int32Array];
        // The most scanners at once, from the schedule itself: the largest value scanning[0] held.
        const peak = Math.max(0, ...final.trace.filter((s) => s.cell === "scanning[0]").map((s) => Number(s.after)));
        const t = final.threads.find((x) => x.outcome !== "returned");
        if (t !== undefined) what = `thread ${t.thread} ${t.outcome}${t.error ? ` ${t.error.name}: ${t.error.message.replace(/\.$/, "")}` : ""}.`;
        else if (peak === 0) what = "scanning[0] never went up: count yourself in with Atomics.add(scanning, 0, 1) while you scan.";
        else if (peak > places) what = `${peak} workers scanned at once, but there ${places === 1 ? "is only 1 scanner" : `are only ${places} scanners`}: take a place with scanners.acquire() (or mp.withLock(scanners, ...)) first.`;
        else if (most[0] !== peak) {
          what = `${peak} workers scanned at once, but most[0] ended at ${most[0]}: a smaller number was written over the larger one. ` +
            "Keep the maximum with a compareExchange loop: read most[0], and swap in your number only if it is larger and most[0] still holds what you read.";
        } else if (scanning[0] !== 0) what = `scanning[0] ended at ${scanning[0]}, want 0: subtract 1 when a scan is done.`;
        else if (scanners.getValue() !== places) what = `the semaphore ended with ${scanners.getValue()} free places, want ${places}: release each place taken.`;
        else return true;
        return false;
      },
    });
  } catch (error) {
    return { failure: null, what: (error as Error).message };
  }
  const { failure, covered } = judged;
  if (failure === null) return `${covered} of ${who}`;
  if (failure.kind !== "check") what = `a ${failure.kind}: ${failure.message}. Is every place taken given back?`;
  return { failure, what: `${who}, ${inSchedule(failure)}: ${what}` };
}

/**
 * Exercise 1: `scan(scanners, scanning, most)` holds one of the semaphore's places while it scans
 * for 50 ms, counts itself in `scanning[0]` meanwhile, and raises `most[0]` to the most scanners
 * it saw at once. The check explores two workers on two places and two on one place, every
 * schedule of each, and wants in each: never more scanners than
 * places, `most[0]` equal to the most there were at once (a maximum kept with
 * `if (now > most[0]) most[0] = now` loses the larger number in some schedule: ✗ every run),
 * `scanning[0]` back at 0 and every place given back. Then it runs 6 real workers on a
 * `BoundedSemaphore(3)`.
 *
 * @example `await check.exercise1(scan);`
 */
export async function exercise1(scan: Scan): Promise<void> {
  if (typeof scan !== "function") return fail(1, `pass your function itself, such as check.exercise1(scan), not ${typeof scan}.`);
  const refused = refusal(scan);
  if (refused !== null) return fail(1, `the library refused it: ${refused}`);
  const covered: string[] = [];
  for (const scenario of SCANS) {
    const found = await exploreScans(scan, scenario);
    if (typeof found === "string") {
      covered.push(found);
      continue;
    }
    fail(1, found.what);
    if (found.failure !== null) showSchedule(found.failure, "A and B are the workers");
    return;
  }
  const scanners = new BoundedSemaphore(3);
  const scanning = new Int32Array(new SharedArrayBuffer(4));
  const most = new Int32Array(new SharedArrayBuffer(4));
  const outcome = await runWorkers(Array.from({ length: 6 }, () => ({ target: scan, args: [scanners, scanning, most] })), SECONDS);
  const wrong = trouble(outcome, SECONDS);
  if (wrong !== null) return fail(1, `with 6 real workers: ${wrong}`);
  if (most[0] < 1 || most[0] > 3) return fail(1, `with 6 real workers on 3 scanners, most[0] ended at ${most[0]}, want 1 to 3.`);
  if (scanning[0] !== 0 || scanners.getValue() !== 3) return fail(1, `with 6 real workers, scanning[0] ended at ${scanning[0]} and the semaphore with ${scanners.getValue()} free places, want 0 and 3.`);
  pass(1, `never more scanners than places, and most[0] right, in ${covered.join(", and in ")}; ` +
    `then at most ${most[0]} of 6 real workers scanned at once (the limit is 3), and every place was given back.`);
}

type RingTransfer = (times: number, fromId: number, toId: number, locks: Lock[], accounts: SharedValue<"i">[], start: Barrier) => void;

/** The ring: A to B 50 times, B to C 30 times, C to A 40 times. */
const RING = [
  { from: 0, to: 1, times: 50 },
  { from: 1, to: 2, times: 30 },
  { from: 2, to: 0, times: 40 },
];

/**
 * Exercise 2: `ringTransfer(times, fromId, toId, locks, accounts, start)` waits at `start`, then
 * moves 1 from `accounts[fromId]` to `accounts[toId]`, `times` times, holding both accounts'
 * locks. The check first runs the ring (A to B, B to C, C to A, one move each) under the explorer,
 * every schedule with at most one preemption: a deadlock in the ring, or a lost update, needs no
 * more, so a ring that can deadlock gets its ✗ every run, with the schedule that shows it. Then it
 * runs A-to-B 50 times, B-to-C 30 times and C-to-A 40 times in real workers, from 100 each, and
 * wants them done within 10 s with A 90, B 120, C 90.
 *
 * @example `await check.exercise2(ringTransfer);`
 */
export async function exercise2(ringTransfer: RingTransfer): Promise<void> {
  if (typeof ringTransfer !== "function") return fail(2, `pass your function itself, such as check.exercise2(ringTransfer), not ${typeof ringTransfer}.`);
  const refused = refusal(ringTransfer);
  if (refused !== null) return fail(2, `the library refused it: ${refused}`);
  let balances = [100, 100, 100];
  let problem: string | null = null;
  let judged;
  try {
    judged = await everySchedule({
      threads: RING.map(({ from, to }) => asThread(ringTransfer, `1, ${from}, ${to}, args[0], args[1], args[2]`)),
      args: [[new Lock(), new Lock(), new Lock()], [Value("i", 100), Value("i", 100), Value("i", 100)], new Barrier(3)],
      names: ["locks", "accounts", "start"],
      preemptions: 1,
      check: (final) => {
        balances = (final.args[1] as SharedValue<"i">[]).map((a) => a.value);
        const t = final.threads.find((x) => x.outcome !== "returned");
        problem = t === undefined ? null : `thread ${t.thread} ${t.outcome}${t.error ? ` ${t.error.name}: ${t.error.message}` : ""}`;
        return problem === null && balances.every((b) => b === 100);
      },
    });
  } catch (error) {
    return fail(2, (error as Error).message);
  }
  const { failure, covered } = judged;
  if (failure !== null) {
    const what = failure.kind === "deadlock"
      ? `a deadlock in the ring (${failure.message}). Take the lock of the smaller account number first, whichever way the money goes`
      : failure.kind === "livelock"
      ? `a livelock (${failure.message}): the workers kept giving a lock back and trying again, in turn, and none got both. ` +
        "A timeout and a retry that every worker takes the same way can repeat for ever. Take the lock of the smaller account number first, whichever way the money goes: then nobody has to back off"
      : failure.kind !== "check" ? `a ${failure.kind}: ${failure.message}`
      : problem ?? `the accounts ended at A ${balances[0]}, B ${balances[1]}, C ${balances[2]}, want 100 each: an update was lost. Change both accounts while both locks are held`;
    fail(2, `one move each around the ring, ${inSchedule(failure)}: ${what}.`);
    return showSchedule(failure, "A moves from A to B, B from B to C, C from C to A");
  }
  const locks = [new Lock(), new Lock(), new Lock()];
  const accounts = [Value("i", 100), Value("i", 100), Value("i", 100)];
  const start = new Barrier(3);
  const outcome = await runWorkers(RING.map(({ from, to, times }) => ({ target: ringTransfer, args: [times, from, to, locks, accounts, start] })), SECONDS);
  if (outcome.timedOut) {
    return fail(2, `the transfers had not finished after ${SECONDS} s and were terminated: a deadlock in a ring. ` +
      "Take the lock of the smaller account number first, whichever way the money goes.");
  }
  const wrong = trouble(outcome, SECONDS);
  if (wrong !== null) return fail(2, wrong);
  const want = [100, 100, 100];
  for (const { from, to, times } of RING) {
    want[from] -= times;
    want[to] += times;
  }
  balances = accounts.map((a) => a.value);
  if (balances.some((b, i) => b !== want[i])) {
    return fail(2, `the accounts ended at A ${balances[0]}, B ${balances[1]}, C ${balances[2]}, want A ${want[0]}, B ${want[1]}, C ${want[2]} ` +
      "(50 A-to-B, 30 B-to-C, 40 C-to-A): did every transfer happen, with both accounts changed while both locks were held?");
  }
  pass(2, `no deadlock and no lost update in ${covered} of one move each around the ring; ` +
    `then 120 transfers in real workers: A ${balances[0]}, B ${balances[1]}, C ${balances[2]}.`);
}

/** A guest: waits for its go, then adds one to the count under the condition's lock and notifies. */
function checkIn(latch: Condition, count: Int32Array, go: Event): void {
  go.wait();
  mp.withLock(latch, () => {
    count[0]++;
    latch.notifyAll();
  });
}
declare const mp: { withLock<T>(lock: Condition, fn: () => T): T };

/** How long the learner's function may take to settle into its wait, and to return at the end. */
const SETTLE_SECONDS = 3;

/** A guest of the explored latch: checks in at once, under the condition's lock, and notifies. */
function checkInNow(latch: Condition, count: Int32Array): void {
  mp.withLock(latch, () => {
    count[0]++;
    latch.notifyAll();
  });
}

/** The explored latch waits for this many guests (threads B and C). */
const GUESTS = 2;

/**
 * Explores the learner's latch (thread A, which returns what `count[0]` held when the function
 * returned) beside two guests that check in at once, every schedule with at most 1 preemption:
 * what it covered, or the ✗ text. A latch that looks with `if` rather than `while` returns early
 * with no preemption; one that looks at `count[0]` outside the lock loses a wake-up (a deadlock)
 * with one. Timeouts are fair, so a right latch that waits with a timeout in a loop is not a
 * livelock because the explorer timed it out forever while the guests stood still.
 */
async function exploreLatch(waitForCheckIns: unknown): Promise<string | { what: string }> {
  const lock = new RLock();
  let what = "";
  let judged;
  try {
    judged = await everySchedule({
      threads: [
        threadAround(waitForCheckIns, `return (async () => { await learner(args[0], args[1], ${GUESTS}); return args[1][0]; })();`),
        checkInNow,
        checkInNow,
      ],
      args: [new Condition(lock), new Int32Array(new SharedArrayBuffer(4))] as [Condition, Int32Array],
      names: ["latch", "count"],
      reduce: true,
      preemptions: 1,
      check: ({ threads: [mine, ...guests] }) => {
        const guest = guests.find((g) => g.outcome !== "returned");
        if (mine.outcome !== "returned") what = `your function threw ${mine.error?.name}: ${mine.error?.message}`;
        else if (Number(mine.value) < GUESTS) {
          what = `your function returned when only ${String(mine.value)} of ${GUESTS} guests had checked in. ` +
            "A wake-up (a notifyAll() for somebody else's check-in, or a timeout) does not mean count[0] reached n: " +
            "look again each time you wake, under the lock, with while (count[0] < n) await latch.waitAsync(), or await latch.waitForAsync(() => count[0] >= n)";
        } else if (lock.locked()) what = "your function returned with the condition's lock still held: release it (in a finally)";
        else if (guest !== undefined) what = `guest ${guest.thread} ${guest.outcome}${guest.error ? ` ${guest.error.name}: ${guest.error.message}` : ""}`;
        else return true;
        return false;
      },
    });
  } catch (error) {
    return { what: (error as Error).message };
  }
  const { failure, covered } = judged;
  if (failure === null) return covered;
  if (failure.kind === "deadlock") {
    what = `a deadlock: ${failure.message}. Your function went to sleep after the last check-in and its notifyAll(), and nobody was left to wake it. ` +
      "Look at count[0] and go to sleep while holding the lock (latch.waitAsync() lets it go only once you sleep), so that no check-in can come in between";
  } else if (failure.kind !== "check") what = `a ${failure.kind}: ${failure.message}`;
  return { what: `beside ${GUESTS} guests that check in at once, in the schedule ${inRuns(failure.schedule)} (A your function, B and C the guests): ${what}.` };
}

/**
 * Exercise 3: `waitForCheckIns(latch, count, n)` runs on the notebook's thread and must return
 * once `count[0]` has reached `n`, waiting on the `Condition` (`waitAsync`, or `waitForAsync`,
 * which calls it) without blocking the kernel. The check first runs it live: it starts 4 guest
 * workers and lets three check in; then, with nothing changing, the function must be found asleep
 * in the condition's `waitAsync` (a function that polls, `while (count[0] < n) await
 * mp.sleepAsync(...)`, never is, so it gets a ✗ every run, however fast it polls); then the fourth
 * checks in and notifies, and the function must return, with the lock released. Then, as the
 * order of a look at `count[0]` and a check-in is a matter of timing that a live run rarely hits,
 * it explores the function beside two guests, every schedule with at most 1 preemption (timeouts
 * fair), and wants it to return exactly when `count[0]` reached 2, lock released, every time: a
 * look with `if` rather than `while`, a look outside the lock (a lost wake-up), or a return after
 * a timeout with fewer checked in gets a ✗ every run, with the schedule.
 *
 * @example `await check.exercise3(waitForCheckIns);`
 */
export async function exercise3(waitForCheckIns: (latch: Condition, count: Int32Array, n: number) => Promise<void> | void): Promise<void> {
  if (typeof waitForCheckIns !== "function") return fail(3, "pass your function itself, such as check.exercise3(waitForCheckIns).");
  const refused = refusal(waitForCheckIns);
  if (refused !== null) {
    const why = refused.split(". ")[0].replace(/^Process\(\): target /, "it ");
    return fail(3, `the check also runs your function in a worker, to try it in every schedule, and there ${why}. Define what it needs inside it.`);
  }
  const live = await latchLive(waitForCheckIns);
  if (live !== null) return fail(3, live);
  const explored = await exploreLatch(waitForCheckIns);
  if (typeof explored !== "string") return fail(3, explored.what);
  pass(3, "your function slept in the condition's wait until the last check-in woke it, and the kernel was never blocked; " +
    `and beside ${GUESTS} guests, in ${explored}, it returned exactly when count[0] reached ${GUESTS}, with the lock released.`);
}

/**
 * The live part of exercise 3 (see there): 4 guest workers, the function on this thread. The ✗
 * text, or null if it passed.
 */
async function latchLive(waitForCheckIns: (latch: Condition, count: Int32Array, n: number) => Promise<void> | void): Promise<string | null> {
  const lock = new RLock();
  const latch = new Condition(lock);
  const count = new Int32Array(new SharedArrayBuffer(4));
  const gos = [0, 1, 2, 3].map(() => new Event());
  const guests = gos.map((go) => new Process({ target: checkIn, args: [latch, count, go] }));
  for (const g of guests) g.start();
  // Watch the function's waits on the condition: waitForAsync waits through waitAsync too.
  let waiting = 0;
  const waitAsync = latch.waitAsync.bind(latch);
  latch.waitAsync = async (options) => {
    waiting++;
    try {
      return await waitAsync(options);
    } finally {
      waiting--;
    }
  };
  let error: Error | null = null;
  let returned = false;
  let atReturn = -1;
  const running = (async () => waitForCheckIns(latch, count, 4))().then(
    () => {
      returned = true;
      atReturn = count[0];
    },
    (e: unknown) => void (error = e instanceof Error ? e : new Error(String(e))),
  );
  const until = async (done: () => boolean, seconds: number): Promise<boolean> => {
    for (const end = Date.now() + seconds * 1000; !done(); await sleepAsync(0.005)) if (Date.now() > end) return false;
    return true;
  };
  let verdict: string | null = null;
  for (const go of gos.slice(0, 3)) go.set();
  await until(() => count[0] === 3, 10);
  const slept = await until(() => waiting > 0 || returned || error !== null, SETTLE_SECONDS);
  const early = returned ? atReturn : -1;
  gos[3].set();
  await until(() => returned || error !== null, SETTLE_SECONDS);
  const done = returned;
  for (const g of guests) await g.join({ timeout: 5 }).catch(() => g.terminate());
  // Only this thread can hold it now (an RLock: acquiring it here again would succeed).
  const free = !lock.locked();
  void running;
  const thrown = error as Error | null;
  if (thrown !== null) {
    const hint = thrown.name === "BlockingCallError" ? " On the kernel's thread, use the ...Async methods: await latch.acquireAsync(), await latch.waitForAsync(...)." : "";
    verdict = `your function threw ${thrown.name}: ${thrown.message.split(". ")[0]}.${hint}`;
  } else if (early !== -1) {
    verdict = `your function returned when only ${early} of 4 had checked in: wait with await latch.waitForAsync(() => count[0] === n), under the lock.`;
  } else if (!slept) {
    verdict = `with 3 of 4 checked in and nothing changing for ${SETTLE_SECONDS} s, your function never slept in the condition's wait: ` +
      "it keeps looking at count[0] (polling). Wait on the Condition instead: await latch.waitForAsync(() => count[0] === n), and let notifyAll() wake you.";
  } else if (!done) {
    verdict = `your function had not returned ${SETTLE_SECONDS} s after the last check-in and its notifyAll(): does it wait for count[0] === n?`;
  } else if (!free) {
    verdict = "your function returned with the condition's lock still held: release it (in a finally).";
  }
  return verdict;
}

/**
 * A schedule in runs of one thread's steps, `A×12 B×3 A~ A×2` (`A~` a timeout of A's wait): the
 * primitives take many steps each.
 */
function inRuns(schedule: string): string {
  const runs: { token: string; times: number }[] = [];
  for (const token of schedule.match(/[A-Z][~!]?/g) ?? []) {
    const last = runs[runs.length - 1];
    if (last?.token === token) last.times++;
    else runs.push({ token, times: 1 });
  }
  return shortSchedule(runs.map(({ token, times }) => (token.length > 1 && times === 1 ? token : `${token}×${times}`)).join(" "));
}

/** The consumer of exercise 4, a thread of the explorer: takes three items, in order. */
function takeThree(buf: SharedArray<"i">, lock: Lock, empty: Semaphore, full: Semaphore): number[] {
  const got: number[] = [];
  for (let k = 0; k < 3; k++) {
    full.acquire();
    lock.acquire();
    got.push(buf[2 + (buf[1] % 2)]);
    buf[1] = buf[1] + 1;
    lock.release();
    empty.release();
  }
  return got;
}

/**
 * Exercise 4: `produce(buf, lock, empty, full)` puts 1, 2 and 3 into the bounded buffer of 5.8
 * (`buf`: items put, items taken, two slots; `empty` a `Semaphore(2)` of free places, `full` a
 * `Semaphore(0)` of items, `lock` guarding `buf`). The check runs it against a consumer that takes
 * three items, under the explorer, over every schedule with at most 2 preemptions, and wants the
 * consumer to get 1, 2, 3 in every one, with no deadlock.
 *
 * @example `await check.exercise4(produce);`
 */
export async function exercise4(produce: (buf: SharedArray<"i">, lock: Lock, empty: Semaphore, full: Semaphore) => void): Promise<void> {
  if (typeof produce !== "function") return fail(4, `pass your function itself, such as check.exercise4(produce), not ${typeof produce}.`);
  let result;
  try {
    result = await explore({
      threads: [produce, takeThree],
      args: [SharedArrayOf("i", 4, { lock: false }), new Lock(), new Semaphore(2), new Semaphore(0)] as [SharedArray<"i">, Lock, Semaphore, Semaphore],
      names: ["buf", "lock", "empty", "full"],
      reduce: true,
      preemptions: 2,
      fairTimeouts: true,
      stopAtFirstFailure: true,
      check: ({ args: [buf], threads: [producer, consumer] }) => producer.outcome === "returned" && consumer.outcome === "returned" &&
        sameList(consumer.value as number[], [1, 2, 3]) && buf[0] === 3,
      state: ({ args: [buf], threads: [producer, consumer] }) =>
        `the consumer ${consumer.outcome === "returned" ? `got ${listed(consumer.value as number[])}` : consumer.outcome}` +
        `${producer.outcome === "threw" ? `, your function threw ${producer.error?.name}: ${producer.error?.message}` : ""}, items put ${buf[0]}`,
    });
  } catch (error) {
    return fail(4, `the explorer could not run it: ${(error as Error).message.split("\n")[0]}`);
  }
  const failure = result.failure;
  if (failure === null) {
    return pass(4, `in all ${result.schedules} schedules tried (every one with at most 2 preemptions) the consumer got 1, 2, 3, and nobody deadlocked.`);
  }
  if (failure.kind === "deadlock") {
    return fail(4, `deadlock in the schedule ${inRuns(failure.schedule)} (A your produce, B the consumer): ${failure.message}. ` +
      "Take a free place (empty.acquire()) before the lock, never while holding it, and after putting an item, full.release() so that the consumer may take it.");
  }
  fail(4, `in the schedule ${inRuns(failure.schedule)} (A your produce, B the consumer) ${failure.state}. ` +
    "Put 1, 2, 3 in that order: for each, empty.acquire(), then under the lock buf[2 + buf[0] % 2] = item and buf[0] += 1, then full.release().");
}

/** The producer of exercise 5, a thread of the explorer: puts 1, 2, 3 with two conditions. */
function putThree(buf: SharedArray<"i">, lock: Lock, notFull: Condition, notEmpty: Condition): void {
  for (const item of [1, 2, 3]) {
    lock.acquire();
    while (buf[0] - buf[1] === 2) notFull.wait();
    buf[2 + (buf[0] % 2)] = item;
    buf[0] = buf[0] + 1;
    notEmpty.notify();
    lock.release();
  }
}

/**
 * Exercise 5: `consume(buf, lock, notFull, notEmpty)` takes three items from the bounded buffer of
 * 5.8 (two slots) with two conditions on `lock`, and returns them in a list. The check runs it
 * against a producer that puts 1, 2, 3 (waiting on `notFull`, notifying `notEmpty`), under the
 * explorer, over every schedule with at most 1 preemption, and wants `[1, 2, 3]` every time, with
 * no deadlock.
 *
 * @example `await check.exercise5(consume);`
 */
export async function exercise5(consume: (buf: SharedArray<"i">, lock: Lock, notFull: Condition, notEmpty: Condition) => number[]): Promise<void> {
  if (typeof consume !== "function") return fail(5, `pass your function itself, such as check.exercise5(consume), not ${typeof consume}.`);
  const lock = new Lock();
  let result;
  try {
    result = await explore({
      threads: [putThree, consume],
      args: [SharedArrayOf("i", 4, { lock: false }), lock, new Condition(lock), new Condition(lock)] as [SharedArray<"i">, Lock, Condition, Condition],
      names: ["buf", "lock", "notFull", "notEmpty"],
      reduce: true,
      preemptions: 1,
      fairTimeouts: true,
      stopAtFirstFailure: true,
      check: ({ threads: [, consumer] }) => consumer.outcome === "returned" && Array.isArray(consumer.value) && sameList(consumer.value, [1, 2, 3]),
      state: ({ threads: [, consumer] }) => consumer.outcome === "returned"
        ? `your consume returned ${Array.isArray(consumer.value) ? listed(consumer.value) : String(consumer.value)}`
        : `your consume ${consumer.outcome}${consumer.error ? ` ${consumer.error.name}: ${consumer.error.message}` : ""}`,
    });
  } catch (error) {
    return fail(5, `the explorer could not run it: ${(error as Error).message.split("\n")[0]}`);
  }
  const failure = result.failure;
  if (failure === null) {
    return pass(5, `in all ${result.schedules} schedules tried (every one with at most 1 preemption) your consume returned [1, 2, 3], and nobody deadlocked.`);
  }
  if (failure.kind === "deadlock") {
    return fail(5, `deadlock in the schedule ${inRuns(failure.schedule)} (A the producer, B your consume): ${failure.message}. ` +
      "Wait on notEmpty while the buffer is empty (buf[0] === buf[1]), under the lock, and after taking an item, notFull.notify() so that a producer waiting for room goes on.");
  }
  fail(5, `in the schedule ${inRuns(failure.schedule)} (A the producer, B your consume) ${failure.state}. ` +
    "For each of three items: under the lock, wait on notEmpty while buf[0] === buf[1], take buf[2 + buf[1] % 2], add 1 to buf[1], notFull.notify(); return the three in order.");
}
