/**
 * The bank-balance race of the Python tutorial, at scale: 4 workers each add 1 to a shared Value
 * 100,000 times. With the lock held around each `balance.value = balance.value + 1` the total is
 * exact every time; without it, updates get lost.
 *
 * One set of 4 workers plays every round, each round over a fresh Value (and a fresh lock): a worker
 * takes tens of milliseconds to start, and 100,000 unlocked increments only a few, so workers
 * started per round would hardly overlap. Instead a gate in shared memory opens each round for all
 * 4 at once, and the test waits until all 4 have finished it before reading the total.
 */
import { after, before, test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { finish, until } from "./helpers/util";

const WORKERS = 4;
const INCREMENTS = 100_000;
const EXACT = WORKERS * INCREMENTS;

/** How the workers guard their increments in one round. */
type Guard = "Lock" | "getLock()" | "none";

/** The rounds, in order: 3 under a shared Lock, 1 under the Value's own lock, up to 5 without. */
const GUARDS: readonly Guard[] = ["Lock", "Lock", "Lock", "getLock()", "none", "none", "none", "none", "none"];

interface Round {
  readonly balance: mp.SharedValue<"i">;
  readonly lock: mp.Lock | null;
}

const rounds: Round[] = GUARDS.map((guard) => {
  const balance = mp.Value("i", 0);
  return { balance, lock: guard === "Lock" ? new mp.Lock() : guard === "getLock()" ? balance.getLock() : null };
});

/**
 * Cell 0: the last round opened (0 = none yet); cell 1 + i: the last round worker i finished, 0 once
 * it is waiting for the first, -1 before it started.
 */
const gate = mp.Array("i", [0, ...Array.from({ length: WORKERS }, () => -1)]);
const cells = new Int32Array(gate.buffer);

const workers = Array.from(
  { length: WORKERS },
  (_, i) =>
    new mp.Process({
      target: (rounds: { balance: mp.SharedValue<"i">; lock: mp.Lock | null }[], gate: mp.SharedArray<"i">, slot: number, n: number) => {
        const cells = new Int32Array(gate.buffer);
        Atomics.store(cells, slot, 0);
        for (let r = 1; r <= rounds.length; r++) {
          for (let opened = Atomics.load(cells, 0); opened < r; opened = Atomics.load(cells, 0)) Atomics.wait(cells, 0, opened);
          const { balance, lock } = rounds[r - 1];
          if (lock === null) {
            for (let k = 0; k < n; k++) balance.value = balance.value + 1;
          } else {
            for (let k = 0; k < n; k++) {
              lock.acquire();
              balance.value = balance.value + 1;
              lock.release();
            }
          }
          Atomics.store(cells, slot, r);
        }
      },
      args: [rounds, gate, i + 1, INCREMENTS],
    }),
);

let played = 0;

/** Opens the next round for all workers at once and resolves with its final balance. */
async function play(): Promise<number> {
  const r = ++played;
  const allFinished = (round: number) => gate.toArray().slice(1).every((last) => last >= round);
  // A worker that failed never reports: stop waiting, and let join() tell why.
  const failed = () => workers.some((p) => !p.isAlive());
  await until(() => allFinished(r - 1) || failed(), `every worker to finish round ${r - 1}`, 30);
  Atomics.store(cells, 0, r);
  Atomics.notify(cells, 0);
  await until(() => allFinished(r) || failed(), `every worker to finish round ${r}`, 30);
  if (failed()) for (const p of workers) await finish(p, 1);
  return rounds[r - 1].balance.value;
}

before(() => workers.forEach((p) => p.start()));

after(async () => {
  // Let the workers through the rounds not played (each is quick) and end normally.
  Atomics.store(cells, 0, rounds.length);
  Atomics.notify(cells, 0);
  try {
    for (const p of workers) await finish(p, 30);
  } finally {
    await mp.terminateAll();
  }
});

async function exactEveryTime(t: { diagnostic(message: string): void }, guard: Exclude<Guard, "none">, runs: number): Promise<void> {
  for (let run = 1; run <= runs; run++) {
    assert.equal(GUARDS[played], guard);
    const t0 = performance.now();
    const total = await play();
    t.diagnostic(`run ${run}: ${total} in ${(performance.now() - t0).toFixed(0)} ms`);
    assert.equal(total, EXACT, `run ${run} with ${guard} lost updates`);
  }
}

test(`${WORKERS} workers × ${INCREMENTS} increments under a shared Lock end exact, in each of 3 runs`, async (t) => {
  await exactEveryTime(t, "Lock", 3);
});

test("the same under the Value's own lock, getLock()", async (t) => {
  await exactEveryTime(t, "getLock()", 1);
});

test("without a lock, updates are lost: some run of up to 5 ends below the exact total", async (t) => {
  const totals: number[] = [];
  while (played < GUARDS.length && totals.every((total) => total === EXACT)) {
    assert.equal(GUARDS[played], "none");
    const total = await play();
    totals.push(total);
    t.diagnostic(`run ${totals.length}: ${total}`);
    assert.ok(total > 0 && total <= EXACT, `a total of ${total} is impossible`);
  }
  assert.ok(
    totals.some((total) => total < EXACT),
    `no update was lost in ${totals.length} runs (${totals.join(", ")}): the workers never overlapped`,
  );
});
