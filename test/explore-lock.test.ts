/**
 * Lock and RLock, model-checked: real workers run `acquire(); critical section; release()` twice
 * each, under the explorer's scheduler, one shared-memory step at a time.
 *
 * What each schedule checks:
 * - mutual exclusion: inside the critical section a thread raises `occ` by one and lowers it again
 *   (a read and a write each), and the invariant `occ <= 1` is checked after every step;
 * - no lost update, no lost wake-up, no deadlock: every schedule finishes (a deadlock or livelock
 *   fails it) with each thread's own counter `done[i]` at 2;
 * - with kills: a thread killed at any step (as a terminated worker) leaves the others either a
 *   clean acquire (they finish) or `LockOwnerDiedError` (only if the lock is marked abandoned).
 *
 * Which schedules: one round per thread with a kill is exhaustive, with `reduce` (source-DPOR: one
 * schedule per class of schedules that differ only in the order of independent steps, and every
 * class). Two rounds are bounded to 2 preemptions per schedule with 2 threads and to 1 with 3
 * (CHESS: most bugs need at most 2), without `reduce` (the bound and the reduction do not combine
 * soundly), so every interleaving within the bound runs: every waiter may spin out, sleep or take
 * the lock at each of the holder's steps, and the exhaustive 2 x 2 case has some 25 000 classes
 * (most of a minute here), beyond the suite's minute. Each test prints which bound applied.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { noFailure, printed } from "./helpers/explore";

type Body = (lock: mp.Lock, occ: mp.Value, done: mp.Array) => void;

/**
 * Thread `i`'s function: two rounds of the critical section, entered `depth` times (an RLock
 * entered twice checks reentrancy). Built from text because a thread travels as source and cannot
 * capture `i`.
 */
function thread(i: number, rounds: number, depth = 1): Body {
  const enter = "lock.acquire();".repeat(depth);
  const leave = "lock.release();".repeat(depth);
  return new Function(
    "lock",
    "occ",
    "done",
    `for (let round = 0; round < ${rounds}; round++) {
      ${enter}
      try { occ.value = occ.value + 1; done[${i}] = done[${i}] + 1; occ.value = occ.value - 1; }
      finally { ${leave} }
    }`,
  ) as Body;
}

interface Case {
  readonly kind: "Lock" | "RLock";
  readonly threads: number;
  readonly rounds: number;
  readonly depth?: number;
  readonly preemptions?: number;
  readonly kill?: boolean;
}

async function explored(c: Case): Promise<mp.ExploreResult> {
  const lock = c.kind === "Lock" ? new mp.Lock() : new mp.RLock();
  const occ = mp.Value("i", 0, { lock: false });
  const done = mp.Array("i", c.threads, { lock: false });
  const title = `${c.kind}, ${c.threads} threads x ${c.rounds} rounds${c.depth === 2 ? " (entered twice)" : ""}${c.kill ? ", A killed at every step" : ""}`;
  return printed(title, await mp.explore({
    threads: Array.from({ length: c.threads }, (_, i) => thread(i, c.rounds, c.depth)),
    args: [lock, occ, done] as [mp.Lock, mp.Value, mp.Array],
    names: ["lock", "occ", "done"],
    reduce: !("preemptions" in c),
    preemptions: c.preemptions ?? Infinity,
    kill: c.kill === true ? "A" : false,
    stopAtFirstFailure: true,
    invariant: ([, occ]) => occ.value <= 1,
    check: ({ args: [lock, , done], threads }) => {
      const killed = threads.some((t) => t.outcome === "killed");
      for (const [i, t] of threads.entries()) {
        if (t.outcome === "returned") assert.equal(done[i], c.rounds, `thread ${t.thread} returned after ${done[i]} rounds`);
        if (t.outcome === "threw") {
          assert.equal(t.error?.name, "LockOwnerDiedError", `thread ${t.thread} threw ${t.error?.name}: ${t.error?.message}`);
          assert.ok(killed, "LockOwnerDiedError although no thread died");
          assert.match(String(lock), /abandoned/, "LockOwnerDiedError, but the lock is not marked abandoned");
        }
      }
      if (!killed) assert.match(String(lock), /unlocked/);
    },
  }));
}

for (const c of [
  { kind: "Lock", threads: 2, rounds: 2, preemptions: 2 },
  { kind: "Lock", threads: 3, rounds: 2, preemptions: 1 },
  { kind: "Lock", threads: 2, rounds: 1, kill: true },
  { kind: "RLock", threads: 2, rounds: 2, depth: 2, preemptions: 2 },
  { kind: "RLock", threads: 3, rounds: 2, preemptions: 1 },
  { kind: "RLock", threads: 2, rounds: 1, kill: true },
] as const satisfies readonly Case[]) {
  const bound = "preemptions" in c ? `at most ${c.preemptions} preemptions` : "exhaustive";
  // The kill cases found a real bug (fixed): a holder killed in release() after it cleared the word
  // and before its notify() left a sleeping waiter asleep for ever, as the word no longer named the
  // dead thread. Now every primitive wakes all its sleepers after a death (SharedPrimitive.ownerEnded).
  test(`${c.kind}: ${c.threads} threads x ${c.rounds} rounds${"kill" in c ? ", killed anywhere" : ""}${"depth" in c ? ", entered twice" : ""} (${bound})`, async () => {
    const result = await explored(c);
    noFailure(result);
    assert.equal(result.exhaustive, !("preemptions" in c));
    if ("kill" in c) {
      const states = result.finalStates.map((s) => s.state).join("\n");
      assert.match(states, /killed/, "some schedule kills a thread");
      assert.match(states, /LockOwnerDiedError/, "some schedule kills the holder, and another thread is told");
    }
  });
}
