/**
 * The exercises' checks (src/exercises): for every exercise, a right answer gets one `✓` line and
 * a wrong one gets one `✗` line that says what was wrong. The answers are functions of the kind a
 * learner writes, run in real workers by the checks, as in the notebooks.
 *
 * Interleavings: a racy answer loses updates only when its workers overlap, which no test can
 * force. The checks of notebook 03 therefore also look at the source, so a racy answer gets a ✗
 * whichever way it runs: "updates were lost" if they overlapped, "never calls b.getLock()" if not.
 * The tests accept either message and say so. A lock that lets every worker in (notebook 06) and a
 * load-then-store increment (notebook 04) are run by workers that start together at a barrier
 * (and, for 06, run again until they overlapped), where a lost update is all but certain; the ring deadlock
 * of notebook 05 is made certain by a barrier between the two acquires.
 */
import { after, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { notebook01, notebook02, notebook03, notebook04, notebook05, notebook06, notebook07, notebook08 } from "../dist/exercises";

after(() => mp.terminateAll());

/** The lines `run` printed with console.log (and only those). */
async function printed(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    await run();
  } finally {
    console.log = log;
  }
  return lines;
}

/** The one ✓/✗ line of a check, asserting there is exactly one and it starts with `mark exercise n:`. */
async function verdict(mark: "✓" | "✗", n: number, run: () => Promise<void>): Promise<string> {
  const lines = (await printed(run)).filter((l) => /^[✓✗] exercise/.test(l));
  assert.equal(lines.length, 1, `want one verdict line, got ${JSON.stringify(lines)}`);
  assert.ok(lines[0].startsWith(`${mark} exercise ${n}: `), lines[0]);
  return lines[0];
}

describe("notebook 01", () => {
  test("exercise 1: cubes printed by a worker, with the power in args", async () => {
    function cubeWith(numList: number[], power: number) {
      console.log(numList.map((n) => n ** power).join(" "));
    }
    await verdict("✓", 1, () => notebook01.exercise1(cubeWith));
    const POWER = 3;
    function cube(numList: number[]) {
      console.log(numList.map((n) => n ** POWER).join(" "));
    }
    assert.match(await verdict("✗", 1, () => notebook01.exercise1(cube as never)), /refused it: .*`POWER`/);
    function squares(numList: number[]) {
      console.log(numList.map((n) => n ** 2).join(" "));
    }
    assert.match(await verdict("✗", 1, () => notebook01.exercise1(squares)), /printed "25 36 49 64", want "125 216 343 512": print the powers/);
    function nothing() {}
    assert.match(await verdict("✗", 1, () => notebook01.exercise1(nothing)), /printed nothing/);
  });

  test("exercise 2: the notebook's box stays empty", async () => {
    await verdict("✓", 2, () => notebook01.exercise2(0));
    assert.match(await verdict("✗", 2, () => notebook01.exercise2(4)), /predicted 4, but .* has 0 elements.*copy/);
    assert.match(await verdict("✗", 2, () => notebook01.exercise2(undefined as never)), /as a number/);
  });

  test("exercise 3: a function in args is a TypeError", async () => {
    await verdict("✓", 3, () => notebook01.exercise3("TypeError"));
    assert.match(await verdict("✗", 3, () => notebook01.exercise3("RangeError")), /threw a TypeError, not a RangeError: args\[0\] is a function/);
  });
});

describe("notebook 02", () => {
  test("exercise 1: squares written into a SharedArrayBuffer", async () => {
    function squaresInto(itemsList: number[], buffer: SharedArrayBuffer) {
      const out = new Int32Array(buffer);
      for (const [i, n] of itemsList.entries()) out[i] = n ** 2;
    }
    await verdict("✓", 1, () => notebook02.exercise1(squaresInto));
    function intoACopy(itemsList: number[], buffer: SharedArrayBuffer) {
      const out = new Int32Array(buffer.slice(0));
      for (const [i, n] of itemsList.entries()) out[i] = n ** 2;
    }
    assert.match(await verdict("✗", 1, () => notebook02.exercise1(intoACopy)), /sees \[0, 0, 0, 0\] in the buffer, want \[25, 36, 49, 64\]/);
    function throws() {
      throw new RangeError("oops");
    }
    assert.match(await verdict("✗", 1, () => notebook02.exercise1(throws)), /a worker threw .*RangeError: oops/);
  });

  test("exercise 2: a plain ArrayBuffer is copied", async () => {
    await verdict("✓", 2, () => notebook02.exercise2([0, 0, 0, 0]));
    assert.match(await verdict("✗", 2, () => notebook02.exercise2([25, 36, 49, 64])), /sees \[0, 0, 0, 0\].*not shared/);
  });

  test("exercise 3: the mean needs a float typecode", async () => {
    function meanOfSquares(itemsList: number[], mean: mp.SharedValue) {
      mean.value = itemsList.reduce((s, n) => s + n ** 2, 0) / itemsList.length;
    }
    await verdict("✓", 3, () => notebook02.exercise3(meanOfSquares, "d"));
    assert.match(await verdict("✗", 3, () => notebook02.exercise3(meanOfSquares, "i")), /threw .*whole numbers.*Which typecodes hold fractions/);
    assert.match(await verdict("✗", 3, () => notebook02.exercise3(meanOfSquares, "x" as never)), /mp.Value\("x"\) was refused/);
  });
});

describe("notebook 03", () => {
  // Short clerks (20 steps of 2 ms) keep the test quick; the checks do not care how many steps.
  function depositLocked(b: mp.SharedValue<"i">) {
    for (let i = 0; i < 20; i++) {
      mp.sleep(0.002);
      mp.withLock(b.getLock(), () => {
        const balance = b.value;
        const end = performance.now() + 0.1;
        while (performance.now() < end) { /* busy: the read-write window */ }
        b.value = balance + 1;
      });
    }
  }
  function withdrawLocked(b: mp.SharedValue<"i">) {
    for (let i = 0; i < 20; i++) {
      mp.sleep(0.002);
      mp.withLock(b.getLock(), () => {
        const balance = b.value;
        const end = performance.now() + 0.1;
        while (performance.now() < end) { /* busy: the read-write window */ }
        b.value = balance - 1;
      });
    }
  }
  function depositRacy(b: mp.SharedValue<"i">) {
    for (let i = 0; i < 20; i++) {
      mp.sleep(0.002);
      const balance = b.value;
      const end = performance.now() + 0.1;
      while (performance.now() < end) { /* busy: the read-write window */ }
      b.value = balance + 1;
    }
  }

  test("exercise 1: the Value's own lock", async () => {
    await verdict("✓", 1, () => notebook03.exercise1(depositLocked, withdrawLocked));
    // Lost updates or not, a clerk without the lock gets a ✗ (see the file's comment).
    assert.match(await verdict("✗", 1, () => notebook03.exercise1(depositRacy, withdrawLocked)),
      /updates were lost|never calls b.getLock\(\): the race is still there/);
  });

  test("exercise 2: one lock for both accounts", async () => {
    function transfer(from: mp.SharedValue<"i">, to: mp.SharedValue<"i">, lock: mp.Lock) {
      for (let i = 0; i < 20; i++) {
        mp.sleep(0.002);
        mp.withLock(lock, () => {
          from.value = from.value - 1;
          to.value = to.value + 1;
        });
      }
    }
    await verdict("✓", 2, () => notebook03.exercise2(transfer));
    function halfLocked(from: mp.SharedValue<"i">, to: mp.SharedValue<"i">, lock: mp.Lock) {
      for (let i = 0; i < 20; i++) {
        mp.withLock(lock, () => (from.value = from.value - 1));
        to.value = to.value + 1;
      }
      // Ends 1 off, as a lost update would: the check must see it.
      to.value = to.value + 1;
    }
    assert.match(await verdict("✗", 2, () => notebook03.exercise2(halfLocked)), /A ended at \d+ and B at \d+ .*want 200 and 200/);
  });

  test("exercise 3: taking the lock on the notebook's thread", async () => {
    await verdict("✓", 3, () => notebook03.exercise3(async (lock) => {
      await lock.acquireAsync();
      lock.release();
    }));
    assert.match(await verdict("✗", 3, () => notebook03.exercise3((lock) => void lock.acquire())),
      /threw BlockingCallError.*use await lock.acquireAsync\(\) instead/);
    assert.match(await verdict("✗", 3, () => notebook03.exercise3(async () => {})), /without taking the lock/);
    assert.match(await verdict("✗", 3, () => notebook03.exercise3(async (lock) => void (await lock.acquireAsync()))), /left it locked/);
  });
});

describe("notebook 04", () => {
  test("exercise 1: an increment built from compareExchange", async () => {
    function increment(counter: Int32Array, n: number) {
      for (let i = 0; i < n; i++) {
        let seen = Atomics.load(counter, 0);
        for (let found; (found = Atomics.compareExchange(counter, 0, seen, seen + 1)) !== seen; ) seen = found;
      }
    }
    await verdict("✓", 1, () => notebook04.exercise1(increment));
    function loadStore(counter: Int32Array, n: number) {
      for (let i = 0; i < n; i++) Atomics.store(counter, 0, Atomics.load(counter, 0) + 1);
    }
    assert.match(await verdict("✗", 1, () => notebook04.exercise1(loadStore)), /counted \d+ of 1000000: \d+ updates lost/);
    function withAdd(counter: Int32Array, n: number) {
      for (let i = 0; i < n; i++) Atomics.add(counter, 0, 1);
    }
    assert.match(await verdict("✗", 1, () => notebook04.exercise1(withAdd)), /without Atomics.add/);
  });

  test("exercise 2: partial sums", async () => {
    function sumOfSquares(values: Int32Array, from: number, to: number, partials: Float64Array, id: number) {
      let sum = 0;
      for (let i = from; i < to; i++) sum += values[i] * values[i];
      partials[id] = sum;
    }
    await verdict("✓", 2, () => notebook04.exercise2(sumOfSquares));
    function offByOne(values: Int32Array, from: number, to: number, partials: Float64Array, id: number) {
      let sum = 0;
      for (let i = from; i <= to; i++) sum += (values[i] ?? 0) * (values[i] ?? 0);
      partials[id] = sum;
    }
    assert.match(await verdict("✗", 2, () => notebook04.exercise2(offByOne)), /workers 0, 1, 2 stored a wrong sum/);
  });
});

describe("notebook 05", () => {
  test("exercise 1: at most three scanners", async () => {
    function scan(scanners: mp.BoundedSemaphore, scanning: Int32Array, most: Int32Array) {
      mp.withLock(scanners, () => {
        const now = Atomics.add(scanning, 0, 1) + 1;
        for (let seen = Atomics.load(most, 0); now > seen; seen = Atomics.load(most, 0)) {
          if (Atomics.compareExchange(most, 0, seen, now) === seen) break;
        }
        mp.sleep(0.05);
        Atomics.sub(scanning, 0, 1);
      });
    }
    await verdict("✓", 1, () => notebook05.exercise1(scan));
    function noSemaphore(_scanners: mp.BoundedSemaphore, scanning: Int32Array, most: Int32Array) {
      const now = Atomics.add(scanning, 0, 1) + 1;
      mp.sleep(0.3);   // long enough that all 6 are in at once
      Atomics.store(most, 0, Math.max(Atomics.load(most, 0), now, Atomics.load(scanning, 0)));
      Atomics.sub(scanning, 0, 1);
    }
    assert.match(await verdict("✗", 1, () => notebook05.exercise1(noSemaphore)), /[4-6] workers scanned at once, but there are only 3/);
  });

  test("exercise 2: locks taken in one order", async () => {
    function ordered(times: number, fromId: number, toId: number, locks: mp.Lock[], accounts: mp.SharedValue<"i">[], start: mp.Barrier) {
      const [low, high] = fromId < toId ? [fromId, toId] : [toId, fromId];
      start.wait();
      for (let i = 0; i < times; i++) {
        mp.withLock(locks[low], () => mp.withLock(locks[high], () => {
          accounts[fromId].value = accounts[fromId].value - 1;
          accounts[toId].value = accounts[toId].value + 1;
        }));
      }
    }
    await verdict("✓", 2, () => notebook05.exercise2(ordered));
    // The "from" lock first, and a barrier after it: every worker holds one lock, the ring closes.
    function ring(_times: number, fromId: number, toId: number, locks: mp.Lock[], _accounts: mp.SharedValue<"i">[], start: mp.Barrier) {
      locks[fromId].acquire();
      start.wait();
      locks[toId].acquire();
    }
    assert.match(await verdict("✗", 2, () => notebook05.exercise2(ring)), /not finished after 10 s .*deadlock in a ring/);
    function nothing() {}
    assert.match(await verdict("✗", 2, () => notebook05.exercise2(nothing)), /ended at A 100, B 100, C 100, want A 90, B 120, C 90 .*did every transfer happen/);
  });

  test("exercise 3: a latch on the notebook's thread", async () => {
    await verdict("✓", 3, () => notebook05.exercise3(async (latch, count, n) => {
      await latch.acquireAsync();
      try {
        await latch.waitForAsync(() => count[0] === n);
      } finally {
        latch.release();
      }
    }));
    assert.match(await verdict("✗", 3, () => notebook05.exercise3(async () => {})), /returned when only [0-3] of 4 had checked in/);
    assert.match(await verdict("✗", 3, () => notebook05.exercise3((latch) => void latch.acquire())), /threw BlockingCallError/);
  });
});

describe("notebook 06", () => {
  test("exercise 1: a hand-built lock on the bench", async () => {
    function ticketLock(cells: Int32Array) {
      return {
        acquire() {
          const mine = Atomics.add(cells, 0, 1);
          for (let serving; (serving = Atomics.load(cells, 1)) !== mine; ) Atomics.wait(cells, 1, serving);
        },
        release() {
          Atomics.add(cells, 1, 1);
          Atomics.notify(cells, 1);
        },
      };
    }
    await verdict("✓", 1, () => notebook06.exercise1(ticketLock));
    // A lock that lets everybody in. (A load-then-store lock lets two in only when a waiter's
    // load falls in the nanoseconds between a release and the next acquire: the check catches it
    // in some runs, not all, so it is no test of the check.)
    function noLock(_cells: Int32Array) {
      return { acquire() {}, release() {} };
    }
    assert.match(await verdict("✗", 1, () => notebook06.exercise1(noLock)), /increments were lost: two workers were in the critical section at once/);
  });
});

// Notebook 07's answers are schedules, replayed under the explorer: each test covers exactly the
// schedule it names (and replay's run-on after it), the same way every time.
describe("notebook 07", () => {
  const brokenDeposit = (b: mp.Value, flag: mp.Value) => {
    while (flag.value !== 0) { /* spin until the flag looks free */ }
    flag.value = 1;
    b.value = b.value + 1;
    flag.value = 0;
  };
  const brokenWithdraw = (b: mp.Value, flag: mp.Value) => {
    while (flag.value !== 0) { /* spin until the flag looks free */ }
    flag.value = 1;
    b.value = b.value - 1;
    flag.value = 0;
  };
  const brokenBank: mp.Scenario<[mp.Value, mp.Value]> = { threads: [brokenDeposit, brokenWithdraw], args: [mp.Value("i", 200), mp.Value("i", 0)], names: ["b", "flag"] };

  test("exercise 1: a schedule that lets both past the broken lock gets ✓, with the step where both were inside, then the trace", async () => {
    const lines = await printed(() => notebook07.exercise1("ABAB", brokenBank));
    assert.match(lines[0], /^✓ exercise 1: "ABAB" \(replay ran it on as ABAB\w+\): both threads were inside at step 4 \(they entered: A at step 3, B at step 4\)\.$/);
    assert.match(lines[1], /^Schedule ABAB/);
  });

  test("exercise 1: a schedule that keeps them apart gets ✗, saying what happened and what to try", async () => {
    const lines = await printed(() => notebook07.exercise1("AB", brokenBank));
    assert.equal(
      lines[0],
      `✗ exercise 1: "AB" (replay ran it on as ABBBBBAAAA) did not get both workers inside the critical section at once: ` +
        `every thread finished (final state Value('i', 200), Value('i', 0)). Where in the trace could the other worker take a step that changes everything?`,
    );
    assert.match(lines[1], /^Schedule ABBBBBAAAA\n/);
  });

  test("exercise 1: a schedule that cannot be read or cannot happen gets ✗ with the reason; so does a non-string", async () => {
    assert.match(await verdict("✗", 1, () => notebook07.exercise1("A?B", brokenBank)), /replay\(\): the schedule "A\?B" has "\?" at position 2, which is not a step\. .* Where in the trace/);
    // A has 5 steps: read and write the flag, read and write b, write the flag. There is no 6th.
    assert.match(await verdict("✗", 1, () => notebook07.exercise1("AAAAAA", brokenBank)), /replay\(\): step 6 of "AAAAAA" is A, which cannot happen there: /);
    assert.deepEqual(await printed(() => notebook07.exercise1(undefined as unknown as string, brokenBank)), [
      `✗ exercise 1: the schedule must be a string of thread letters such as "ABAB", not undefined.`,
    ]);
  });

  test("exercise 2: two locks in opposite orders: a schedule that deadlocks gets ✓, one that does not gets ✗", async () => {
    const forward = (one: mp.Lock, two: mp.Lock) => {
      mp.withLock(one, () => mp.withLock(two, () => {}));
    };
    const backward = (one: mp.Lock, two: mp.Lock) => {
      mp.withLock(two, () => mp.withLock(one, () => {}));
    };
    const twoLocks: mp.Scenario<[mp.Lock, mp.Lock]> = { threads: [forward, backward], args: [new mp.Lock(), new mp.Lock()], names: ["one", "two"] };
    assert.match(
      await verdict("✓", 2, () => notebook07.exercise2("AB", twoLocks)),
      /^✓ exercise 2: "AB" \(replay ran it on as AB\w+\): deadlock after \d+ steps: every live thread is blocked: A sleeps in wait\(\) on two\[0\]/,
    );
    assert.match(
      await verdict("✗", 2, () => notebook07.exercise2("AAB", twoLocks)),
      /^✗ exercise 2: "AAB" \(.*\) did not get a deadlock: every thread finished \(final state <Lock\(unlocked\)>, <Lock\(unlocked\)>\)\. Each worker/,
    );
  });
});

describe("notebook 08: share memory, or pass messages", () => {
  // Exercise 1 is judged by mp.explore over every schedule without preemptions (each thread runs
  // until it blocks or ends): every order in which the two clerks and the teller take turns.
  test("exercise 1: tellers written differently that apply every message and stop after both nulls get ✓", async () => {
    const counting = (q: mp.Queue, b: mp.SharedValue<"i">) => {
      let open = 2;
      while (open > 0) {
        const m = q.get() as number | null;
        if (m === null) open--;
        else b.value = b.value + m;
      }
    };
    function endless(q: mp.Queue, balance: mp.SharedValue<"i">) {
      for (let done = 0; ; ) {
        const message = q.get();
        if (message === null) {
          if (++done === 2) return;
        } else {
          balance.value += message as number;
        }
      }
    }
    for (const teller of [counting, endless]) {
      assert.match(await verdict("✓", 1, () => notebook08.exercise1(teller)), /^✓ exercise 1: balance 201 in all \d+ schedules/);
    }
  });

  test("exercise 1: each plausible wrong teller gets ✗ with what went wrong, in every run", async () => {
    const stopsAtFirstNull = (q: mp.Queue, b: mp.SharedValue<"i">) => {
      for (;;) {
        const m = q.get() as number | null;
        if (m === null) return;
        b.value = b.value + m;
      }
    };
    const waitsForThree = (q: mp.Queue, b: mp.SharedValue<"i">) => {
      let open = 3;
      while (open > 0) {
        const m = q.get() as number | null;
        if (m === null) open--;
        else b.value = b.value + m;
      }
    };
    const noWait = (q: mp.Queue, b: mp.SharedValue<"i">) => {
      let open = 2;
      while (open > 0) {
        const m = q.getNowait() as number | null;
        if (m === null) open--;
        else b.value = b.value + m;
      }
    };
    const depositsOnly = (q: mp.Queue, b: mp.SharedValue<"i">) => {
      let open = 2;
      while (open > 0) {
        const m = q.get() as number | null;
        if (m === null) open--;
        else if (m > 0) b.value = b.value + m;
      }
    };
    assert.match(await verdict("✗", 1, () => notebook08.exercise1(stopsAtFirstNull)), /Value\('i', 202\), want balance 201\. Apply every number, and stop only after the second null/);
    assert.match(await verdict("✗", 1, () => notebook08.exercise1(waitsForThree)), /waited for a message that never comes: every live thread is blocked: C sleeps/);
    assert.match(await verdict("✗", 1, () => notebook08.exercise1(noWait)), /C threw Empty/);
    assert.match(await verdict("✗", 1, () => notebook08.exercise1(depositsOnly)), /Value\('i', 202\), want balance 201/);
    assert.deepEqual(await printed(() => notebook08.exercise1(undefined as never)), ["✗ exercise 1: pass your function itself, such as check.exercise1(teller), not undefined."]);
  });

  test("exercise 2: a prime counter in a Pool: right ones written differently get ✓, wrong or unsendable ones ✗", async () => {
    function trial(n: number) {
      let count = 0;
      for (let i = 2; i < n; i++) {
        let prime = true;
        for (let d = 2; d * d <= i; d++) if (i % d === 0) prime = false;
        if (prime) count++;
      }
      return count;
    }
    const sieve = (n: number) => {
      const composite = new Uint8Array(Math.max(n, 2));
      let count = 0;
      for (let i = 2; i < n; i++) {
        if (composite[i]) continue;
        count++;
        for (let j = i * i; j < n; j += i) composite[j] = 1;
      }
      return count;
    };
    for (const right of [trial, sieve]) {
      assert.match(await verdict("✓", 2, () => notebook08.exercise2(right)), /gave \[0, 1, 4, 25, 168, 999\], computed in the pool's workers/);
    }
    const upToN = (n: number) => trial(n + 1);
    const fromOne = (n: number) => {
      let count = 0;
      for (let i = 1; i < n; i++) {
        let prime = true;
        for (let d = 2; d * d <= i; d++) if (i % d === 0) prime = false;
        if (prime) count++;
      }
      return count;
    };
    const isPrime = (i: number) => i > 1;
    const usesNotebookHelper = (n: number) => Array.from({ length: n }, (_, i) => i).filter(isPrime).length;
    assert.match(await verdict("✗", 2, () => notebook08.exercise2(upToN)), /uses `trial`/);
    assert.match(await verdict("✗", 2, () => notebook08.exercise2(fromOne)), /gave \[1, 2, 5, 26, 169, 1000\], want \[0, 1, 4, 25, 168, 999\]/);
    assert.match(await verdict("✗", 2, () => notebook08.exercise2(usesNotebookHelper)), /uses `isPrime`, which is not defined inside a worker/);
  });
});
