/**
 * mp.Pipe's end, model-checked: a writer that sends and closes, and a reader that receives until
 * `EOFError`, in real workers under the explorer's scheduler, one shared-memory step at a time
 * (the pipe's cells and its two locks go through src/atomics.ts, as the queue's do:
 * test/explore-queue.test.ts). What is checked: every item sent before the close is received, in
 * order, and then `EOFError`, never before; no deadlock (a reader asleep when the writer closes is
 * woken). Which schedules: with room for both items, every one (`reduce`: one of each class of
 * schedules that differ only in the order of commuting steps, and every class: 8,076, 11 s); with
 * room for one, so that the second send waits, every interleaving within 2 preemptions.
 *
 * Both ways (notebook 08's squarer): A sends 5 and 6 and reads each square, then closes; B squares
 * until `EOFError`, then closes. The check: A got 25 and 36 in order, B served both, then saw the
 * end; no deadlock. Every interleaving within 2 preemptions.
 *
 * The two broken copies under test/mutants/ are caught (the silent close both ways too): a reader
 * that answers EOF without looking again at the count of items put (it loses the last item: the
 * check fails), and a close that wakes nobody (the reader sleeps through it: a deadlock).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../dist";
import { caught, compiledMutant, noFailure, printed } from "./helpers/explore";

/**
 * The writer's thread: sends 1 and 2, then closes its end. `mutant`: the compiled module of a
 * broken copy whose `broken(writer)` it uses instead, or "" (a thread's code travels to its worker
 * as source, so both scenarios share these two functions and pass the mutant as an argument).
 */
function writerThread(writerMutant: string, _readerMutant: string, writer: mp.Connection): void {
  const w: mp.Connection = writerMutant === "" ? writer : require(writerMutant).broken(writer);
  w.send(1);
  w.send(2);
  w.close();
}

/** The reader's thread: receives until `EOFError`, and returns what it got and the error's name. */
function readerThread(_writerMutant: string, readerMutant: string, _writer: mp.Connection, reader: mp.Connection): unknown[] {
  const r: mp.Connection = readerMutant === "" ? reader : require(readerMutant).broken(reader);
  const got: unknown[] = [];
  for (;;) {
    try {
      got.push(r.recv());
    } catch (error) {
      got.push((error as Error).name);
      return got;
    }
  }
}

type Args = [string, string, mp.Connection, mp.Connection];

/** The scenario: A sends 1, 2 and closes; B receives until EOFError; the check: 1, 2, then the end. */
function scenario(writerMutant: string, readerMutant: string, bytes: number, bound: Partial<mp.Scenario<Args>> = { reduce: true }): mp.Scenario<Args> {
  const [reader, writer] = mp.Pipe(false, { bytes });
  return {
    threads: [writerThread, readerThread],
    args: [writerMutant, readerMutant, writer, reader],
    names: ["writerMutant", "readerMutant", "writer", "reader"],
    ...bound,
    check: ({ threads: [, b] }) => JSON.stringify(b.value) === '[1,2,"EOFError"]',
  };
}

test("Pipe(false, { bytes: 64 }): A sends 1, 2 and closes; B receives until EOFError: 1, 2, then the end, never early, no deadlock (every schedule)", async () => {
  const result = printed("Pipe(false, 64 bytes): A sends 1, 2, closes; B receives until EOFError", await mp.explore(scenario("", "", 64)));
  noFailure(result);
  assert.equal(result.exhaustive, true);
});

test("Pipe(false, { bytes: 16 }), room for one item: the second send waits for room, and the same holds (every interleaving within 2 preemptions)", async () => {
  // 16 bytes hold one record of a small number (8 bytes). Every schedule: some 25,000 classes, 33 s.
  const result = printed("Pipe(false, 16 bytes): A sends 1, 2, closes; B receives until EOFError", await mp.explore(scenario("", "", 16, { preemptions: 2 })));
  noFailure(result);
});

test("mutant: a reader that answers EOF without looking again at the count of items put loses the last item (caught by the check, over every schedule)", async () => {
  await caught("PipeEarlyEof: A sends 1, 2, closes; B receives until EOFError", scenario("", compiledMutant("pipe-early-eof"), 64), "check");
});

test("mutant: a close that wakes nobody leaves a reader asleep for good (caught as a deadlock, over every schedule)", async () => {
  await caught("PipeSilentClose: A sends 1, 2, closes; B receives until EOFError", scenario(compiledMutant("pipe-silent-close"), "", 64), "deadlock");
});

/**
 * Notebook 08's conversation, the parent's side: sends 5 and 6, receives each square, then closes
 * its end. `mutant`: as in {@link writerThread}, a broken copy's module or "".
 */
function askSquares(mutant: string, parentEnd: mp.Connection): number[] {
  const end: mp.Connection = mutant === "" ? parentEnd : require(mutant).broken(parentEnd);
  const got: number[] = [];
  for (const x of [5, 6]) {
    end.send(x);
    got.push(end.recv() as number);
  }
  end.close();
  return got;
}

/** The worker's side: answers each number with its square until `EOFError`, then closes its own end. */
function squarer(_mutant: string, _parentEnd: mp.Connection, childEnd: mp.Connection): string {
  let served = 0;
  for (;;) {
    let x: number;
    try {
      x = childEnd.recv() as number;
    } catch (error) {
      childEnd.close();
      return `${served} served, then ${(error as Error).name}`;
    }
    childEnd.send(x * x);
    served++;
  }
}

/**
 * The scenario: A sends 5, 6, reads each square and closes; B squares until `EOFError`. The check:
 * A got [25, 36] in order, B served both and then saw the end. Every interleaving within 2
 * preemptions (4,482 schedules, 5–9 s here; every schedule is over 100,000: each step of a send or
 * recv both ways is a step here).
 */
function conversation(mutant: string): mp.Scenario<[string, mp.Connection, mp.Connection]> {
  const [parentEnd, childEnd] = mp.Pipe(true, { bytes: 64 });
  return {
    threads: [askSquares, squarer],
    args: [mutant, parentEnd, childEnd],
    names: ["mutant", "parentEnd", "childEnd"],
    preemptions: 2,
    check: ({ threads: [a, b] }) => JSON.stringify(a.value) === "[25,36]" && b.value === "2 served, then EOFError",
  };
}

test("Pipe() both ways, notebook 08's squarer: the parent gets 25 and 36 in order, the worker ends on EOFError after both, no deadlock (every interleaving within 2 preemptions)", async () => {
  noFailure(printed("Pipe(): A sends 5, 6 and reads each square, closes; B squares until EOFError", await mp.explore(conversation(""))));
});

test("mutant: the same conversation with a close that wakes nobody: the worker asleep in recv() sleeps for good (caught as a deadlock)", async () => {
  await caught("PipeSilentClose, both ways: A sends 5, 6, reads the squares, closes; B squares until EOFError", conversation(compiledMutant("pipe-silent-close")), "deadlock");
});
