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
 * The two broken copies under test/mutants/ are caught: a reader that answers EOF without looking
 * again at the count of items put (it loses the last item: the check fails), and a close that
 * wakes nobody (the reader sleeps through it: a deadlock).
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
