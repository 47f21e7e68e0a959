/**
 * mp.Queue and mp.JoinableQueue, model-checked: producers and consumers in real workers under the
 * explorer's scheduler, one shared-memory step at a time (every cell of the queue and of its two
 * locks goes through src/atomics.ts; the ring's bytes are copied while holding a lock: a put holds
 * the write lock, a get the read lock, so a put and a get run side by side). Each test says
 * what it checks: no item lost or duplicated, the order of each producer kept, no lost wake-up and
 * no deadlock (a schedule where every live thread sleeps fails as a deadlock), a timed get or put
 * that gives up loses nothing, `join()` returns only once every item is done.
 *
 * Which schedules, each test saying which in its name: where it fits in a few seconds, every one
 * (`reduce`: one schedule of each class of schedules that differ only in the order of commuting
 * steps, and every class) — one producer and one consumer of two items (568 classes at maxsize 1,
 * 226 at 2), the timed get and the timed put. The others, with a third thread or a `join()`, have
 * some twenty thousand classes or more; they run every interleaving within 1 or 2 preemptions (CHESS: most concurrency bugs need
 * at most 2), without `reduce`, which does not combine soundly with a bound (src/explore/search.ts).
 *
 * The three broken copies under test/mutants/ are caught: a put that wakes nobody, and a sleeper
 * that says it will sleep before it reads the cell it sleeps on (both deadlocks, over every
 * schedule of two items through a Queue(2); the second is a bug the explorer found in this
 * queue's own code, see src/queue/channel.ts), and a `taskDone()` that updates the count of
 * unfinished items with a load and a store, not one atomic step, racing a put's add (every
 * interleaving within 1 preemption of a JoinableQueue(1): its full queue makes the producer wait,
 * so that one preemption puts its add inside the taskDone). The queue's own counts have no such
 * race to break: each is written by one side only, under its lock (src/queue/channel.ts).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { atRest, caught, compiledMutant, noFailure, printed } from "./helpers/explore";

for (const maxsize of [1, 2]) {
  test(`1 producer → 1 consumer, maxsize ${maxsize}, two items: in order, none lost, no deadlock (every schedule)`, async () => {
    const q = new mp.Queue(maxsize, { bytes: 64 });
    const result = printed(`Queue(${maxsize}): A puts 1, 2; B gets twice`, await mp.explore({
      threads: [
        (q: mp.Queue) => {
          q.put(1);
          q.put(2);
        },
        (q: mp.Queue) => [q.get(), q.get()],
      ],
      args: [q] as [mp.Queue],
      names: ["q"],
      reduce: true,
      check: ({ args: [q], threads: [, consumer] }) => JSON.stringify(consumer.value) === "[1,2]" && atRest(q),
    }));
    noFailure(result);
    assert.equal(result.exhaustive, true);
  });
}

test("2 producers → 1 consumer, maxsize 1: every item once, each producer's in order (every interleaving within 1 preemption)", async () => {
  const q = new mp.Queue(1, { bytes: 64 });
  const result = printed("Queue(1): A puts a1, a2; B puts b1; C gets three", await mp.explore({
    threads: [
      (q: mp.Queue) => {
        q.put("a1");
        q.put("a2");
      },
      (q: mp.Queue) => q.put("b1"),
      (q: mp.Queue) => [q.get(), q.get(), q.get()],
    ],
    args: [q] as [mp.Queue],
    names: ["q"],
    preemptions: 1,
    check: ({ args: [q], threads: [, , consumer] }) => {
      const got = consumer.value as string[];
      return [...got].sort().join() === "a1,a2,b1" && got.indexOf("a1") < got.indexOf("a2") && atRest(q);
    },
    state: ({ threads: [, , consumer] }) => (consumer.value as string[]).join(" "),
  }));
  noFailure(result);
  // Every order that keeps a1 before a2 happens in some schedule.
  assert.deepEqual(result.finalStates.map((s) => s.state).sort(), ["a1 a2 b1", "a1 b1 a2", "b1 a1 a2"]);
});

test("1 producer → 2 consumers, maxsize 1: both get an item, no lost wake-up (every interleaving within 1 preemption)", async () => {
  const q = new mp.Queue(1, { bytes: 64 });
  const result = printed("Queue(1): A puts 1, 2; B and C get one each", await mp.explore({
    threads: [
      (q: mp.Queue) => {
        q.put(1);
        q.put(2);
      },
      (q: mp.Queue) => q.get(),
      (q: mp.Queue) => q.get(),
    ],
    args: [q] as [mp.Queue],
    names: ["q"],
    preemptions: 1,
    check: ({ args: [q], threads: [, b, c] }) => [b.value, c.value].sort().join() === "1,2" && atRest(q),
  }));
  noFailure(result);
});

test("a timed get: it returns the item or gives up with Empty, and then the item is still there (exhaustive)", async () => {
  const q = new mp.Queue(1, { bytes: 64 });
  const result = printed("Queue(1): A puts 1; B gets with a timeout", await mp.explore({
    threads: [
      (q: mp.Queue) => q.put(1),
      (q: mp.Queue) => {
        try {
          return q.get({ timeout: 1 });
        } catch (error) {
          return (error as Error).name;
        }
      },
    ],
    args: [q] as [mp.Queue],
    names: ["q"],
    reduce: true,
    check: ({ args: [q], threads: [, b] }) => (b.value === 1 ? q.qsize() === 0 : b.value === "Empty" && q.qsize() === 1),
    state: ({ threads: [, b] }) => `get returned ${b.value}`,
  }));
  noFailure(result);
  assert.equal(result.exhaustive, true);
  assert.deepEqual(result.finalStates.map((s) => s.state).sort(), ["get returned 1", "get returned Empty"]);
});

test("a full queue and a timed put: it puts or gives up with Full, nothing lost (every schedule)", async () => {
  const q = new mp.Queue(1, { bytes: 64 });
  q.putNowait("first"); // the scenario starts full: every run starts from this memory
  const result = printed("Queue(1) full: A puts with a timeout; B gets twice, the second with a timeout", await mp.explore({
    threads: [
      (q: mp.Queue) => {
        try {
          q.put("second", { timeout: 1 });
          return "put";
        } catch (error) {
          return (error as Error).name;
        }
      },
      (q: mp.Queue) => {
        const first = q.get();
        try {
          return [first, q.get({ timeout: 1 })];
        } catch (error) {
          return [first, (error as Error).name];
        }
      },
    ],
    args: [q] as [mp.Queue],
    names: ["q"],
    reduce: true,
    check: ({ args: [q], threads: [a, b] }) => {
      const [first, second] = b.value as string[];
      if (first !== "first") return false;
      if (a.value === "Full") return second === "Empty" && q.qsize() === 0;
      // Put: B got it, or gave up and it is still there.
      return a.value === "put" && (second === "second" ? q.qsize() === 0 : second === "Empty" && q.qsize() === 1);
    },
    state: ({ threads: [a, b] }) => `put: ${a.value}; get: ${(b.value as string[]).join(", ")}`,
  }));
  noFailure(result);
  assert.equal(result.exhaustive, true);
  assert.deepEqual(result.finalStates.map((s) => s.state).sort(), [
    "put: Full; get: first, Empty",
    "put: put; get: first, Empty",
    "put: put; get: first, second",
  ]);
});

test("JoinableQueue.join returns exactly when every item is done (every interleaving within 2 preemptions)", async () => {
  const q = new mp.JoinableQueue(1, { bytes: 64 });
  const done = mp.Array("i", 2, { lock: false });
  const result = printed("JoinableQueue(1): A puts 0, 1 and joins; B gets, marks done, taskDone, twice", await mp.explore({
    threads: [
      (q: mp.JoinableQueue, done: mp.Array) => {
        q.put(0);
        q.put(1);
        q.join();
        return done.toArray();
      },
      (q: mp.JoinableQueue, done: mp.Array) => {
        for (let i = 0; i < 2; i++) {
          done[q.get() as number] = 1;
          q.taskDone();
        }
      },
    ],
    args: [q, done] as [mp.JoinableQueue, mp.Array],
    names: ["q", "done"],
    preemptions: 2,
    check: ({ args: [q], threads: [a] }) => JSON.stringify(a.value) === "[1,1]" && q.unfinished() === 0,
  }));
  noFailure(result);
});

for (const [file, name, what] of [
  ["queue-without-notify", "QueueWithoutNotify", "a put that wakes nobody leaves a sleeping consumer asleep for good"],
  ["queue-word-first", "QueueWordFirst", "a sleeper that says so before it reads the cell it sleeps on misses a wake-up"],
] as const) {
  test(`mutant: ${what} (caught as a deadlock, over every schedule)`, async () => {
    await caught(`${name}(2): A puts 1, 2; B gets twice`, {
      threads: [
        (path: string, name: string, q: mp.Queue) => {
          const broken = require(path)[name].fromBuffer(q.buffer, q.readLock, q.writeLock);
          broken.put(1);
          broken.put(2);
        },
        (path: string, name: string, q: mp.Queue) => {
          const broken = require(path)[name].fromBuffer(q.buffer, q.readLock, q.writeLock);
          return [broken.get(), broken.get()];
        },
      ],
      args: [compiledMutant(file), name, new mp.Queue(2, { bytes: 64 })] as [string, string, mp.Queue],
      names: ["path", "name", "q"],
      reduce: true,
    }, "deadlock");
  });
}

test("mutant: a count of unfinished items updated in two steps loses a put's update (caught, over every interleaving within 1 preemption)", async () => {
  const path = compiledMutant("joinable-racy-count");
  await caught("JoinableRacyCount(1): A puts 0, 1 and joins; B gets, marks done, taskDone, twice", {
    threads: [
      (path: string, q: mp.JoinableQueue, done: mp.Array) => {
        const broken = require(path).JoinableRacyCount.fromBuffer(q.buffer, q.readLock, q.writeLock);
        broken.put(0);
        broken.put(1);
        broken.join();
        return done.toArray();
      },
      (path: string, q: mp.JoinableQueue, done: mp.Array) => {
        const broken = require(path).JoinableRacyCount.fromBuffer(q.buffer, q.readLock, q.writeLock);
        for (let i = 0; i < 2; i++) {
          done[broken.get() as number] = 1;
          broken.taskDone();
        }
      },
    ],
    args: [path, new mp.JoinableQueue(1, { bytes: 64 }), mp.Array("i", 2, { lock: false })] as [string, mp.JoinableQueue, mp.Array],
    names: ["path", "q", "done"],
    preemptions: 1,
    // join() returned with every item done, and no taskDone() was refused as one too many.
    check: ({ threads: [a, b] }) => JSON.stringify(a.value) === "[1,1]" && b.outcome === "returned",
  }, "check");
});
