/**
 * The exercises' checks (src/exercises): for every exercise, a right answer gets one `✓` line and
 * a wrong one gets one `✗` line that says what was wrong. The answers are functions of the kind a
 * learner writes, run by the checks as in the notebooks. For each exercise: plausible wrong
 * answers (the mistakes a learner makes), each of which must get ✗, and right answers written
 * differently from the reference, each of which must get ✓.
 *
 * Interleavings: where an exercise's property is about timing (a lost update, a deadlock, a
 * critical section that is not one), the check judges the answer over every schedule of a small
 * scenario under the explorer (notebook 05's ring: every schedule with at most one preemption),
 * a deterministic search: a racy answer gets its ✗ in every run, never by luck, so these tests
 * are deterministic too, and assert the exact reason. Notebook 05's latch is judged by what the
 * function does while nothing changes (is it asleep in the condition's wait?), which does not
 * depend on timing either; notebook 01's first check draws its second input at random, and every
 * wrong answer below is wrong for every draw.
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

/** The one ✓/✗ line of a check that runs synchronously. */
function verdictSync(n: number, run: () => void): string {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    run();
  } finally {
    console.log = log;
  }
  const found = lines.filter((l) => /^[✓✗] exercise/.test(l));
  assert.equal(found.length, 1, `want one verdict line, got ${JSON.stringify(found)}`);
  assert.ok(found[0].slice(2).startsWith(`exercise ${n}: `), found[0]);
  return found[0];
}

describe("notebook 01", () => {
  test("exercise 1: the power comes in through args; a second list and power the answer cannot guess", async () => {
    function cubeWith(numList: number[], power: number) {
      console.log(numList.map((n) => n ** power).join(" "));
    }
    await verdict("✓", 1, () => notebook01.exercise1(cubeWith));
    // Right, written differently: Math.pow, a loop building the text.
    function powers(numList: number[], power: number) {
      let line = "";
      for (const n of numList) line += (line === "" ? "" : " ") + String(Math.pow(n, power));
      console.log(line);
    }
    await verdict("✓", 1, () => notebook01.exercise1(powers));
    // Wrong: the notebook variable again (refused), cubes whatever the power, the expected line
    // typed in, squares, nothing printed, one line per number.
    const POWER = 3;
    function cube(numList: number[]) {
      console.log(numList.map((n) => n ** POWER).join(" "));
    }
    assert.match(await verdict("✗", 1, () => notebook01.exercise1(cube as never)), /refused it: .*`POWER`/);
    function cubesAlways(numList: number[]) {
      console.log(numList.map((n) => n ** 3).join(" "));
    }
    assert.match(await verdict("✗", 1, () => notebook01.exercise1(cubesAlways)), /with \[[\d, ]+\] and power [245] the worker printed "[\d ]+", want "[\d ]+"/);
    function typedIn() {
      console.log("125 216 343 512");
    }
    assert.match(await verdict("✗", 1, () => notebook01.exercise1(typedIn)), /with \[[\d, ]+\] and power [245] the worker printed "125 216 343 512"/);
    function squares(numList: number[]) {
      console.log(numList.map((n) => n ** 2).join(" "));
    }
    assert.match(await verdict("✗", 1, () => notebook01.exercise1(squares)), /with \[5, 6, 7, 8\] and power 3 the worker printed "25 36 49 64", want "125 216 343 512"/);
    function nothing() {}
    assert.match(await verdict("✗", 1, () => notebook01.exercise1(nothing)), /printed nothing/);
    function onePerLine(numList: number[], power: number) {
      for (const n of numList) console.log(n ** power);
    }
    assert.match(await verdict("✗", 1, () => notebook01.exercise1(onePerLine)), /printed "125", "216", "343", "512"/);
  });

  test("exercise 2: the notebook's box stays empty", async () => {
    await verdict("✓", 2, () => notebook01.exercise2(0));
    assert.match(await verdict("✗", 2, () => notebook01.exercise2(4)), /predicted 4, but .* has 0 elements.*copy/);
    assert.match(await verdict("✗", 2, () => notebook01.exercise2(undefined as never)), /as a number/);
  });

  test("exercise 3: data travels as a copy, code does not", async () => {
    const right = { number: true, nested: true, map: true, fn: false, method: false };
    assert.match(await verdict("✓", 3, () => notebook01.exercise3(right)), /all five right/);
    // Wrong: "only plain numbers travel", "everything travels", "a method is fine inside an
    // object", "a Map is not data", and a prediction left out.
    assert.match(await verdict("✗", 3, () => notebook01.exercise3({ ...right, nested: false, map: false })),
      /2 of 5 predictions were wrong: nested: start\(\) accepted \{ squares: \[1, 4, 9\] \}, and the worker got a copy; map: .*code cannot/);
    assert.match(await verdict("✗", 3, () => notebook01.exercise3({ ...right, fn: true, method: true })),
      /2 of 5 .*fn: start\(\) refused makeSquaredList \(a function\): args\[0\] is a function; method: start\(\) refused .*args\[0\]\.area is a function/);
    assert.match(await verdict("✗", 3, () => notebook01.exercise3({ ...right, method: true })), /1 of 5 predictions were wrong: method/);
    assert.match(await verdict("✗", 3, () => notebook01.exercise3({ ...right, map: false })), /1 of 5 predictions were wrong: map/);
    assert.match(await verdict("✗", 3, () => notebook01.exercise3({ number: true })), /a prediction, true or false, for each of number, nested, map, fn, method/);
    assert.match(await verdict("✗", 3, () => notebook01.exercise3("TypeError" as never)), /a prediction, true or false/);
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
  // Each check explores one round each under the explorer (mp.sleep does nothing there: it is no
  // step), then runs 100 rounds each in real workers; the answers below sleep 2 ms a round to keep
  // that quick.
  function depositLocked(b: mp.SharedValue<"i">, times: number) {
    for (let i = 0; i < times; i++) {
      mp.sleep(0.002);
      mp.withLock(b.getLock(), () => {
        const balance = b.value;
        const end = performance.now() + 0.1;
        while (performance.now() < end) { /* busy: the read-write window */ }
        b.value = balance + 1;
      });
    }
  }
  function withdrawLocked(b: mp.SharedValue<"i">, times: number) {
    for (let i = 0; i < times; i++) {
      mp.sleep(0.002);
      mp.withLock(b.getLock(), () => {
        const balance = b.value;
        const end = performance.now() + 0.1;
        while (performance.now() < end) { /* busy: the read-write window */ }
        b.value = balance - 1;
      });
    }
  }
  function depositRacy(b: mp.SharedValue<"i">, times: number) {
    for (let i = 0; i < times; i++) {
      mp.sleep(0.002);
      // mp.withLock(b.getLock(), ...) would go here: a comment is no lock
      const balance = b.value;
      b.value = balance + 1;
    }
  }
  const lostUpdate = /^✗ exercise 1: one round each, in the schedule [AB]+: [AB] wrote b\.value = \d+ at step \d+, computed from the \d+ it read at step \d+: it erased [AB]'s write of \d+ at step \d+\. The balance ended at \d+, want 200\. Is every read and write/;

  test("exercise 1: the Value's own lock, judged over every schedule", async () => {
    assert.match(await verdict("✓", 1, () => notebook03.exercise1(depositLocked, withdrawLocked)),
      /balance 200 in every schedule \(\d+ classes of equivalent schedules, one run each\) of one round each, and after 100 rounds each in real workers/);
    // Right, written differently: acquire/try/finally, and b.value += 1 inside the lock.
    function depositAcquire(b: mp.SharedValue<"i">, times: number) {
      const lock = b.getLock();
      for (let i = 0; i < times; i++) {
        lock.acquire();
        try {
          b.value += 1;
        } finally {
          lock.release();
        }
      }
    }
    function withdrawAcquire(b: mp.SharedValue<"i">, times: number) {
      for (let i = 0; i < times; i++) mp.withLock(b.getLock(), () => void (b.value -= 1));
    }
    await verdict("✓", 1, () => notebook03.exercise1(depositAcquire, withdrawAcquire));
  });

  test("exercise 1: plausible wrong answers all get ✗, with the schedule that breaks them", async () => {
    // No lock in one clerk (with a comment that names it).
    assert.match(await verdict("✗", 1, () => notebook03.exercise1(depositRacy, withdrawLocked)), lostUpdate);
    // The lock around the write only; the read before it.
    function readOutside(b: mp.SharedValue<"i">, times: number) {
      for (let i = 0; i < times; i++) {
        const balance = b.value;
        mp.withLock(b.getLock(), () => (b.value = balance - 1));
      }
    }
    assert.match(await verdict("✗", 1, () => notebook03.exercise1(depositLocked, readOutside)), lostUpdate);
    // A lock of its own, made in the worker: it excludes nobody.
    function ownLock(b: mp.SharedValue<"i">, times: number) {
      const lock = new mp.Lock();
      for (let i = 0; i < times; i++) mp.withLock(lock, () => (b.value = b.value - 1));
    }
    assert.match(await verdict("✗", 1, () => notebook03.exercise1(depositLocked, ownLock)), lostUpdate);
    // The lock taken and let go before the update.
    function emptySection(b: mp.SharedValue<"i">, times: number) {
      for (let i = 0; i < times; i++) {
        mp.withLock(b.getLock(), () => {});
        b.value = b.value + 1;
      }
    }
    assert.match(await verdict("✗", 1, () => notebook03.exercise1(emptySection, withdrawLocked)), lostUpdate);
    // Never released: alone it works; together, the other clerk is told the holder ended holding it.
    function neverReleased(b: mp.SharedValue<"i">, times: number) {
      for (let i = 0; i < times; i++) {
        b.getLock().acquire();
        b.value = b.value - 1;
      }
    }
    assert.match(await verdict("✗", 1, () => notebook03.exercise1(depositLocked, neverReleased)),
      /^✗ exercise 1: one round each, in the schedule [AB]+: thread [AB] threw LockOwnerDiedError: This RLock was held by worker thread \d+, which ended without releasing it\. .*\. Is every read/);
    // Ignores times (the notebook's 100 rounds), or changes the balance by the wrong amount.
    function hundred(b: mp.SharedValue<"i">) {
      for (let i = 0; i < 100; i++) mp.withLock(b.getLock(), () => (b.value = b.value + 1));
    }
    assert.match(await verdict("✗", 1, () => notebook03.exercise1(hundred, withdrawLocked)),
      /^✗ exercise 1: deposit\(b, 3\) alone moved the balance from 200 to 300, want 203: it must change it by 1, `times` times\.$/);
    function byTwo(b: mp.SharedValue<"i">, times: number) {
      for (let i = 0; i < times; i++) mp.withLock(b.getLock(), () => (b.value = b.value - 2));
    }
    assert.match(await verdict("✗", 1, () => notebook03.exercise1(depositLocked, byTwo)), /withdraw\(b, 3\) alone moved the balance from 200 to 194, want 197/);
    // A notebook variable: refused, as a Process would.
    const lockOfNotebook = new mp.Lock();
    function usesNotebookLock(b: mp.SharedValue<"i">, times: number) {
      for (let i = 0; i < times; i++) mp.withLock(lockOfNotebook, () => (b.value = b.value + 1));
    }
    assert.match(await verdict("✗", 1, () => notebook03.exercise1(usesNotebookLock, withdrawLocked)), /refused it: .*`lockOfNotebook`/);
  });

  type Transfer = (from: mp.SharedValue<"i">, to: mp.SharedValue<"i">, lock: mp.Lock, times: number) => void;
  const moneyMissing = /^✗ exercise 2: one move each way, in the schedule [AB]+: at step \d+ the lock was free and account a held \d+, b \d+: (399|401) dollars in all, want 400\./;

  test("exercise 2: one critical section for both accounts, judged over every schedule", async () => {
    function transfer(from: mp.SharedValue<"i">, to: mp.SharedValue<"i">, lock: mp.Lock, times: number) {
      for (let i = 0; i < times; i++) {
        mp.sleep(0.002);
        mp.withLock(lock, () => {
          const a = from.value;
          const b = to.value;
          from.value = a - 1;
          to.value = b + 1;
        });
      }
    }
    assert.match(await verdict("✓", 2, () => notebook03.exercise2(transfer)),
      /in every schedule \(\d+ classes of equivalent schedules, one run each\) of one move each way, whenever the lock was free the accounts held 400/);
    // Right, written differently: acquire/try/finally with +=; the whole loop as one section.
    function withTry(from: mp.SharedValue<"i">, to: mp.SharedValue<"i">, lock: mp.Lock, times: number) {
      for (let i = 0; i < times; i++) {
        lock.acquire();
        try {
          to.value += 1;
          from.value -= 1;
        } finally {
          lock.release();
        }
      }
    }
    await verdict("✓", 2, () => notebook03.exercise2(withTry));
    function wholeLoop(from: mp.SharedValue<"i">, to: mp.SharedValue<"i">, lock: mp.Lock, times: number) {
      mp.withLock(lock, () => {
        for (let i = 0; i < times; i++) {
          from.value = from.value - 1;
          to.value = to.value + 1;
        }
      });
    }
    await verdict("✓", 2, () => notebook03.exercise2(wholeLoop));
  });

  test("exercise 2: plausible wrong answers all get ✗, with the schedule that breaks them", async () => {
    // The stub: no lock at all.
    const unlocked: Transfer = (from, to, _lock, times) => {
      for (let i = 0; i < times; i++) {
        const a = from.value;
        const b = to.value;
        from.value = a - 1;
        to.value = b + 1;
      }
    };
    assert.match(await verdict("✗", 2, () => notebook03.exercise2(unlocked)), moneyMissing);
    // Two critical sections, one per account: every update is safe, the final balances are right
    // in every schedule, but between the two the dollar is in neither account.
    const twoSections: Transfer = (from, to, lock, times) => {
      for (let i = 0; i < times; i++) {
        mp.withLock(lock, () => (from.value = from.value - 1));
        mp.withLock(lock, () => (to.value = to.value + 1));
      }
    };
    assert.match(await verdict("✗", 2, () => notebook03.exercise2(twoSections)), moneyMissing);
    // The lock around one account only.
    const halfLocked: Transfer = (from, to, lock, times) => {
      for (let i = 0; i < times; i++) {
        mp.withLock(lock, () => (from.value = from.value - 1));
        to.value = to.value + 1;
      }
    };
    assert.match(await verdict("✗", 2, () => notebook03.exercise2(halfLocked)), moneyMissing);
    // Reads before the lock, writes inside it: a lost update, seen as a dollar missing.
    const readsOutside: Transfer = (from, to, lock, times) => {
      for (let i = 0; i < times; i++) {
        const a = from.value;
        const b = to.value;
        mp.withLock(lock, () => {
          from.value = a - 1;
          to.value = b + 1;
        });
      }
    };
    assert.match(await verdict("✗", 2, () => notebook03.exercise2(readsOutside)), moneyMissing);
    // A lock of its own per worker.
    const ownLock: Transfer = (from, to, _lock, times) => {
      const mine = new mp.Lock();
      for (let i = 0; i < times; i++) mp.withLock(mine, () => {
        from.value = from.value - 1;
        to.value = to.value + 1;
      });
    };
    assert.match(await verdict("✗", 2, () => notebook03.exercise2(ownLock)), moneyMissing);
    // The money moves the wrong way.
    const backwards: Transfer = (from, to, lock, times) => {
      for (let i = 0; i < times; i++) mp.withLock(lock, () => {
        from.value = from.value + 1;
        to.value = to.value - 1;
      });
    };
    assert.match(await verdict("✗", 2, () => notebook03.exercise2(backwards)), /transfer\(from, to, lock, 3\) alone: from ended at 203 and to at 197, want 197 and 203/);
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
  test("exercise 1: an increment built from compareExchange, judged over every schedule", async () => {
    function increment(counter: Int32Array, n: number) {
      for (let i = 0; i < n; i++) {
        let seen = Atomics.load(counter, 0);
        for (let found; (found = Atomics.compareExchange(counter, 0, seen, seen + 1)) !== seen; ) seen = found;
      }
    }
    assert.match(await verdict("✓", 1, () => notebook04.exercise1(increment)),
      /no increment lost and no Atomics.add in every schedule \(\d+ classes of equivalent schedules, one run each\) of two workers doing 2 each; then exact in real workers \(2 workers: 1000000, 4 workers: 1000000\)/);
    // Right, written differently: a do-while that reads again after every failure.
    function doWhile(counter: Int32Array, n: number) {
      for (let done = 0; done < n; done++) {
        let seen;
        do seen = Atomics.load(counter, 0);
        while (Atomics.compareExchange(counter, 0, seen, seen + 1) !== seen);
      }
    }
    await verdict("✓", 1, () => notebook04.exercise1(doWhile));
    const lost = /^✗ exercise 1: two workers doing 2 increments each, in the schedule [AB]+: .*(erased|The count ended at [0-3], want 4|the count ended at [0-3], want 4)/;
    // Wrong: the stub (a load, then a store), a plain ++, a compare-exchange whose failure is
    // ignored, one that retries with the value it read first (never the one it found).
    function loadStore(counter: Int32Array, n: number) {
      for (let i = 0; i < n; i++) Atomics.store(counter, 0, Atomics.load(counter, 0) + 1);
    }
    assert.match(await verdict("✗", 1, () => notebook04.exercise1(loadStore)), /A wrote counter\[0\] = \d+ at step \d+, computed from the \d+ it read at step \d+: it erased B's write/);
    function plusPlus(counter: Int32Array, n: number) {
      for (let i = 0; i < n; i++) counter[0]++;
    }
    assert.match(await verdict("✗", 1, () => notebook04.exercise1(plusPlus)), lost);
    function casOnce(counter: Int32Array, n: number) {
      for (let i = 0; i < n; i++) {
        const seen = Atomics.load(counter, 0);
        Atomics.compareExchange(counter, 0, seen, seen + 1);
      }
    }
    assert.match(await verdict("✗", 1, () => notebook04.exercise1(casOnce)), /the count ended at 3, want 4/);
    function staleRetry(counter: Int32Array, n: number) {
      for (let i = 0; i < n; i++) {
        const seen = Atomics.load(counter, 0);
        while (Atomics.compareExchange(counter, 0, seen, seen + 1) !== seen) { /* try again */ }
      }
    }
    assert.match(await verdict("✗", 1, () => notebook04.exercise1(staleRetry)), /^✗ exercise 1: two workers doing 2 increments each, in the schedule [AB]+: a (deadlock|livelock): /);
    // Wrong by the rules: Atomics.add, or its twin Atomics.sub with -1.
    function withAdd(counter: Int32Array, n: number) {
      for (let i = 0; i < n; i++) Atomics.add(counter, 0, 1);
    }
    assert.match(await verdict("✗", 1, () => notebook04.exercise1(withAdd)), /step 1 is Atomics.add: the exercise is to build the add from Atomics.compareExchange, without it/);
    function withSub(counter: Int32Array, n: number) {
      for (let i = 0; i < n; i++) Atomics.sub(counter, 0, -1);
    }
    assert.match(await verdict("✗", 1, () => notebook04.exercise1(withSub)), /is Atomics.sub: the exercise is to build the add/);
  });

  test("exercise 2: partial sums, one write to shared memory each", async () => {
    function sumOfSquares(values: Int32Array, from: number, to: number, partials: Float64Array, id: number) {
      let sum = 0;
      for (let i = from; i < to; i++) sum += values[i] * values[i];
      partials[id] = sum;
    }
    assert.match(await verdict("✓", 2, () => notebook04.exercise2(sumOfSquares)), /one write to the shared partials and no read, and the 4 partial sums add up to 2666686666700000/);
    // Right, written differently: a while loop counting down, ** 2.
    function downward(values: Int32Array, from: number, to: number, partials: Float64Array, id: number) {
      let total = 0;
      let i = to;
      while (i-- > from) total += values[i] ** 2;
      partials[id] = total;
    }
    await verdict("✓", 2, () => notebook04.exercise2(downward));
    // Wrong: adding into the shared array at every step (right sum, every run), reading it back
    // to add the last one, an off-by-one, the wrong cell, nothing stored.
    function accumulates(values: Int32Array, from: number, to: number, partials: Float64Array, id: number) {
      partials[id] = 0;
      for (let i = from; i < to; i++) partials[id] += values[i] * values[i];
    }
    assert.match(await verdict("✗", 2, () => notebook04.exercise2(accumulates)),
      /read the shared partials 4 times and wrote it 5 times \(partials\[1\]\), want one write of partials\[1\] and no read: .*Sum in a local variable/);
    function readsBack(values: Int32Array, from: number, to: number, partials: Float64Array, id: number) {
      let sum = 0;
      for (let i = from; i < to - 1; i++) sum += values[i] * values[i];
      partials[id] = sum;
      partials[id] = partials[id] + values[to - 1] * values[to - 1];
    }
    assert.match(await verdict("✗", 2, () => notebook04.exercise2(readsBack)), /read the shared partials 1 time and wrote it 2 times/);
    function offByOne(values: Int32Array, from: number, to: number, partials: Float64Array, id: number) {
      let sum = 0;
      for (let i = from; i <= to; i++) sum += (values[i] ?? 0) * (values[i] ?? 0);
      partials[id] = sum;
    }
    assert.match(await verdict("✗", 2, () => notebook04.exercise2(offByOne)), /workers 0, 1, 2 stored a wrong sum/);
    function wrongCell(values: Int32Array, from: number, to: number, partials: Float64Array) {
      let sum = 0;
      for (let i = from; i < to; i++) sum += values[i] * values[i];
      partials[0] = sum;
    }
    assert.match(await verdict("✗", 2, () => notebook04.exercise2(wrongCell as never)), /wrote it 1 time \(partials\[0\]\), want one write of partials\[1\]/);
    function nothing() {}
    assert.match(await verdict("✗", 2, () => notebook04.exercise2(nothing)), /read the shared partials 0 times and wrote it 0 times, want one write of partials\[1\] and no read: store the sum/);
  });
  test("exercise 3: publishing values before the count that includes them, judged over every schedule", async () => {
    // The explorer runs every schedule (one per class of equivalent ones) of the answer against
    // the check's reader, so a wrong order is caught every run, whatever the operating system does.
    function oneAtATime(data: mp.SharedArray<"i">, count: mp.SharedValue<"i">) {
      data[0] = 10;
      count.value = 1;
      data[1] = 20;
      count.value = 2;
      data[2] = 30;
      count.value = 3;
    }
    await verdict("✓", 3, () => notebook04.exercise3(oneAtATime));
    const allThenCount = (data: mp.SharedArray<"i">, count: mp.SharedValue<"i">) => {
      for (const [i, v] of [10, 20, 30].entries()) data[i] = v;
      count.value = 3;
    };
    await verdict("✓", 3, () => notebook04.exercise3(allThenCount));
    function countFirst(data: mp.SharedArray<"i">, count: mp.SharedValue<"i">) {
      count.value = 3;
      data[0] = 10;
      data[1] = 20;
      data[2] = 30;
    }
    assert.match(await verdict("✗", 3, () => notebook04.exercise3(countFirst)), /the reader saw \[(0|10), .*count must never run ahead of the data/);
    function countBeforeEach(data: mp.SharedArray<"i">, count: mp.SharedValue<"i">) {
      for (let i = 0; i < 3; i++) {
        count.value = i + 1;
        data[i] = 10 * (i + 1);
      }
    }
    assert.match(await verdict("✗", 3, () => notebook04.exercise3(countBeforeEach)), /the reader saw \[[^\]]*\b0\]/);
    function noCount(data: mp.SharedArray<"i">) {
      data[0] = 10;
      data[1] = 20;
      data[2] = 30;
    }
    assert.match(await verdict("✗", 3, () => notebook04.exercise3(noCount)), /count 0\. .*count\.value must be 3/);
  });

  test("exercise 4: waiting for a flag with Atomics, then reading the data, in every schedule", async () => {
    // The explorer runs the waiter beside the flag's writer, every schedule, timeouts free to fire
    // (fairly): an answer that copies before waiting, or trusts one timed wait, copies 0 in some
    // schedule, every run. (Live, the writer goes 200 ms after a shared start, and such answers
    // could copy 42 by luck: the timed one always did.)
    function spin(flag: Int32Array, data: Int32Array, out: Int32Array) {
      while (Atomics.load(flag, 0) !== 1) continue;
      out[0] = data[0];
    }
    await verdict("✓", 4, () => notebook04.exercise4(spin));
    const sleepy = (f: Int32Array, d: Int32Array, o: Int32Array) => {
      while (Atomics.load(f, 0) === 0) Atomics.wait(f, 0, 0);
      o[0] = d[0];
    };
    await verdict("✓", 4, () => notebook04.exercise4(sleepy));
    function plain(flag: Int32Array, data: Int32Array, out: Int32Array) {
      while (flag[0] !== 1) continue;
      out[0] = data[0];
    }
    // V8 in Node 20 re-reads the element, so this copies 42 and the source is what is wrong; on
    // an engine that hoisted the read it would time out instead, which is a ✗ too.
    assert.match(await verdict("✗", 4, () => notebook04.exercise4(plain)), /reads the flag with a plain access \(flag\[\.\.\.\]\)|had not finished/);
    function copyFirst(flag: Int32Array, data: Int32Array, out: Int32Array) {
      out[0] = data[0];
      while (Atomics.load(flag, 0) !== 1) continue;
    }
    assert.match(await verdict("✗", 4, () => notebook04.exercise4(copyFirst)), /out\[0\] is 0, want 42/);
    function waitsForTheWrongValue(flag: Int32Array, data: Int32Array, out: Int32Array) {
      Atomics.wait(flag, 0, 1);
      out[0] = data[0];
    }
    assert.match(await verdict("✗", 4, () => notebook04.exercise4(waitsForTheWrongValue)), /out\[0\] is 0, want 42/);
    // One wait with a timeout, then the copy: live, the flag always goes up within the second.
    function waitsOnce(flag: Int32Array, data: Int32Array, out: Int32Array) {
      Atomics.wait(flag, 0, 0, 1000);
      out[0] = data[0];
    }
    assert.match(await verdict("✗", 4, () => notebook04.exercise4(waitsOnce)), /in the schedule A+~A+B+ .*out\[0\] is 0, want 42.*Your wait's timeout fired \(A~\)/);
    // Right, with a timeout in a loop: its timeout does not fire for ever while the writer could go on.
    function waitsInALoop(flag: Int32Array, data: Int32Array, out: Int32Array) {
      while (Atomics.load(flag, 0) !== 1) Atomics.wait(flag, 0, 0, 50);
      out[0] = data[0];
    }
    assert.match(await verdict("✓", 4, () => notebook04.exercise4(waitsInALoop)), /in every schedule where no thread's timeouts keep another that could go on waiting/);
  });

  test("exercise 5: one cache line per worker's cell", () => {
    const run = (fn: (id: number) => number) => verdictSync(5, () => notebook04.exercise5(fn));
    assert.match(run((id) => id * 16), /^✓ exercise 5: cells \[0, 16, 32/);
    assert.match(run((id) => 32 * id + 5), /^✓ exercise 5/);
    assert.match(run((id) => 16 * (7 - id) + 15), /^✓ exercise 5/);
    assert.match(run((id) => id), /^✗ exercise 5: workers 0 and 1 get cells 0 and 1/);
    assert.match(run((id) => id * 8), /^✗ exercise 5: workers 0 and 1 get cells 0 and 8, bytes 0 and 32/);
    assert.match(run((id) => id * 15), /^✗ exercise 5: workers 0 and 1 .* line that starts at byte 0/);
    assert.match(run((id) => id * 64), /^✗ exercise 5: cellIndex\(4\) is 256/);
    assert.match(run((id) => id * 16.5), /^✗ exercise 5: cellIndex\(1\) is 16.5/);
  });
});

describe("notebook 05", () => {
  type Scan = (scanners: mp.BoundedSemaphore, scanning: Int32Array, most: Int32Array) => void;

  test("exercise 1: scanners on a semaphore, judged over every schedule", async () => {
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
    assert.match(await verdict("✓", 1, () => notebook05.exercise1(scan)),
      /never more scanners than places, and most\[0\] right, in every schedule \(\d+ classes .*\) of 2 workers on a BoundedSemaphore\(2\), and in every schedule \(\d+ classes .*\) of 2 workers on a BoundedSemaphore\(1\); then at most [1-3] of 6 real workers/);
    // Right, written differently: acquire/try/finally, and the maximum kept with a loop that
    // reads what compareExchange found.
    const withTry: Scan = (scanners, scanning, most) => {
      scanners.acquire();
      try {
        const now = Atomics.add(scanning, 0, 1) + 1;
        let seen = Atomics.load(most, 0);
        while (seen < now) {
          const found = Atomics.compareExchange(most, 0, seen, now);
          if (found === seen) break;
          seen = found;
        }
        mp.sleep(0.05);
        Atomics.sub(scanning, 0, 1);
      } finally {
        scanners.release();
      }
    };
    await verdict("✓", 1, () => notebook05.exercise1(withTry));
  });

  test("exercise 1: plausible wrong answers all get ✗, with the schedule that breaks them", async () => {
    const overwritten = /^✗ exercise 1: 2 workers on a BoundedSemaphore\(2\), in the schedule [AB]+: 2 workers scanned at once, but most\[0\] ended at 1: a smaller number was written over the larger one/;
    // The maximum kept with a look and then a write: plain, with Atomics, or no look at all.
    const racyMax: Scan = (scanners, scanning, most) => {
      mp.withLock(scanners, () => {
        const now = Atomics.add(scanning, 0, 1) + 1;
        if (now > most[0]) most[0] = now;
        mp.sleep(0.05);
        Atomics.sub(scanning, 0, 1);
      });
    };
    assert.match(await verdict("✗", 1, () => notebook05.exercise1(racyMax)), overwritten);
    const atomicLookThenWrite: Scan = (scanners, scanning, most) => {
      mp.withLock(scanners, () => {
        const now = Atomics.add(scanning, 0, 1) + 1;
        Atomics.store(most, 0, Math.max(Atomics.load(most, 0), now));
        Atomics.sub(scanning, 0, 1);
      });
    };
    assert.match(await verdict("✗", 1, () => notebook05.exercise1(atomicLookThenWrite)), overwritten);
    const lastWins: Scan = (scanners, scanning, most) => {
      mp.withLock(scanners, () => {
        Atomics.store(most, 0, Atomics.add(scanning, 0, 1) + 1);
        Atomics.sub(scanning, 0, 1);
      });
    };
    assert.match(await verdict("✗", 1, () => notebook05.exercise1(lastWins)), overwritten);
    // No semaphore; a place never given back; never counted out.
    const noSemaphore: Scan = (_scanners, scanning, most) => {
      const now = Atomics.add(scanning, 0, 1) + 1;
      for (let seen = Atomics.load(most, 0); now > seen; seen = Atomics.load(most, 0)) {
        if (Atomics.compareExchange(most, 0, seen, now) === seen) break;
      }
      Atomics.sub(scanning, 0, 1);
    };
    assert.match(await verdict("✗", 1, () => notebook05.exercise1(noSemaphore)),
      /^✗ exercise 1: 2 workers on a BoundedSemaphore\(1\), in the schedule [AB]+: 2 workers scanned at once, but there is only 1 scanner: take a place/);
    const neverReleased: Scan = (scanners, scanning, most) => {
      scanners.acquire();
      const now = Atomics.add(scanning, 0, 1) + 1;
      for (let seen = Atomics.load(most, 0); now > seen; seen = Atomics.load(most, 0)) {
        if (Atomics.compareExchange(most, 0, seen, now) === seen) break;
      }
      Atomics.sub(scanning, 0, 1);
    };
    assert.match(await verdict("✗", 1, () => notebook05.exercise1(neverReleased)), /the semaphore ended with 0 free places, want 2: release each place taken|a deadlock: /);
    const neverCountedOut: Scan = (scanners, scanning, most) => {
      mp.withLock(scanners, () => {
        const now = Atomics.add(scanning, 0, 1) + 1;
        for (let seen = Atomics.load(most, 0); now > seen; seen = Atomics.load(most, 0)) {
          if (Atomics.compareExchange(most, 0, seen, now) === seen) break;
        }
      });
    };
    assert.match(await verdict("✗", 1, () => notebook05.exercise1(neverCountedOut)), /scanning\[0\] ended at 2, want 0: subtract 1 when a scan is done/);
    // The stub: does nothing.
    function nothing() {}
    assert.match(await verdict("✗", 1, () => notebook05.exercise1(nothing)), /scanning\[0\] never went up/);
  });

  type Ring = (times: number, fromId: number, toId: number, locks: mp.Lock[], accounts: mp.SharedValue<"i">[], start: mp.Barrier) => void;

  test("exercise 2: locks taken in one order, judged over every schedule with one preemption", async () => {
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
    assert.match(await verdict("✓", 2, () => notebook05.exercise2(ordered)),
      /no deadlock and no lost update in every schedule with at most 1 preemption \(\d+ schedules\) of one move each around the ring; then 120 transfers in real workers: A 90, B 120, C 90/);
    // Right, written differently: the larger number first (any fixed order will do), with acquire/release.
    const largerFirst: Ring = (times, fromId, toId, locks, accounts, start) => {
      const first = locks[Math.max(fromId, toId)];
      const second = locks[Math.min(fromId, toId)];
      start.wait();
      for (let i = 0; i < times; i++) {
        first.acquire();
        second.acquire();
        accounts[toId].value += 1;
        accounts[fromId].value -= 1;
        second.release();
        first.release();
      }
    };
    await verdict("✓", 2, () => notebook05.exercise2(largerFirst));
  });

  test("exercise 2: plausible wrong answers all get ✗, with the schedule that breaks them", async () => {
    const ringDeadlock = /^✗ exercise 2: one move each around the ring, in the schedule [ABC]+: a deadlock in the ring \(every live thread is blocked: .*\)\. Take the lock of the smaller account number first/;
    // The naive order of 5.7: the lock of the account paid from first. No barrier is needed
    // between the two acquires: the explorer finds the schedule where all three hold their first.
    const fromFirst: Ring = (times, fromId, toId, locks, accounts, start) => {
      start.wait();
      for (let i = 0; i < times; i++) {
        mp.withLock(locks[fromId], () => mp.withLock(locks[toId], () => {
          accounts[fromId].value = accounts[fromId].value - 1;
          accounts[toId].value = accounts[toId].value + 1;
        }));
      }
    };
    assert.match(await verdict("✗", 2, () => notebook05.exercise2(fromFirst)), ringDeadlock);
    // The other naive order: the lock of the account paid to first. A ring too.
    const toFirst: Ring = (times, fromId, toId, locks, accounts, start) => {
      start.wait();
      for (let i = 0; i < times; i++) {
        mp.withLock(locks[toId], () => mp.withLock(locks[fromId], () => {
          accounts[fromId].value -= 1;
          accounts[toId].value += 1;
        }));
      }
    };
    assert.match(await verdict("✗", 2, () => notebook05.exercise2(toFirst)), ringDeadlock);
    // One lock only, the "from" account's: no deadlock, but the "to" account's update races.
    const fromLockOnly: Ring = (times, fromId, toId, locks, accounts, start) => {
      start.wait();
      for (let i = 0; i < times; i++) {
        mp.withLock(locks[fromId], () => {
          accounts[fromId].value = accounts[fromId].value - 1;
          accounts[toId].value = accounts[toId].value + 1;
        });
      }
    };
    assert.match(await verdict("✗", 2, () => notebook05.exercise2(fromLockOnly)),
      /^✗ exercise 2: one move each around the ring, in the schedule [ABC]+: the accounts ended at A \d+, B \d+, C \d+, want 100 each: an update was lost/);
    // Back off: take the first lock, try the second with a timeout, else give the first back and
    // retry. No deadlock, but the three can back off in turn for ever (fairly: each one moves).
    // The ✗ names the livelock; its 5,000-step schedule is shortened, its trace cut to 60 steps.
    const backOff: Ring = (times, fromId, toId, locks, accounts, start) => {
      start.wait();
      for (let i = 0; i < times; i++) {
        for (;;) {
          locks[fromId].acquire();
          if (locks[toId].acquire({ timeout: 0.01 })) break;
          locks[fromId].release();
        }
        accounts[fromId].value = accounts[fromId].value - 1;
        accounts[toId].value = accounts[toId].value + 1;
        locks[toId].release();
        locks[fromId].release();
      }
    };
    const lines = await printed(() => notebook05.exercise2(backOff));
    assert.match(lines[0], /^✗ exercise 2: one move each around the ring, in the schedule [ABC~]{160}… \(\d+ characters in all\): a livelock \(not every thread finished within 5000 steps .*giving a lock back and trying again/);
    assert.match(lines[1], /is 5000 steps long; its first 60:/);
    assert.ok(lines.join("\n").split("\n").length < 70, `${lines.join("\n").split("\n").length} lines printed`);
    // Does nothing.
    function nothing() {}
    assert.match(await verdict("✗", 2, () => notebook05.exercise2(nothing)), /the accounts ended at A 100, B 100, C 100, want A 90, B 120, C 90 .*did every transfer happen/);
  });

  test("exercise 3: a latch on the notebook's thread must sleep in the condition's wait, and return exactly at n in every schedule", async () => {
    await verdict("✓", 3, () => notebook05.exercise3(async (latch, count, n) => {
      await latch.acquireAsync();
      try {
        await latch.waitForAsync(() => count[0] === n);
      } finally {
        latch.release();
      }
    }));
    // Right, written differently: its own loop around waitAsync; waitAsync with a timeout (the
    // explorer times a wait out again only once a guest has moved, so this is no livelock).
    await verdict("✓", 3, () => notebook05.exercise3(async (latch, count, n) => {
      await latch.acquireAsync();
      while (count[0] < n) await latch.waitAsync();
      latch.release();
    }));
    await verdict("✓", 3, () => notebook05.exercise3(async (latch, count, n) => {
      await latch.acquireAsync();
      try {
        while (count[0] !== n) await latch.waitAsync({ timeout: 0.05 });
      } finally {
        latch.release();
      }
    }));
    // Wrong: polling, fast or slow, with or without the lock; returning at once; the blocking
    // methods; the lock kept.
    const polling = /^✗ exercise 3: with 3 of 4 checked in and nothing changing for 3 s, your function never slept in the condition's wait: it keeps looking at count\[0\] \(polling\)/;
    assert.match(await verdict("✗", 3, () => notebook05.exercise3(async (_latch, count, n) => {
      while (count[0] < n) await mp.sleepAsync(0.001);
    })), polling);
    assert.match(await verdict("✗", 3, () => notebook05.exercise3(async (latch, count, n) => {
      for (;;) {
        await latch.acquireAsync();
        const done = count[0] >= n;
        latch.release();
        if (done) return;
        await mp.sleepAsync(0.5);
      }
    })), polling);
    assert.match(await verdict("✗", 3, () => notebook05.exercise3(async () => {})), /returned when only 0 of 4 had checked in/);
    // It also runs as a thread of the explorer, in a worker: it cannot use the notebook's variables.
    const guests = 4;
    assert.match(await verdict("✗", 3, () => notebook05.exercise3(async (latch, count) => {
      await latch.acquireAsync();
      try {
        await latch.waitForAsync(() => count[0] === guests);
      } finally {
        latch.release();
      }
    })), /runs your function in a worker, to try it in every schedule, and there it uses `guests`, which is not defined inside a worker\. Define what it needs inside it\./);
    assert.match(await verdict("✗", 3, () => notebook05.exercise3((latch) => void latch.acquire())), /threw BlockingCallError/);
    assert.match(await verdict("✗", 3, () => notebook05.exercise3(async (latch, count, n) => {
      await latch.acquireAsync();
      await latch.waitForAsync(() => count[0] === n);
    })), /returned with the condition's lock still held/);
    // Wrong in the order of a look and a check-in, which a live run seldom hits; the explorer
    // (every schedule with at most 1 preemption, beside 2 guests) rejects them every run. A look
    // with if: the live run usually catches it, else the explorer, with no preemption.
    assert.match(await verdict("✗", 3, () => notebook05.exercise3(async (latch, count, n) => {
      await latch.acquireAsync();
      if (count[0] < n) await latch.waitAsync();
      latch.release();
    })), /returned when only [0-3] of 4 had checked in|in the schedule A×\d+ .*your function returned when only 1 of 2 guests had checked in/);
    // A look at count[0] outside the lock: a check-in and its notifyAll() between the look and
    // the wait is a lost wake-up. Live, its window is a few instructions wide.
    assert.match(await verdict("✗", 3, () => notebook05.exercise3(async (latch, count, n) => {
      while (count[0] < n) {
        await latch.acquireAsync();
        await latch.waitAsync();
        latch.release();
      }
    })), /had not returned 3 s after the last check-in|in the schedule A×\d+ .*a deadlock: .*nobody was left to wake it/);
    // Gives up after a timeout, with fewer checked in: live, the last check-in comes well within
    // the second; the explorer lets the timeout fire first.
    assert.match(await verdict("✗", 3, () => notebook05.exercise3(async (latch, count, n) => {
      await latch.acquireAsync();
      try {
        await latch.waitForAsync(() => count[0] === n, { timeout: 1 });
      } finally {
        latch.release();
      }
    })), /returned when only [0-3] of 4 had checked in|in the schedule A×\d+ .*A~.*your function returned when only [01] of 2 guests had checked in/);
  });
  test("exercise 4: a bounded buffer's producer from semaphores, judged over every schedule with at most 2 preemptions", async () => {
    // The explorer runs the answer against the check's consumer in every schedule with at most 2
    // preemptions: the deadlock and the early announcement are found every run.
    function produce(buf: mp.SharedArray<"i">, lock: mp.Lock, empty: mp.Semaphore, full: mp.Semaphore) {
      for (const item of [1, 2, 3]) {
        empty.acquire();
        mp.withLock(lock, () => {
          buf[2 + (buf[0] % 2)] = item;
          buf[0] = buf[0] + 1;
        });
        full.release();
      }
    }
    await verdict("✓", 4, () => notebook05.exercise4(produce));
    const withTryFinally = (buf: mp.SharedArray<"i">, lock: mp.Lock, empty: mp.Semaphore, full: mp.Semaphore) => {
      for (let i = 1; i <= 3; i++) {
        empty.acquire();
        lock.acquire();
        try {
          buf[2 + (buf[0] % 2)] = i;
          buf[0] += 1;
        } finally {
          lock.release();
        }
        full.release();
      }
    };
    await verdict("✓", 4, () => notebook05.exercise4(withTryFinally));
    function lockFirst(buf: mp.SharedArray<"i">, lock: mp.Lock, empty: mp.Semaphore, full: mp.Semaphore) {
      for (const item of [1, 2, 3]) {
        mp.withLock(lock, () => {
          empty.acquire();
          buf[2 + (buf[0] % 2)] = item;
          buf[0] = buf[0] + 1;
        });
        full.release();
      }
    }
    assert.match(await verdict("✗", 4, () => notebook05.exercise4(lockFirst)), /deadlock in the schedule .*A sleeps in wait\(\) on empty.*B sleeps in wait\(\) on lock/);
    function neverAnnounces(buf: mp.SharedArray<"i">, lock: mp.Lock, empty: mp.Semaphore) {
      for (const item of [1, 2, 3]) {
        empty.acquire();
        mp.withLock(lock, () => {
          buf[2 + (buf[0] % 2)] = item;
          buf[0] = buf[0] + 1;
        });
      }
    }
    assert.match(await verdict("✗", 4, () => notebook05.exercise4(neverAnnounces)), /deadlock in the schedule .*B sleeps in wait\(\) on full/);
    function announcesTooEarly(buf: mp.SharedArray<"i">, lock: mp.Lock, empty: mp.Semaphore, full: mp.Semaphore) {
      for (const item of [1, 2, 3]) {
        empty.acquire();
        full.release();
        mp.withLock(lock, () => {
          buf[2 + (buf[0] % 2)] = item;
          buf[0] = buf[0] + 1;
        });
      }
    }
    assert.match(await verdict("✗", 4, () => notebook05.exercise4(announcesTooEarly)), /the consumer got \[(?!1, 2, 3\])/);
  });
  test("exercise 5: a bounded buffer's consumer from two conditions, judged over every schedule with at most 1 preemption", async () => {
    function consume(buf: mp.SharedArray<"i">, lock: mp.Lock, notFull: mp.Condition, notEmpty: mp.Condition) {
      const got: number[] = [];
      for (let k = 0; k < 3; k++) {
        mp.withLock(lock, () => {
          while (buf[0] === buf[1]) notEmpty.wait();
          got.push(buf[2 + (buf[1] % 2)]);
          buf[1] = buf[1] + 1;
          notFull.notify();
        });
      }
      return got;
    }
    await verdict("✓", 5, () => notebook05.exercise5(consume));
    const withWaitFor = (buf: mp.SharedArray<"i">, lock: mp.Lock, notFull: mp.Condition, notEmpty: mp.Condition) => {
      const got: number[] = [];
      while (got.length < 3) {
        lock.acquire();
        try {
          notEmpty.waitFor(() => buf[1] < buf[0]);
          got.push(buf[2 + (buf[1] % 2)]);
          buf[1] += 1;
          notFull.notifyAll();
        } finally {
          lock.release();
        }
      }
      return got;
    };
    await verdict("✓", 5, () => notebook05.exercise5(withWaitFor));
    function neverWakesTheProducer(buf: mp.SharedArray<"i">, lock: mp.Lock, _notFull: mp.Condition, notEmpty: mp.Condition) {
      const got: number[] = [];
      for (let k = 0; k < 3; k++) {
        mp.withLock(lock, () => {
          while (buf[0] === buf[1]) notEmpty.wait();
          got.push(buf[2 + (buf[1] % 2)]);
          buf[1] = buf[1] + 1;
        });
      }
      return got;
    }
    assert.match(await verdict("✗", 5, () => notebook05.exercise5(neverWakesTheProducer)), /deadlock in the schedule A×\d+ B×\d+.*A sleeps in wait\(\) on notFull/);
    function waitsOnTheWrongCondition(buf: mp.SharedArray<"i">, lock: mp.Lock, notFull: mp.Condition) {
      const got: number[] = [];
      for (let k = 0; k < 3; k++) {
        mp.withLock(lock, () => {
          while (buf[0] === buf[1]) notFull.wait();
          got.push(buf[2 + (buf[1] % 2)]);
          buf[1] = buf[1] + 1;
          notFull.notify();
        });
      }
      return got;
    }
    assert.match(await verdict("✗", 5, () => notebook05.exercise5(waitsOnTheWrongCondition)), /deadlock in the schedule .*B sleeps in wait\(\) on notFull/);
    function neverWaits(buf: mp.SharedArray<"i">, lock: mp.Lock, notFull: mp.Condition) {
      const got: number[] = [];
      for (let k = 0; k < 3; k++) {
        mp.withLock(lock, () => {
          got.push(buf[2 + (buf[1] % 2)]);
          buf[1] = buf[1] + 1;
          notFull.notify();
        });
      }
      return got;
    }
    assert.match(await verdict("✗", 5, () => notebook05.exercise5(neverWaits)), /your consume returned \[(?!1, 2, 3\])/);
  });
});

describe("notebook 06", () => {
  type MakeLock = (cells: Int32Array) => { acquire(): void; release(): void };
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

  test("exercise 1: a ticket lock, judged over every schedule (FIFO, one inside, nobody left asleep), then on the bench", async () => {
    assert.match(await verdict("✓", 1, () => notebook06.exercise1(ticketLock)),
      /one worker inside at a time, first come first served, and nobody left asleep, in every schedule \(\d+ classes .*\) of A taking it twice and B once, and in every schedule with at most 2 preemptions \(\d+ schedules\) of 3 workers taking it once each; then exact on the bench/);
    // Right, written differently: a compare-exchange loop for the ticket, a while loop to wait.
    const casTicket: MakeLock = (cells) => ({
      acquire() {
        let mine = Atomics.load(cells, 0);
        for (let found; (found = Atomics.compareExchange(cells, 0, mine, mine + 1)) !== mine; ) mine = found;
        let serving = Atomics.load(cells, 1);
        while (serving !== mine) {
          Atomics.wait(cells, 1, serving);
          serving = Atomics.load(cells, 1);
        }
      },
      release() {
        Atomics.store(cells, 1, Atomics.load(cells, 1) + 1);
        Atomics.notify(cells, 1);
      },
    });
    await verdict("✓", 1, () => notebook06.exercise1(casTicket));
  });

  test("exercise 1: notebook 6's own locks and broken ticket locks all get ✗, with the schedule", async () => {
    const notFifo = /^✗ exercise 1: A taking it twice and B once, in the schedule [AB]+: (the workers took their tickets in the order ABA but got in in the order AAB|after 3 acquires and releases, cell 0 holds \d+ and cell 1 holds \d+, want 3 and 3)/;
    // Notebook 6's locks, pasted: each keeps workers apart, none is a ticket lock (first come,
    // first served, cell 0 counting the tickets handed out and cell 1 those served).
    const threeStateLock: MakeLock = (cells) => ({
      acquire() {
        let seen = Atomics.compareExchange(cells, 0, 0, 1);
        if (seen === 0) return;
        if (seen !== 2) seen = Atomics.exchange(cells, 0, 2);
        while (seen !== 0) {
          Atomics.wait(cells, 0, 2);
          seen = Atomics.exchange(cells, 0, 2);
        }
      },
      release() {
        if (Atomics.exchange(cells, 0, 0) === 2) Atomics.notify(cells, 0, 1);
      },
    });
    assert.match(await verdict("✗", 1, () => notebook06.exercise1(threeStateLock)), notFifo);
    const sleepingLock: MakeLock = (cells) => ({
      acquire() {
        while (Atomics.compareExchange(cells, 0, 0, 1) !== 0) Atomics.wait(cells, 0, 1);
      },
      release() {
        Atomics.store(cells, 0, 0);
        Atomics.notify(cells, 0, 1);
      },
    });
    assert.match(await verdict("✗", 1, () => notebook06.exercise1(sleepingLock)), notFifo);
    const spinLock: MakeLock = (cells) => ({
      acquire() {
        while (Atomics.compareExchange(cells, 0, 0, 1) !== 0) { /* spin */ }
      },
      release() {
        Atomics.store(cells, 0, 0);
      },
    });
    assert.match(await verdict("✗", 1, () => notebook06.exercise1(spinLock)), notFifo);
    // The stub: lets everybody in.
    const noLock: MakeLock = () => ({ acquire() {}, release() {} });
    assert.match(await verdict("✗", 1, () => notebook06.exercise1(noLock)), /two workers were inside at once: [AB] wrote count\[0\] = \d+ at step \d+, computed from the \d+ it read|after 3 acquires and releases, cell 0 holds 0 and cell 1 holds 0, want 3 and 3/);
    // A ticket taken with a load and then a store: two workers can hold the same ticket.
    const loadStoreTicket: MakeLock = (cells) => ({
      acquire() {
        const mine = Atomics.load(cells, 0);
        Atomics.store(cells, 0, mine + 1);
        for (let serving; (serving = Atomics.load(cells, 1)) !== mine; ) Atomics.wait(cells, 1, serving);
      },
      release() {
        Atomics.add(cells, 1, 1);
        Atomics.notify(cells, 1);
      },
    });
    assert.match(await verdict("✗", 1, () => notebook06.exercise1(loadStoreTicket)), /two workers were inside at once|a deadlock: /);
    // A release that wakes only one sleeper (it may be the wrong one), and one that wakes nobody.
    const wakesOne: MakeLock = (cells) => ({
      acquire() {
        const mine = Atomics.add(cells, 0, 1);
        for (let serving; (serving = Atomics.load(cells, 1)) !== mine; ) Atomics.wait(cells, 1, serving);
      },
      release() {
        Atomics.add(cells, 1, 1);
        Atomics.notify(cells, 1, 1);
      },
    });
    assert.match(await verdict("✗", 1, () => notebook06.exercise1(wakesOne)),
      /^✗ exercise 1: 3 workers taking it once each, in the schedule [ABC]+: a deadlock: every live thread is blocked: .*Does release\(\) move cell 1 on and wake every sleeper/);
    const wakesNobody: MakeLock = (cells) => ({
      acquire() {
        const mine = Atomics.add(cells, 0, 1);
        for (let serving; (serving = Atomics.load(cells, 1)) !== mine; ) Atomics.wait(cells, 1, serving);
      },
      release() {
        Atomics.add(cells, 1, 1);
      },
    });
    assert.match(await verdict("✗", 1, () => notebook06.exercise1(wakesNobody)), /^✗ exercise 1: A taking it twice and B once, in the schedule [AB]+: a deadlock: /);
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

  test("exercise 3: a schedule that breaks the untagged Treiber stack (ABA) gets ✓; one that does not gets ✗", async () => {
    // The stack of notebook 07, 7.7, on raw Atomics (each call a step of the explorer): A pops one
    // node, B pops two and pushes the first back.
    function stackThread(role: number, cells: Int32Array) {
      function pop(): number {
        for (;;) {
          const top = Atomics.load(cells, 0);
          if (top === 0) return 0;
          if (Atomics.compareExchange(cells, 0, top, Atomics.load(cells, top)) === top) return top;
        }
      }
      function push(n: number) {
        for (;;) {
          const top = Atomics.load(cells, 0);
          Atomics.store(cells, n, top);
          if (Atomics.compareExchange(cells, 0, top, n) === top) return;
        }
      }
      if (role === 0) return [pop()];
      const first = pop(), second = pop();
      push(first);
      return [second];
    }
    const onStack = (cells: Int32Array) => {
      const found: number[] = [];
      for (let n = cells[0]; n !== 0 && found.length < 5; n = cells[n]) found.push(n);
      return found;
    };
    const abaStack = (): mp.Scenario<[Int32Array]> => {
      const cells = new Int32Array(new SharedArrayBuffer(16));
      cells.set([1, 2, 3, 0]);
      return {
        threads: [0, 1].map((role) => new Function("...a", `return (${stackThread})(${role}, ...a)`) as (cells: Int32Array) => number[]),
        args: [cells],
        names: ["cells"],
        state: ({ args: [c], threads }) => `stack ${JSON.stringify(onStack(c))}, A ${JSON.stringify(threads[0].value)}, B ${JSON.stringify(threads[1].value)}`,
        check: ({ args: [c], threads }) => [...onStack(c), ...(threads[0].value as number[]), ...(threads[1].value as number[])].sort().join() === "1,2,3",
      };
    };
    // A reads top and the node under it, then B runs to its end (the replay runs A on after it).
    assert.match(await verdict("✓", 3, () => notebook07.exercise3("AA" + "B".repeat(9), abaStack())), /the stack broke: stack \[2,3\], A \[1\], B \[2\]/);
    // Written differently: lower case, with spaces, and A's last steps spelt out.
    assert.match(await verdict("✓", 3, () => notebook07.exercise3("aa bbb bbb bbb a", abaStack())), /the stack broke/);
    assert.match(await verdict("✗", 3, () => notebook07.exercise3("AB", abaStack())), /did not get a broken stack: every thread finished .*Let A read top/);
    assert.match(await verdict("✗", 3, () => notebook07.exercise3("", abaStack())), /did not get a broken stack/);
    assert.match(await verdict("✗", 3, () => notebook07.exercise3("A" + "B".repeat(9), abaStack())), /did not get a broken stack/);
  });
});

/** A variable outside the learner's function, as a notebook variable would be (exercise 3 refuses it). */
const SENT_HERE = [3, 1, 4, 1, 5];

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
    // Takes with a timeout, in a loop: the explorer times it out, but not for ever while a clerk could put.
    const patient = (q: mp.Queue, b: mp.SharedValue<"i">) => {
      let open = 2;
      while (open > 0) {
        let m;
        try {
          m = q.get({ timeout: 0.1 }) as number | null;
        } catch (e) {
          if (e instanceof mp.Empty) continue;
          throw e;
        }
        if (m === null) open--;
        else b.value = b.value + m;
      }
    };
    for (const teller of [counting, endless, patient]) {
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
    assert.match(await verdict("✗", 1, () => notebook08.exercise1(noWait)), /C threw Empty \(your teller threw Empty: Queue\.getNowait\(\): the queue is empty\. Nothing was taken\.\), want balance 201/);
    assert.match(await verdict("✗", 1, () => notebook08.exercise1(depositsOnly)), /Value\('i', 202\), want balance 201/);
    // Waits for one stop too many with a timeout, and a catch that takes every error: it never
    // ends (a livelock), and the explorer's own signal to stop is swallowed too.
    const patientForThree = (q: mp.Queue, b: mp.SharedValue<"i">) => {
      let open = 3;
      while (open > 0) {
        try {
          const m = q.get({ timeout: 0.1 }) as number | null;
          if (m === null) open--;
          else b.value = b.value + m;
        } catch {
          continue;
        }
      }
    };
    assert.match(await verdict("✗", 1, () => notebook08.exercise1(patientForThree)), /waited for a message that never comes: not every thread finished within 5000 steps/);
    assert.deepEqual(await printed(() => notebook08.exercise1(undefined as never)), ["✗ exercise 1: pass your function itself, such as check.exercise1(teller), not undefined."]);
  });

  // Exercise 3 is judged by mp.explore too: the sender (A) and the learner's collect (B) on a
  // one-way pipe with room for one number, every schedule without preemptions, B's timeouts free
  // to fire (fairly). A waits for each number to be taken, so B looks between every two sends, and
  // a timeout of B's may fire at each of those points.
  test("exercise 3: collectors written differently that stop only at EOFError get ✓ (blocking, async, poll(null), a timed poll in a loop)", async () => {
    function tryCatch(conn: mp.Connection) {
      const got: number[] = [];
      for (;;) {
        try {
          got.push(conn.recv() as number);
        } catch (e) {
          if (e instanceof mp.EOFError) return got;
          throw e;
        }
      }
    }
    const catchAll = (conn: mp.Connection) => {
      const got = [];
      for (;;) {
        try {
          got.push(conn.recv());
        } catch {
          break;
        }
      }
      return got;
    };
    // poll() is true at the end too, so this loop stops only on recv's EOFError.
    const pollForever = (conn: mp.Connection) => {
      const got = [];
      while (conn.poll(null)) {
        try {
          got.push(conn.recv());
        } catch {
          break;
        }
      }
      return got;
    };
    // Polls with a timeout, in a loop: the explorer fires the timeout, but not for ever while the sender could send.
    const patient = (conn: mp.Connection) => {
      const got = [];
      for (;;) {
        if (!conn.poll(0.1)) continue;
        try {
          got.push(conn.recv());
        } catch {
          return got;
        }
      }
    };
    const awaiting = async (conn: mp.Connection) => {
      const got = [];
      for (;;) {
        try {
          got.push(await conn.recvAsync());
        } catch (e) {
          if (e instanceof mp.EOFError) return got;
          throw e;
        }
      }
    };
    for (const collect of [tryCatch, catchAll, pollForever, patient, awaiting]) {
      assert.match(await verdict("✓", 3, () => notebook08.exercise3(collect)), /^✓ exercise 3: \[3, 1, 4, 1, 5\] in every schedule with at most 0 preemptions.* \(\d+ schedules\): every number, in order/);
    }
  });

  test("exercise 3: each plausible wrong collector gets ✗ with what went wrong, in every run", async () => {
    const early = /It stopped before the sender was done: poll\(\) or a timeout answering false means "nothing yet", not "no more"/;
    // The notebook's stub: poll() is true at the end, and then recv() raises EOFError.
    const stub = (conn: mp.Connection) => {
      const got = [];
      while (conn.poll()) got.push(conn.recv());
      return got;
    };
    const pollNow = (conn: mp.Connection) => {
      const got = [];
      while (conn.poll()) {
        try {
          got.push(conn.recv());
        } catch {
          break;
        }
      }
      return got;
    };
    // Passes a live run whenever the sender is less than 100 ms late, which it nearly always is.
    const pollTimed = (conn: mp.Connection) => {
      const got = [];
      while (conn.poll(0.1)) {
        try {
          got.push(conn.recv());
        } catch {
          break;
        }
      }
      return got;
    };
    const four = (conn: mp.Connection) => {
      const got = [];
      for (let i = 0; i < 4; i++) got.push(conn.recv());
      return got;
    };
    const noCatch = (conn: mp.Connection) => {
      const got = [];
      for (;;) got.push(conn.recv());
    };
    const swallows = (conn: mp.Connection) => {
      const got = [];
      for (;;) {
        try {
          got.push(conn.recv());
        } catch {
          continue;
        }
      }
    };
    const closedFlag = (conn: mp.Connection) => {
      const got = [];
      while (!conn.closed) got.push(conn.recv());
      return got;
    };
    // Collects right, and forgets to return the list.
    const noReturn = (conn: mp.Connection) => {
      const got = [];
      try {
        for (;;) got.push(conn.recv());
      } catch {
        // the end: and then nothing is returned
      }
    };
    const reversed = (conn: mp.Connection) => {
      const got: unknown[] = [];
      for (;;) {
        try {
          got.unshift(conn.recv());
        } catch {
          return got;
        }
      }
    };
    const returnedEarly = /In schedule ABA \(A sends, then closes; B is your collect\) your collect returned while the sender still had numbers to send: the sender waits for ever/;
    assert.match(await verdict("✗", 3, () => notebook08.exercise3(stub)), returnedEarly);
    assert.match(await verdict("✗", 3, () => notebook08.exercise3(pollNow)), returnedEarly);
    assert.match(await verdict("✗", 3, () => notebook08.exercise3(pollNow)), /poll\(\) or a timeout answering false means "nothing yet", not "no more"/);
    assert.match(await verdict("✗", 3, () => notebook08.exercise3(pollTimed)), /In schedule ABABABAB~BA \(.*; ~ is a timeout of yours that fired\) your collect returned \[3, 1, 4, 1\]/);
    assert.match(await verdict("✗", 3, () => notebook08.exercise3(pollTimed)), early);
    // The first number with recv(), the rest while poll() says there is one: this passed when the
    // pipe had room for all five (the sender never waited, so B never looked between two sends).
    const firstThenPoll = (conn: mp.Connection) => {
      const got = [conn.recv()];
      while (conn.poll()) got.push(conn.recv());
      return got;
    };
    const firstThenPollTimed = (conn: mp.Connection) => {
      const got = [conn.recv()];
      for (;;) {
        if (!conn.poll(0.1)) return got;
        try {
          got.push(conn.recv());
        } catch {
          return got;
        }
      }
    };
    assert.match(await verdict("✗", 3, () => notebook08.exercise3(firstThenPoll)), returnedEarly);
    assert.match(await verdict("✗", 3, () => notebook08.exercise3(firstThenPollTimed)), /~BA .*returned \[3, 1, 4, 1\], want \[3, 1, 4, 1, 5\]\. It stopped before the sender was done/);
    const closesEarly = (conn: mp.Connection) => {
      const got = [conn.recv()];
      conn.close();
      return got;
    };
    assert.match(await verdict("✗", 3, () => notebook08.exercise3(closesEarly)), /the sender's send\(\) threw BrokenPipeError: did your collect close its end before the sender was done\?/);
    assert.match(await verdict("✗", 3, () => notebook08.exercise3(four)), /returned \[3, 1, 4, 1\], want \[3, 1, 4, 1, 5\]\. .*a count fixed in advance/);
    assert.match(await verdict("✗", 3, () => notebook08.exercise3(noCatch)), /your collect threw EOFError/);
    assert.match(await verdict("✗", 3, () => notebook08.exercise3(swallows)), /your collect never returned: once the sender has closed its end, every recv\(\) raises EOFError again/);
    assert.match(await verdict("✗", 3, () => notebook08.exercise3(closedFlag)), /your collect threw EOFError/);
    assert.match(await verdict("✗", 3, () => notebook08.exercise3(noReturn)), /returned undefined, want \[3, 1, 4, 1, 5\]\. Return every number/);
    assert.match(await verdict("✗", 3, () => notebook08.exercise3(reversed)), /returned \[5, 1, 4, 1, 3\], want \[3, 1, 4, 1, 5\]\. Return every number you received, in the order they came/);
    const usesSENT = (conn: mp.Connection) => SENT_HERE.map(() => conn.recv());
    assert.match(await verdict("✗", 3, () => notebook08.exercise3(usesSENT)), /uses `SENT_HERE`.*The check runs your function in a worker, beside the sender/);
    assert.deepEqual(await printed(() => notebook08.exercise3(undefined as never)), ["✗ exercise 3: pass your function itself, such as check.exercise3(collect), not undefined."]);
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
