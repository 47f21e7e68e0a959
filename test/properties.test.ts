/**
 * Property tests with fast-check.
 *
 * 1. Random typecodes × random values (in and out of range, fractions, NaN, ±Infinity, -0, numbers
 *    past 2**53, bigints, bigint/number mixes) go into `mp.Value` and `mp.Array` and come back out
 *    exactly, or are refused with a TypeError or RangeError that leaves the memory unchanged. What is
 *    right is decided by an independent reference: a plain, unshared typed array of the same kind.
 * 2. Random interleavings: small random scripts (acquire — blocking, only trying, or with a short
 *    timeout —, re-enter an RLock, hold for a while, release) run by 2–4 workers, and sometimes the
 *    main thread with the async calls, on one Lock, RLock or Semaphore. Inside the critical section
 *    each participant counts itself in a shared "holders" cell: it must never exceed 1 (k for a
 *    Semaphore(k)); every successful acquire is released, the lock ends free, and every participant
 *    finishes its script (no lost wake-up) within a generous timeout. The workers form a pool that
 *    runs one script after another, so that many interleavings fit in a few seconds.
 */
import { after, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import fc from "fast-check";
import * as mp from "../dist";
import { finish, until } from "./helpers/util";
import { alive, counters, finishAll, range } from "./helpers/primitives-util";

after(() => mp.terminateAll());

// ---------------------------------------------------------------------------------------------
// 1. Typecodes and values

const CODES: readonly mp.Typecode[] = ["b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "f", "d"];

/** A one-element, unshared typed array of the kind `code` names: the reference for what it holds. */
const NATIVE: Readonly<Record<mp.Typecode, () => { [index: number]: number | bigint }>> = {
  b: () => new Int8Array(1),
  B: () => new Uint8Array(1),
  h: () => new Int16Array(1),
  H: () => new Uint16Array(1),
  i: () => new Int32Array(1),
  I: () => new Uint32Array(1),
  l: () => new BigInt64Array(1),
  L: () => new BigUint64Array(1),
  q: () => new BigInt64Array(1),
  Q: () => new BigUint64Array(1),
  f: () => new Float32Array(1),
  d: () => new Float64Array(1),
};

type Verdict = { readonly stored: number | bigint } | { readonly refused: "TypeError" | "RangeError" };

/**
 * What a correct `Value(code, v)` does with `v`, decided without the library:
 * - "f"/"d" take numbers only; "d" keeps any number exactly, "f" rounds to the nearest float32
 *   (as C and Python do) but refuses a finite number that would become ±Infinity (RangeError);
 * - integer codes take whole numbers only (a fraction, NaN or ±Infinity is a TypeError), as a
 *   number or a bigint, and only if a native cell holds it unchanged (else RangeError);
 * - the 64-bit codes (read back as bigints) refuse a number past Number.MAX_SAFE_INTEGER, whose
 *   exact value is already lost (RangeError): such values must come as bigints.
 */
function reference(code: mp.Typecode, v: unknown): Verdict {
  const cell = NATIVE[code]();
  const wide = cell instanceof BigInt64Array || cell instanceof BigUint64Array;
  if (code === "f" || code === "d") {
    if (typeof v !== "number") return { refused: "TypeError" };
    cell[0] = v;
    if (Number.isFinite(v) && !Number.isFinite(cell[0])) return { refused: "RangeError" };
    return { stored: cell[0] };
  }
  let whole: bigint;
  if (typeof v === "bigint") {
    whole = v;
  } else if (typeof v === "number") {
    if (!Number.isInteger(v)) return { refused: "TypeError" };
    if (wide && !Number.isSafeInteger(v)) return { refused: "RangeError" };
    whole = BigInt(v);
  } else {
    return { refused: "TypeError" };
  }
  if (wide) {
    cell[0] = whole; // a BigInt64Array wraps modulo 2**64: it holds `whole` only if it fits
    return cell[0] === whole ? { stored: whole } : { refused: "RangeError" };
  }
  if (whole > 2n ** 53n || whole < -(2n ** 53n)) return { refused: "RangeError" };
  cell[0] = Number(whole); // narrower arrays wrap too
  return cell[0] === Number(whole) ? { stored: Number(whole) } : { refused: "RangeError" };
}

/** Exactly the same value: same type, and Object.is (so NaN is NaN, and -0 is not 0). */
function same(a: unknown, b: unknown): boolean {
  return typeof a === typeof b && Object.is(a, b);
}

function show(v: unknown): string {
  return typeof v === "bigint" ? `${v}n` : Object.is(v, -0) ? "-0" : String(v);
}

// The library ties the element type to the typecode; these properties range over all codes.
const AnyValue = mp.Value as (code: string, value?: unknown, options?: mp.SharedOptions) => { value: unknown };
const AnyArray = mp.Array as (code: string, init: unknown, options?: mp.SharedOptions) => mp.SharedArrayBase<mp.Typecode> & {
  [index: number]: unknown;
};

/** Runs `write`; checks that it did what `verdict` says, or threw its error and changed nothing. */
function checkWrite(verdict: Verdict, write: () => void, read: () => unknown, before: unknown, what: string): void {
  if ("stored" in verdict) {
    write();
    assert.ok(same(read(), verdict.stored), `${what}: stored ${show(read())}, expected ${show(verdict.stored)}`);
    return;
  }
  assert.throws(write, (e: unknown) => {
    assert.ok(e instanceof Error && e.name === verdict.refused, `${what}: expected a ${verdict.refused}, got ${String(e)}`);
    assert.ok(e.message.length > 20, `${what}: the message says too little: ${e.message}`);
    return true;
  }, `${what}: expected a ${verdict.refused}`);
  assert.ok(same(read(), before), `${what}: a refused write changed ${show(before)} into ${show(read())}`);
}

/** 2**k - 1, 2**k, 2**k + 1 and their negatives, for every width a typecode can have and 2**53. */
const EDGES: readonly bigint[] = [7, 8, 15, 16, 31, 32, 53, 63, 64].flatMap((k) => {
  const p = 2n ** BigInt(k);
  return [p - 1n, p, p + 1n, -p + 1n, -p, -p - 1n];
});

const values: fc.Arbitrary<number | bigint> = fc.oneof(
  fc.constantFrom(...EDGES),
  fc.constantFrom(...EDGES).map(Number), // as numbers, some of them past 2**53
  fc.integer({ min: -70000, max: 70000 }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.bigInt({ min: -(2n ** 66n), max: 2n ** 66n }),
  fc.double(), // with NaN, ±Infinity, -0, fractions, huge and tiny numbers
  fc.float(), // exactly representable in a float32
  fc.integer({ min: -300, max: 300 }).map((x) => x + 0.25),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5, -1.5, Number.MIN_VALUE, 2 ** -149, 2 ** -150, 1e39, -1e39),
  // the largest float32, and numbers around where rounding to float32 gives Infinity
  fc.constantFrom(3.4028234663852886e38, 3.4028235677973362e38, 3.4028235677973366e38, 3.402823669209385e38, -3.4028235677973366e38),
);
const codes = fc.constantFrom(...CODES);

/** A value `code` surely holds, to start from: `v` if the reference accepts it, else 0. */
function valid(code: mp.Typecode, v: number | bigint): number | bigint {
  const verdict = reference(code, v);
  return "stored" in verdict ? v : 0;
}

describe("every typecode × random values: stored exactly, or refused without a change", () => {
  test("mp.Value(code, v)", () => {
    fc.assert(
      fc.property(codes, values, (code, v) => {
        const verdict = reference(code, v);
        if ("stored" in verdict) {
          assert.ok(same(AnyValue(code, v).value, verdict.stored), `Value("${code}", ${show(v)})`);
        } else {
          assert.throws(() => AnyValue(code, v), (e: unknown) => e instanceof Error && e.name === verdict.refused, `Value("${code}", ${show(v)})`);
        }
      }),
      { numRuns: 2000, includeErrorInReport: true },
    );
  });

  test("value.value = v", () => {
    fc.assert(
      fc.property(codes, values, values, (code, start, v) => {
        const x = AnyValue(code, valid(code, start));
        const before = x.value;
        checkWrite(reference(code, v), () => (x.value = v), () => x.value, before, `Value("${code}").value = ${show(v)}`);
      }),
      { numRuns: 2000, includeErrorInReport: true },
    );
  });

  test("mp.Array(code, values)", () => {
    fc.assert(
      fc.property(codes, fc.array(values, { maxLength: 6 }), (code, vs) => {
        const verdicts = vs.map((v) => reference(code, v));
        const refused = verdicts.find((d): d is { refused: "TypeError" | "RangeError" } => "refused" in d);
        const what = `Array("${code}", [${vs.map(show).join(", ")}])`;
        if (refused === undefined) {
          const arr = AnyArray(code, vs);
          assert.equal(arr.length, vs.length);
          const stored = verdicts.map((d) => ("stored" in d ? d.stored : undefined));
          assert.ok(arr.toArray().every((x, i) => same(x, stored[i])), `${what} gave [${arr.toArray().map(show).join(", ")}]`);
        } else {
          assert.throws(() => AnyArray(code, vs), (e: unknown) => e instanceof Error && e.name === refused.refused, what);
        }
      }),
      { numRuns: 1000, includeErrorInReport: true },
    );
  });

  test("arr[i] = v and arr.set(i, v) change element i only, or nothing", () => {
    fc.assert(
      fc.property(codes, fc.array(values, { minLength: 1, maxLength: 4 }), fc.nat(), values, fc.boolean(), (code, start, at, v, viaSet) => {
        const initial = start.map((s) => valid(code, s));
        const arr = AnyArray(code, initial);
        const i = at % initial.length;
        const others = arr.toArray();
        const write = viaSet ? () => arr.set(i - initial.length, v as never) : () => (arr[i] = v);
        checkWrite(reference(code, v), write, () => arr[i], arr[i], `Array("${code}")[${i}] = ${show(v)}`);
        arr.toArray().forEach((x, j) => j === i || assert.ok(same(x, others[j]), `element ${j} changed too`));
      }),
      { numRuns: 1000, includeErrorInReport: true },
    );
  });

  test("not a number at all: refused with a TypeError", () => {
    const junk = fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.object(), fc.array(fc.integer(), { maxLength: 2 }));
    fc.assert(
      fc.property(codes, junk, (code, v) => {
        const x = AnyValue(code, 0);
        checkWrite({ refused: "TypeError" }, () => (x.value = v), () => x.value, x.value, `Value("${code}").value = ${JSON.stringify(v)}`);
        assert.throws(() => AnyArray(code, [v]), TypeError);
        if (v !== null) assert.throws(() => AnyValue(code, v), TypeError);
      }),
      { numRuns: 300, includeErrorInReport: true },
    );
  });

  test("mp.Value(code, null) is refused like value = null", () => {
    for (const code of CODES) assert.throws(() => AnyValue(code, null), TypeError, `Value("${code}", null)`);
  });

  test("accepted values reach a worker exactly, and come back exactly", async () => {
    const batches = fc.array(
      fc.tuple(codes, fc.array(values, { minLength: 1, maxLength: 5 })).map(([code, vs]) => [code, vs.map((v) => valid(code, v))] as const),
      { minLength: 1, maxLength: 8 },
    );
    await fc.assert(
      fc.asyncProperty(batches, async (batch) => {
        const sources = batch.map(([code, vs]) => AnyArray(code, vs));
        const copies = batch.map(([code, vs]) => AnyArray(code, vs.length));
        const p = new mp.Process({
          target: (sources: { [i: number]: unknown; length: number }[], copies: { [i: number]: unknown }[]) => {
            sources.forEach((src, k) => {
              for (let i = 0; i < src.length; i++) copies[k][i] = src[i];
            });
          },
          args: [sources, copies],
        });
        p.start();
        await finish(p, 20);
        batch.forEach(([code], k) => {
          const [src, copy] = [sources[k].toArray(), copies[k].toArray()];
          assert.ok(src.every((x, i) => same(x, copy[i])), `"${code}": [${src.map(show).join(", ")}] came back as [${copy.map(show).join(", ")}]`);
        });
      }),
      { numRuns: 4, includeErrorInReport: true },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Interleavings

/** One step of a participant's script. */
interface Step {
  /** How to acquire: wait as long as it takes, only try, or wait at most `timeout`. */
  readonly mode: "block" | "try" | "timeout";
  /** Seconds, for mode "timeout". */
  readonly timeout: number;
  /** How many more times to acquire an RLock while holding it. */
  readonly reenter: number;
  /** How long to hold it: a busy loop of this many rounds... */
  readonly spins: number;
  /** ...then, perhaps, 1 ms of sleep, so others come to wait in Atomics.wait. */
  readonly sleep: boolean;
}

const MAX_STEPS = 8;
const POOL = 4;
const WORDS = 5; // per encoded step

/** Where things are in the control block shared by the main thread and the pool. */
const L = {
  GENERATION: 0, // bumped by the main thread to start a round
  PARTICIPANTS: 1, // how many pool workers take part in this round
  WHICH: 2, // index of the primitive used this round
  DONE: 3, // pool workers done with this round
  QUIT: 4,
  HOLDERS: 5, // participants inside the critical section now
  OVERLAPS: 6, // times a participant saw more holders than allowed
  MOST: 7, // the most holders ever seen at once
  ERRORS: 8, // anything else wrong: wrong owner, wrong count, a throw
  MESSAGE: 9, // 1 once the first error's message has been written
  STATS: 16, // per participant p: [STATS + 4p] acquired, +1 released, +2 gave up (try or timeout), +3 a blocking acquire gave up
  SCRIPTS: 16 + 4 * (POOL + 1), // worker w's script: length, then MAX_STEPS steps of WORDS words
  TEXT: 16 + 4 * (POOL + 1) + POOL * (1 + MAX_STEPS * WORDS), // the first error's message, one char per cell
  SIZE: 16 + 4 * (POOL + 1) + POOL * (1 + MAX_STEPS * WORDS) + 300,
} as const;
type Layout = typeof L;

const MODES = ["block", "try", "timeout"] as const;

function encode(ctl: Int32Array, w: number, script: readonly Step[]): void {
  const at = L.SCRIPTS + w * (1 + MAX_STEPS * WORDS);
  ctl[at] = script.length;
  script.forEach((s, i) => {
    ctl.set([MODES.indexOf(s.mode), Math.round(s.timeout * 1e6), s.reenter, s.spins, s.sleep ? 1 : 0], at + 1 + i * WORDS);
  });
}

/**
 * A pool worker: waits for a round, runs its script (if it takes part) on `prims[ctl[WHICH]]`, counts
 * everything into `ctl`, and waits for the next round, until QUIT. It runs from its source text in
 * a worker, so it uses only its arguments, JavaScript's globals, `mp` and `require`.
 */
function poolWorker(prims: (mp.Lock | mp.Semaphore)[], limits: number[], ctl: Int32Array, L: Layout, me: number, maxSteps: number, words: number): void {
  const { threadId } = require("node:worker_threads") as typeof import("node:worker_threads");
  const fail = (why: string) => {
    Atomics.add(ctl, L.ERRORS, 1);
    if (Atomics.compareExchange(ctl, L.MESSAGE, 0, 1) !== 0) return;
    const text = `worker ${me}: ${why}`.slice(0, 299);
    for (let i = 0; i < text.length; i++) ctl[L.TEXT + i] = text.charCodeAt(i);
  };
  let round = 0;
  for (;;) {
    while (Atomics.load(ctl, L.GENERATION) === round) Atomics.wait(ctl, L.GENERATION, round, 1000);
    round = Atomics.load(ctl, L.GENERATION);
    if (Atomics.load(ctl, L.QUIT) === 1) return;
    if (me < Atomics.load(ctl, L.PARTICIPANTS)) {
      const prim = prims[Atomics.load(ctl, L.WHICH)];
      const limit = limits[Atomics.load(ctl, L.WHICH)];
      const isLock = prim instanceof mp.Lock;
      const stats = L.STATS + 4 * me;
      const at = L.SCRIPTS + me * (1 + maxSteps * words);
      let holding = 0; // holds taken and not yet given back, to give back after a throw
      try {
        for (let s = 0; s < ctl[at]; s++) {
          const [mode, micros, reenter, spins, sleep] = ctl.subarray(at + 1 + s * words, at + 1 + (s + 1) * words);
          const got = mode === 0 ? prim.acquire() : mode === 1 ? prim.acquire({ blocking: false }) : prim.acquire({ timeout: micros / 1e6 });
          if (!got) {
            Atomics.add(ctl, stats + (mode === 0 ? 3 : 2), 1);
            continue;
          }
          holding = 1;
          Atomics.add(ctl, stats, 1);
          const now = Atomics.add(ctl, L.HOLDERS, 1) + 1;
          if (now > limit) Atomics.add(ctl, L.OVERLAPS, 1);
          for (;;) {
            const most = Atomics.load(ctl, L.MOST);
            if (now <= most || Atomics.compareExchange(ctl, L.MOST, most, now) === most) break;
          }
          if (isLock && prim.owner() !== threadId) fail(`owner() is ${prim.owner()} after acquire, not ${threadId}`);
          for (let r = 0; r < reenter; r++) {
            if (!(r % 2 === 0 ? prim.acquire() : prim.acquire({ timeout: 0.001 }))) fail("re-entering an RLock it holds failed");
            else holding++;
          }
          if (prim instanceof mp.RLock && prim.count() !== reenter + 1) fail(`count() is ${prim.count()} with ${reenter + 1} holds`);
          for (let i = 0; i < spins; i++) {
            if (Atomics.load(ctl, L.HOLDERS) > limit) {
              Atomics.add(ctl, L.OVERLAPS, 1);
              break;
            }
          }
          if (sleep === 1) mp.sleep(0.001);
          for (let r = 0; r < reenter; r++, holding--) prim.release();
          if (isLock && prim.owner() !== threadId) fail(`owner() is ${prim.owner()} while it still holds the lock once`);
          Atomics.sub(ctl, L.HOLDERS, 1);
          holding--;
          prim.release();
          Atomics.add(ctl, stats + 1, 1);
        }
      } catch (e) {
        fail(String(e));
        if (holding > 0) Atomics.sub(ctl, L.HOLDERS, 1);
      }
    }
    Atomics.add(ctl, L.DONE, 1);
  }
}

/** The main thread's part in a round: the same script, with the async calls. */
async function mainPart(prim: mp.Lock | mp.Semaphore, limit: number, ctl: Int32Array, me: number, script: readonly Step[]): Promise<void> {
  const stats = L.STATS + 4 * me;
  for (const { mode, timeout, reenter, spins, sleep } of script) {
    const got =
      mode === "block"
        ? await prim.acquireAsync({ timeout: 20 })
        : mode === "try"
          ? prim.acquire({ blocking: false })
          : await prim.acquireAsync({ timeout });
    if (!got) {
      Atomics.add(ctl, stats + (mode === "block" ? 3 : 2), 1);
      continue;
    }
    Atomics.add(ctl, stats, 1);
    const now = Atomics.add(ctl, L.HOLDERS, 1) + 1;
    if (now > limit) Atomics.add(ctl, L.OVERLAPS, 1);
    for (;;) {
      const most = Atomics.load(ctl, L.MOST);
      if (now <= most || Atomics.compareExchange(ctl, L.MOST, most, now) === most) break;
    }
    for (let r = 0; r < reenter; r++) await prim.acquireAsync();
    if (prim instanceof mp.RLock && prim.count() !== reenter + 1) Atomics.add(ctl, L.ERRORS, 1);
    for (let i = 0; i < spins; i++) if (Atomics.load(ctl, L.HOLDERS) > limit) Atomics.add(ctl, L.OVERLAPS, 1);
    if (sleep) await mp.sleepAsync(0.001);
    for (let r = 0; r < reenter; r++) prim.release();
    Atomics.sub(ctl, L.HOLDERS, 1);
    prim.release();
    Atomics.add(ctl, stats + 1, 1);
  }
}

function steps(reentrant: boolean): fc.Arbitrary<Step> {
  return fc.record({
    mode: fc.constantFrom<Step["mode"]>("block", "block", "try", "timeout"),
    timeout: fc.constantFrom(0, 0.0002, 0.001, 0.005),
    reenter: reentrant ? fc.nat({ max: 2 }) : fc.constant(0),
    spins: fc.oneof(fc.constant(0), fc.nat({ max: 3000 })),
    sleep: fc.boolean(),
  });
}

function rounds(reentrant: boolean, kinds: number) {
  const script = fc.array(steps(reentrant), { minLength: 1, maxLength: MAX_STEPS });
  return fc.record({
    which: fc.nat({ max: kinds - 1 }),
    workers: fc.array(script, { minLength: 2, maxLength: POOL }),
    main: fc.option(fc.array(steps(reentrant), { minLength: 1, maxLength: 4 }), { nil: null }),
  });
}

/** The first error a pool worker wrote down. */
function message(ctl: Int32Array): string {
  const codes = [...ctl.subarray(L.TEXT, L.TEXT + 299)];
  const end = codes.indexOf(0);
  return String.fromCharCode(...(end < 0 ? codes : codes.slice(0, end)));
}

/**
 * Starts a pool of workers sharing `prims`, checks `numRuns` random rounds on them, and stops the
 * pool. Each round: the scripts are written into shared memory, the round is started (all pool
 * workers wake at once), the main thread runs its part if it has one, and every invariant is checked.
 */
async function checkInterleavings(prims: (mp.Lock | mp.Semaphore)[], limits: number[], reentrant: boolean, numRuns: number): Promise<void> {
  const ctl = counters(L.SIZE);
  let contended = 0; // acquires that gave up because others held it, over all rounds
  const pool = range(POOL).map(
    (w) => new mp.Process({ target: poolWorker, args: [prims, limits, ctl, L, w, MAX_STEPS, WORDS], name: `pool-${w}` }),
  );
  for (const p of pool) p.start();
  try {
    await fc.assert(
      fc.asyncProperty(rounds(reentrant, prims.length), async ({ which, workers, main }) => {
        ctl.fill(0, L.DONE, L.SCRIPTS);
        workers.forEach((script, w) => encode(ctl, w, script));
        ctl[L.PARTICIPANTS] = workers.length;
        ctl[L.WHICH] = which;
        const prim = prims[which];
        const limit = limits[which];
        Atomics.add(ctl, L.GENERATION, 1);
        Atomics.notify(ctl, L.GENERATION);
        if (main !== null) await alive(mainPart(prim, limit, ctl, workers.length, main));
        await until(() => Atomics.load(ctl, L.DONE) === POOL || pool.some((p) => !p.isAlive()), "every worker to finish its script", 20);
        for (const p of pool) if (!p.isAlive()) await finish(p); // rethrows why it ended

        assert.equal(ctl[L.ERRORS], 0, message(ctl));
        assert.equal(ctl[L.OVERLAPS], 0, `more than ${limit} held it at once (at most ${ctl[L.MOST]})`);
        assert.ok(ctl[L.MOST] <= limit);
        assert.equal(ctl[L.HOLDERS], 0);
        const scripts = main === null ? workers : [...workers, main];
        scripts.forEach((script, p) => {
          const [acquired, released, gaveUp, blockingFailed] = ctl.subarray(L.STATS + 4 * p, L.STATS + 4 * p + 4);
          const who = p < workers.length ? `worker ${p}` : "the main thread";
          assert.equal(blockingFailed, 0, `${who}: a blocking acquire returned false`);
          assert.equal(acquired, released, `${who}: acquired ${acquired} times, released ${released}`);
          assert.equal(acquired + gaveUp, script.length, `${who} did not finish its ${script.length} steps`);
          contended += gaveUp;
        });
        if (prim instanceof mp.Lock) {
          assert.equal(prim.locked(), false, `the lock ends ${prim}`);
          assert.equal(prim.owner(), null);
          if (prim instanceof mp.RLock) assert.equal(prim.count(), 0);
        } else {
          assert.equal(prim.getValue(), limit, `the semaphore ends ${prim}`);
        }
      }),
      { numRuns, endOnFailure: true, includeErrorInReport: true },
    );
    assert.ok(contended > 0, "no acquire ever found it taken: the participants never met, so nothing was tested");
  } finally {
    Atomics.store(ctl, L.QUIT, 1);
    Atomics.add(ctl, L.GENERATION, 1);
    Atomics.notify(ctl, L.GENERATION);
    await finishAll(pool, 10);
  }
}

describe("random interleavings of 2–4 workers (and sometimes the main thread)", () => {
  test("on a Lock: never two holders, nothing lost", async () => {
    await checkInterleavings([new mp.Lock()], [1], false, 150);
  });

  test(
    "on an RLock, re-entered: never two holders, counts right, nothing lost",
    async () => {
      await checkInterleavings([new mp.RLock()], [1], true, 150);
    },
  );

  test("on a Semaphore(k) or BoundedSemaphore(k): never more than k holders, nothing lost", async () => {
    const prims = [new mp.Semaphore(1), new mp.BoundedSemaphore(2), new mp.Semaphore(2), new mp.BoundedSemaphore(3)];
    await checkInterleavings(prims, [1, 2, 2, 3], false, 150);
  });
});
