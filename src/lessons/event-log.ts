/**
 * A shared event log that workers append to as they work, cheaply (one `Atomics.add` for a place,
 * three plain writes and one `Atomics.store` to publish), and that the notebook's thread reads while
 * they run, for a live picture. Each entry: when (ms on the shared clock), who, what, and a value.
 *
 * A worker cannot import this module (a target sees only its arguments, `mp` and `require`), so the
 * workers of the lessons append with the few lines of {@link LogCells}'s comment, written out.
 *
 * @packageDocumentation
 */

/**
 * The log's memory, passed to workers in `args`. Entry `i` is `times[i]` (ms,
 * `performance.timeOrigin + performance.now()`, the same clock in every thread) and
 * `ints[1 + 3 * i ...]`: who, what + 1 (0 while not yet published), value; `ints[0]` counts the
 * places taken. A worker appends with:
 *
 * ```ts
 * const i = Atomics.add(log.ints, 0, 1);
 * if (i < log.times.length) {
 *   log.times[i] = performance.timeOrigin + performance.now();
 *   log.ints[2 + 3 * i] = who; log.ints[3 + 3 * i] = value;
 *   Atomics.store(log.ints, 1 + 3 * i, what + 1);
 * }
 * ```
 */
export interface LogCells {
  /** When each entry happened, in ms on the shared clock. */
  readonly times: Float64Array;
  /** The count of places taken, then per entry: what + 1, who, value. */
  readonly ints: Int32Array;
}

/** One entry, as read back. */
export interface LogEntry {
  /** When, in ms since the log was made. */
  readonly at: number;
  /** Who (a worker's number). */
  readonly who: number;
  /** What happened (a code of the lesson's own). */
  readonly what: number;
  /** A value that goes with it. */
  readonly value: number;
}

/** A shared event log of at most `capacity` entries (more are dropped, and {@link EventLog.dropped} counts them). */
export class EventLog {
  /** Its memory, for the workers' `args`. */
  readonly cells: LogCells;
  /** When it was made, on the shared clock: entries are read back as ms since then. */
  readonly start: number;
  #read = 0;
  readonly #entries: LogEntry[] = [];

  /**
   * @param capacity - the most entries it holds, 1 or more.
   * @throws RangeError for a capacity that is not a whole number of 1 or more.
   */
  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`EventLog: the capacity is ${capacity}; it must be a whole number of entries, 1 or more.`);
    this.cells = { times: new Float64Array(new SharedArrayBuffer(8 * capacity)), ints: new Int32Array(new SharedArrayBuffer(4 * (1 + 3 * capacity))) };
    this.start = performance.timeOrigin + performance.now();
  }

  /** Every entry published so far, in the order of their places (which is the order they were taken). */
  entries(): readonly LogEntry[] {
    const { times, ints } = this.cells;
    const taken = Math.min(Atomics.load(ints, 0), times.length);
    while (this.#read < taken) {
      const i = this.#read;
      const what = Atomics.load(ints, 1 + 3 * i);
      if (what === 0) break; // its worker has the place but has not published it yet
      this.#entries.push({ at: times[i] - this.start, who: ints[2 + 3 * i], what: what - 1, value: ints[3 + 3 * i] });
      this.#read++;
    }
    return this.#entries;
  }

  /** How many entries did not fit. */
  get dropped(): number {
    return Math.max(0, Atomics.load(this.cells.ints, 0) - this.cells.times.length);
  }
}
