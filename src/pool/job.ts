/**
 * One call on a pool (`map`, `imap`, `applyAsync`, ...) as the pool sees it: its function, its
 * input cut into chunks as workers become free, and the sink that hears how each chunk ended.
 *
 * The input is read lazily, one chunk ahead of the workers: an `imap` over a long (even endless)
 * generator reads only what the workers are about to run, and the sink learns that the input has
 * ended as soon as the last chunk has been handed out. A chunk is sent as one task, as in Python.
 *
 * @packageDocumentation
 */
import { describe } from "../errors";
import { encode } from "../transfer";

/** Hears how the chunks of a job end. Chunks are numbered from 0 in input order. */
export interface JobSink {
  /** Every call of chunk `index` returned `values`. */
  chunkDone(index: number, values: unknown[]): void;
  /** Chunk `index` failed: a call threw, its result could not be sent, or reading the input threw there. */
  chunkFailed(index: number, error: Error): void;
  /** The input has ended: the job has `chunks` chunks in all (a failed read counts as one). */
  inputEnded(chunks: number): void;
  /** The pool stopped before the job finished (terminated, or interrupted): nothing more will come. */
  abort(error: Error): void;
  /** Set by the pool: the sink calls it when it wants no more input (its answer is known, or its reader left). */
  onStop: () => void;
}

/** A chunk of a job, ready to be sent: its number, and one array of encoded arguments per call. */
export interface Chunk {
  /** Its number in the job, from 0. */
  readonly index: number;
  /** The number of its first call in the job's input, for messages. */
  readonly first: number;
  /** One array of encoded arguments per call. */
  readonly calls: unknown[][];
}

/** How a job's input items become calls: one argument each (`map`), or each item an array of arguments (`starmap`). */
export type CallShape = "item" | "args";

/** How messages name a job's items and calls. */
export interface JobNaming {
  /** Where input item `i` sits, such as `"Pool.map(): items[3]"`. */
  item(i: number): string;
  /** Call number `i`, such as `"square(items[3])"`. */
  call(i: number): string;
}

/** One call on a pool, from its first chunk to its last. */
export class Job {
  private ahead: Chunk | null = null;
  private chunks = 0;
  private calls = 0;
  private ended = false;

  /**
   * Reads the first chunk at once (so that an empty input, or one that throws at once, is known now).
   *
   * @param fn - the function's number in its pool.
   * @param label - the function's name for messages, such as `"square"` (`""` if it has none).
   * @param input - the input items, read lazily.
   * @param shape - whether each item is one argument or an array of arguments.
   * @param chunksize - calls per chunk.
   * @param sink - hears how the chunks end.
   * @param naming - how messages name its items and calls.
   */
  constructor(
    readonly fn: number,
    readonly label: string,
    private readonly input: Iterator<unknown>,
    private readonly shape: CallShape,
    private readonly chunksize: number,
    readonly sink: JobSink,
    readonly naming: JobNaming,
  ) {
    this.ahead = this.read();
  }

  /** The next chunk to run, or `null` when there is none (the input ended, failed, or the job was cancelled). */
  next(): Chunk | null {
    const chunk = this.ahead;
    if (chunk !== null) this.ahead = this.read();
    return chunk;
  }

  /** Reads no more input: the job's answer is known (it failed), or its reader went away. */
  cancel(): void {
    this.ended = true;
    this.ahead = null;
  }

  /** The encoded arguments of one call, from its input item. */
  private call(item: unknown): unknown[] {
    const path = this.naming.item(this.calls);
    if (this.shape === "item") return [encode(item, path)];
    if (!globalThis.Array.isArray(item)) {
      throw new TypeError(`${path} must be an array of arguments for ${this.label || "the function"}, such as [2, 3], not ${describe(item)}.`);
    }
    return encode(item, path) as unknown[];
  }

  private read(): Chunk | null {
    if (this.ended) return null;
    const first = this.calls;
    const calls: unknown[][] = [];
    try {
      while (calls.length < this.chunksize) {
        const next = this.input.next();
        if (next.done === true) break;
        calls.push(this.call(next.value));
        this.calls++;
      }
    } catch (error) {
      this.ended = true;
      const index = this.chunks++;
      this.sink.chunkFailed(index, error instanceof Error ? error : new Error(`reading the input threw ${String(error)}`));
      this.sink.inputEnded(this.chunks);
      return null;
    }
    if (calls.length === 0) {
      this.ended = true;
      this.sink.inputEnded(this.chunks);
      return null;
    }
    return { index: this.chunks++, first, calls };
  }
}
