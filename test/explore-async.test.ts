/**
 * The `…Async` twins, model-checked: `acquireAsync`, `putAsync`/`getAsync`, `joinAsync`,
 * `sendAsync`/`recvAsync` and `Event.waitAsync`, the calls a notebook cell makes on the main
 * thread, run in real workers under the explorer's scheduler beside threads that block. Each await
 * on a wait is modelled as a blocking wait (src/explore/scheduled-ops.ts, `waitAsync`): the thread
 * does nothing else until it settles, so what is explored is one flow of awaiting code per thread,
 * as a cell runs it. Two flows awaiting by turns in one thread are not explored.
 *
 * Each test names the property and which schedules it covers. Where it fits in a few seconds,
 * every schedule (`reduce`: one schedule of each class of schedules that differ only in the order
 * of commuting steps, and every class). Otherwise, every interleaving within 2 preemptions.
 *
 * The queue's two broken copies under test/mutants/ are caught through the async twins too, as
 * deadlocks. The first is a put that wakes nobody; the second is a sleeper that says it will sleep
 * before it reads the cell it sleeps on. A deadlock here means every live thread is awaiting a
 * wait nobody will end; in a cell, that is a promise that never settles.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { atRest, caught, compiledMutant, noFailure, printed } from "./helpers/explore";

test("Lock.acquireAsync beside acquire(): one holder at a time, a timed acquireAsync gives up cleanly (every interleaving within 2 preemptions)", async () => {
  const result = printed("Lock: A acquireAsync, B acquire, C acquireAsync with a timeout; each counts once inside", await mp.explore({
    threads: [
      async (lock: mp.Lock, inside: mp.Value, count: mp.Value) => {
        await lock.acquireAsync();
        inside.value = inside.value + 1;
        count.value = count.value + 1;
        inside.value = inside.value - 1;
        lock.release();
      },
      (lock: mp.Lock, inside: mp.Value, count: mp.Value) => {
        lock.acquire();
        inside.value = inside.value + 1;
        count.value = count.value + 1;
        inside.value = inside.value - 1;
        lock.release();
      },
      async (lock: mp.Lock, inside: mp.Value, count: mp.Value) => {
        if (!(await lock.acquireAsync({ timeout: 1 }))) return "gave up";
        inside.value = inside.value + 1;
        count.value = count.value + 1;
        inside.value = inside.value - 1;
        lock.release();
        return "counted";
      },
    ],
    args: [new mp.Lock(), mp.Value("i", 0, { lock: false }), mp.Value("i", 0, { lock: false })] as [mp.Lock, mp.Value, mp.Value],
    names: ["lock", "inside", "count"],
    preemptions: 2,
    invariant: ([, inside]) => inside.value <= 1,
    check: ({ args: [lock, , count], threads: [, , c] }) => count.value === (c.value === "counted" ? 3 : 2) && !lock.locked(),
    state: ({ threads: [, , c] }) => `C ${c.value}`,
  }));
  noFailure(result);
  assert.deepEqual(result.finalStates.map((s) => s.state).sort(), ["C counted", "C gave up"]);
});

for (const maxsize of [1, 2]) {
  test(`Queue(${maxsize}): A putAsync 1, 2; B getAsync twice: in order, none lost, no deadlock (every schedule)`, async () => {
    const result = printed(`Queue(${maxsize}): A putAsync 1, 2; B getAsync twice`, await mp.explore({
      threads: [
        async (q: mp.Queue) => {
          await q.putAsync(1);
          await q.putAsync(2);
        },
        async (q: mp.Queue) => [await q.getAsync(), await q.getAsync()],
      ],
      args: [new mp.Queue(maxsize, { bytes: 64 })] as [mp.Queue],
      names: ["q"],
      reduce: true,
      check: ({ args: [q], threads: [, consumer] }) => JSON.stringify(consumer.value) === "[1,2]" && atRest(q),
    }));
    noFailure(result);
    assert.equal(result.exhaustive, true);
  });
}

test("a timed getAsync beside a blocking put: it returns the item or gives up with Empty, and then the item is still there (every schedule)", async () => {
  const result = printed("Queue(1): A puts 1; B getAsync with a timeout", await mp.explore({
    threads: [
      (q: mp.Queue) => q.put(1),
      async (q: mp.Queue) => {
        try {
          return await q.getAsync({ timeout: 1 });
        } catch (error) {
          return (error as Error).name;
        }
      },
    ],
    args: [new mp.Queue(1, { bytes: 64 })] as [mp.Queue],
    names: ["q"],
    reduce: true,
    check: ({ args: [q], threads: [, b] }) => (b.value === 1 ? q.qsize() === 0 : b.value === "Empty" && q.qsize() === 1),
    state: ({ threads: [, b] }) => `getAsync returned ${b.value}`,
  }));
  noFailure(result);
  assert.equal(result.exhaustive, true);
  assert.deepEqual(result.finalStates.map((s) => s.state).sort(), ["getAsync returned 1", "getAsync returned Empty"]);
});

test("JoinableQueue.joinAsync returns exactly when every item is done (every interleaving within 2 preemptions)", async () => {
  const result = printed("JoinableQueue(1): A putAsync 0, 1 and joinAsync; B gets, marks done, taskDone, twice", await mp.explore({
    threads: [
      async (q: mp.JoinableQueue, done: mp.Array) => {
        await q.putAsync(0);
        await q.putAsync(1);
        await q.joinAsync();
        return done.toArray();
      },
      (q: mp.JoinableQueue, done: mp.Array) => {
        for (let i = 0; i < 2; i++) {
          done[q.get() as number] = 1;
          q.taskDone();
        }
      },
    ],
    args: [new mp.JoinableQueue(1, { bytes: 64 }), mp.Array("i", 2, { lock: false })] as [mp.JoinableQueue, mp.Array],
    names: ["q", "done"],
    preemptions: 2,
    check: ({ args: [q], threads: [a] }) => JSON.stringify(a.value) === "[1,1]" && q.unfinished() === 0,
  }));
  noFailure(result);
});

test("Pipe(false, { bytes: 16 }): A sendAsync 1, 2 and closes; B recvAsync until EOFError: 1, 2, then the end (every interleaving within 2 preemptions)", async () => {
  // 16 bytes hold one record of a small number, so the second sendAsync waits for room.
  const [reader, writer] = mp.Pipe(false, { bytes: 16 });
  const result = printed("Pipe(false, 16 bytes): A sendAsync 1, 2, closes; B recvAsync until EOFError", await mp.explore({
    threads: [
      async (w: mp.Connection) => {
        await w.sendAsync(1);
        await w.sendAsync(2);
        w.close();
      },
      async (_w: mp.Connection, r: mp.Connection) => {
        const got: unknown[] = [];
        for (;;) {
          try {
            got.push(await r.recvAsync());
          } catch (error) {
            got.push((error as Error).name);
            return got;
          }
        }
      },
    ],
    args: [writer, reader] as [mp.Connection, mp.Connection],
    names: ["writer", "reader"],
    preemptions: 2,
    check: ({ threads: [, b] }) => JSON.stringify(b.value) === '[1,2,"EOFError"]',
  }));
  noFailure(result);
});

test("Event.waitAsync: a waiter sees what was written before set(), and a timed-out one says false (every schedule)", async () => {
  const result = printed("Event, a setter, an awaiting waiter and one with a timeout", await mp.explore({
    threads: [
      (event: mp.Event, data: mp.Value) => {
        data.value = 42;
        event.set();
      },
      async (event: mp.Event, data: mp.Value) => {
        await event.waitAsync();
        return data.value;
      },
      async (event: mp.Event, data: mp.Value) => ((await event.waitAsync({ timeout: 1 })) ? data.value : "timed out"),
    ],
    args: [new mp.Event(), mp.Value("i", 0, { lock: false })] as [mp.Event, mp.Value],
    names: ["event", "data"],
    reduce: true,
    check: ({ threads: [, waiter, timed] }) => waiter.value === 42 && (timed.value === 42 || timed.value === "timed out"),
    state: ({ threads: [, , timed] }) => `C: ${timed.value}`,
  }));
  noFailure(result);
  assert.equal(result.exhaustive, true);
  assert.deepEqual(result.finalStates.map((s) => s.state).sort(), ["C: 42", "C: timed out"]);
});

for (const [file, name, what] of [
  ["queue-without-notify", "QueueWithoutNotify", "a put that wakes nobody leaves an awaiting consumer waiting for good"],
  ["queue-word-first", "QueueWordFirst", "a sleeper that says so before it reads the cell it awaits misses a wake-up"],
] as const) {
  test(`mutant through the async twins: ${what} (caught as a deadlock, over every schedule)`, async () => {
    await caught(`${name}(2): A putAsync 1, 2; B getAsync twice`, {
      threads: [
        async (path: string, name: string, q: mp.Queue) => {
          const broken = require(path)[name].fromBuffer(q.buffer, q.readLock, q.writeLock);
          await broken.putAsync(1);
          await broken.putAsync(2);
        },
        async (path: string, name: string, q: mp.Queue) => {
          const broken = require(path)[name].fromBuffer(q.buffer, q.readLock, q.writeLock);
          return [await broken.getAsync(), await broken.getAsync()];
        },
      ],
      args: [compiledMutant(file), name, new mp.Queue(2, { bytes: 64 })] as [string, string, mp.Queue],
      names: ["path", "name", "q"],
      reduce: true,
    }, "deadlock");
  });
}
