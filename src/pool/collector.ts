/**
 * The sink of a job whose answer comes all at once (`map`, `starmap`, `apply` and their `…Async`
 * twins): it gathers the chunks' values in input order and settles one `AsyncResult` — with the
 * first error as soon as one chunk fails, as Python's `MapResult` does.
 *
 * @packageDocumentation
 */
import { AsyncResult, type Outcome } from "./async-result";
import type { JobSink } from "./job";

/** Gathers a job's chunks into one {@link AsyncResult}. */
export class Collector<T> implements JobSink {
  /** The result the learner holds. */
  readonly result: AsyncResult<T>;
  /** Called once the answer is known, so the job reads no more input. */
  onStop: () => void = () => undefined;
  private readonly values: unknown[][] = [];
  private done = 0;
  private total: number | null = null;
  private settle: (outcome: Outcome<T>) => void = () => undefined;
  private settled = false;

  /**
   * @param what - how messages name the call, such as `"Pool-1.mapAsync(square)"`.
   * @param finish - makes the answer from every call's value, in input order.
   */
  constructor(
    what: string,
    private readonly finish: (values: unknown[]) => T,
  ) {
    this.result = new AsyncResult(new Promise<Outcome<T>>((resolve) => (this.settle = resolve)), what);
  }

  /** Records a chunk's values, and settles once every chunk is in. */
  chunkDone(index: number, values: unknown[]): void {
    this.values[index] = values;
    this.done++;
    this.check();
  }

  /** Settles with the first error. */
  chunkFailed(_index: number, error: Error): void {
    this.end({ ok: false, error });
  }

  /** Learns how many chunks there are. */
  inputEnded(chunks: number): void {
    this.total = chunks;
    this.check();
  }

  /** Settles with the pool's error, unless the answer was known already. */
  abort(error: Error): void {
    this.end({ ok: false, error });
  }

  private check(): void {
    if (this.total !== null && this.done === this.total) this.end({ ok: true, value: this.finish(this.values.flat()) });
  }

  private end(outcome: Outcome<T>): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(outcome);
    this.onStop();
  }
}
