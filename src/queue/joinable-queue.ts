/**
 * `JoinableQueue`: a `Queue` that also counts the items put and not yet marked done, so that a
 * producer can wait until consumers have handled everything, like Python's
 * `multiprocessing.JoinableQueue`.
 *
 * @packageDocumentation
 */
import { atomics } from "../atomics";
import { ReleaseError } from "../errors";
import { refuseBlockingOnMainThread } from "../thread";
import { UNFINISHED } from "./channel";
import { Queue } from "./queue";
import type { QueueKind } from "../transfer";

/**
 * A queue whose consumers call `taskDone()` once per item they have handled; `join()` waits until
 * every item ever put has been, like Python's `JoinableQueue`. The count of unfinished items goes
 * up by one as each item goes in (in the same critical section), and down at each `taskDone()`.
 *
 * @example
 * ```ts
 * // consumer, in a worker
 * for (;;) { const job = q.get(); handle(job); q.taskDone(); }
 * // producer, in a cell
 * for (const job of jobs) await q.putAsync(job);
 * await q.joinAsync();   // every job handled
 * ```
 */
export class JoinableQueue extends Queue {
  protected override get kind(): QueueKind {
    return "JoinableQueue";
  }

  /** Counts the item going in (the write lock is held; getters cannot see it yet). */
  protected override onPut(): void {
    atomics.add(this.cells, UNFINISHED, 1);
  }

  /**
   * Says that one item taken with `get` has been handled, like Python's `task_done()`. When every
   * item put has been, `join()` returns.
   *
   * @throws ReleaseError if called more times than items were put (Python's `ValueError`).
   */
  taskDone(): void {
    const cells = this.cells;
    for (;;) {
      const left = atomics.load(cells, UNFINISHED);
      if (left === 0) {
        throw new ReleaseError(
          `${this.kind}.taskDone() was called more times than items were put (as in Python, that is an error): call it once for each item you got.`,
        );
      }
      if (atomics.compareExchange(cells, UNFINISHED, left, left - 1) === left) {
        if (left === 1) atomics.notify(cells, UNFINISHED);
        return;
      }
    }
  }

  /** How many items were put and not yet marked done (approximate, as others go on meanwhile). */
  unfinished(): number {
    return atomics.load(this.cells, UNFINISHED);
  }

  /**
   * Waits until every item put has been marked done with `taskDone()`, like Python's `join()`.
   * For a worker; on the main thread use {@link JoinableQueue.joinAsync}.
   *
   * @throws BlockingCallError on the main thread.
   */
  join(): void {
    refuseBlockingOnMainThread(`${this.kind}.join()`, "`await q.joinAsync()`");
    for (;;) {
      const left = atomics.load(this.cells, UNFINISHED);
      if (left === 0) return;
      atomics.wait(this.cells, UNFINISHED, left);
    }
  }

  /** Like {@link JoinableQueue.join}, without blocking the thread: `await q.joinAsync()`. */
  async joinAsync(): Promise<void> {
    for (;;) {
      const left = atomics.load(this.cells, UNFINISHED);
      if (left === 0) return;
      await atomics.waitAsync(this.cells, UNFINISHED, left, Infinity);
    }
  }
}
