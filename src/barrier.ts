/**
 * `Barrier`: a meeting point for a fixed number of workers, like Python's
 * `multiprocessing.Barrier(parties, action, timeout)` — nobody goes on to the next phase until all
 * have finished this one.
 *
 * It follows CPython's `threading.Barrier`: a count of the threads inside and a state (filling,
 * draining, resetting, broken). Waiters leave one by one after a trip, and the barrier fills again
 * only once the last has left, so a waiter that wakes late still sees how *its* round ended.
 *
 * Python keeps count and state under a lock. Here both live in ONE `Int32` word, and every change
 * is one `Atomics.compareExchange` of that word — so there is no lock at all, and nothing to wait
 * for on the main thread. In particular `abort()` and `reset()` (which Python runs under the lock)
 * cannot miss a thread arriving at the same moment: if the arrival's compare-exchange comes first,
 * the abort's sees the new count and marks that waiter broken too; if the abort's comes first, the
 * arrival's fails, and its retry reads "broken". A waiter sleeps with `Atomics.wait` on the exact
 * word it last read, so a change between its read and its sleep makes the wait return at once, and
 * every change of state is followed by a `notify` of all sleepers.
 *
 * @packageDocumentation
 */
import { atomics } from "./atomics";
import { BrokenBarrierError, describe } from "./errors";
import { SharedPrimitive } from "./primitive";
import { cellsOf } from "./kind-mark";
import { checkCount, optionsObject, timeoutMs } from "./options";
import { remaining } from "./waiting";
import { functionFromSource } from "./source-function";
import { targetSource } from "./target";
import type { BarrierDescriptor } from "./transfer";
import { refuseBlockingOnMainThread } from "./thread";
import type { WaitOptions } from "./event";

const WORD = 0; // state * STATE_UNIT + count
const PARTIES = 1;
const CELLS = 2;

/** The count takes the low 24 bits of the word; the state the bits above. */
const STATE_UNIT = 1 << 24;
/** The most parties a barrier can have: the count must fit below the state. */
const MAX_PARTIES = STATE_UNIT - 1;

/** Threads are arriving; nobody may leave yet. */
const FILLING = 0;
/** All have arrived; the last one runs the action, then the barrier drains. */
const ACTION = 1;
/** Tripped: the waiters are leaving; new arrivals wait until the last has left. */
const DRAINING = 2;
/** `reset()` while threads waited: they leave with BrokenBarrierError, then it fills again. */
const RESETTING = 3;
/** Broken (a timeout, `abort()`, or an action that threw) until `reset()`. */
const BROKEN = 4;

const stateOf = (word: number): number => Math.floor(word / STATE_UNIT);
const countOf = (word: number): number => word % STATE_UNIT;
const wordOf = (state: number, count: number): number => state * STATE_UNIT + count;

/** A barrier's action: run by one thread when the barrier trips, with no arguments. */
export type BarrierAction = () => unknown;

/** Python's `Barrier(parties, action=None, timeout=None)` keywords, as an object. */
export interface BarrierOptions {
  /**
   * Run by exactly one of the threads (the last to arrive) when the barrier trips, before any of
   * them is released. It travels to workers as source text, like a Process's `target`, so it may
   * use only JavaScript's globals, `mp` and `require()`. If it throws, the barrier breaks, its
   * thread's `wait()` throws what it threw, and the others get a {@link BrokenBarrierError}.
   */
  readonly action?: BarrierAction | null;
  /** The timeout in seconds of every `wait()` that passes none. Left out: no limit. */
  readonly timeout?: number | null;
}

/** What a barrier carries besides its memory, kept by each copy of it. */
interface Extras {
  readonly action: BarrierAction | null;
  readonly actionSource: string | null;
  readonly timeout: number | null;
}

/** The private key for rebuilding over existing memory: no caller outside this module has one. */
class Rebuild {
  constructor(
    readonly cells: Int32Array,
    readonly extras: Extras,
  ) {}
}

const USAGE =
  "Use new mp.Barrier(parties), new mp.Barrier(parties, action, timeout) as in Python, " +
  "or new mp.Barrier(parties, { action, timeout }).";

/** Checks an action and gets the source it travels as. */
function checkAction(action: unknown, where: string): Pick<Extras, "action" | "actionSource"> {
  if (action === undefined || action === null) return { action: null, actionSource: null };
  if (typeof action !== "function") {
    throw new TypeError(`${where}: action must be a function (or left out), not ${describe(action)}. ${USAGE}`);
  }
  if (action.constructor.name !== "Function") {
    throw new TypeError(
      `${where}: action must be a plain function, not an async or generator function: ` +
        `the barrier runs it between the last arrival and the release, and does not wait for what it returns.`,
    );
  }
  return { action: action as BarrierAction, actionSource: targetSource(action, where, "action") };
}

/** Checks a default timeout; `null` for none. */
function checkTimeout(timeout: unknown, where: string): number | null {
  if (timeout === undefined || timeout === null) return null;
  timeoutMs(timeout, where);
  return timeout as number;
}

/** Reads `{ action, timeout }`, refusing any other key. */
function readOptions(options: object, where: string): Extras {
  const unknown = Object.keys(options).filter((k) => k !== "action" && k !== "timeout");
  if (unknown.length > 0) {
    throw new TypeError(`${where}: unknown option ${unknown.map((k) => `"${k}"`).join(", ")}; a Barrier takes only action and timeout. ${USAGE}`);
  }
  const { action, timeout } = options as BarrierOptions;
  return { ...checkAction(action, where), timeout: checkTimeout(timeout, where) };
}

/** Reads the arguments after `parties`: an action and a timeout, or one options object. */
function readExtras(args: unknown[], where: string): Extras {
  const [first, second] = args;
  if (args.length > 2) throw new TypeError(`${where} takes at most 3 arguments, not ${args.length + 1}. ${USAGE}`);
  if (typeof first === "object" && first !== null) {
    const proto = Object.getPrototypeOf(first);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`${where}: the second argument must be an action (a function) or an options object, not ${describe(first)}. ${USAGE}`);
    }
    if (args.length > 1) throw new TypeError(`${where}: after an options object nothing more may follow. ${USAGE}`);
    return readOptions(first, where);
  }
  return { ...checkAction(first, where), timeout: checkTimeout(second, where) };
}

/**
 * A barrier for `parties` workers, like Python's `multiprocessing.Barrier(parties, action,
 * timeout)`: each `wait()` blocks until `parties` threads are waiting, then all go on together, and
 * the barrier can be used again for the next phase.
 *
 * @example
 * ```ts
 * const barrier = new mp.Barrier(4);
 * const withAction = new mp.Barrier(4, () => console.log("phase done"));
 * const withTimeout = new mp.Barrier(4, { timeout: 5 });
 * // inside each worker's target:
 * barrier.wait();
 * ```
 */
export class Barrier extends SharedPrimitive {
  private readonly extras: Extras;

  /**
   * Makes a barrier, as Python's `Barrier(parties, action=None, timeout=None)`.
   *
   * @param parties - how many must arrive before all go on (1 or more).
   * @param action - run by one thread when the barrier trips (see {@link BarrierOptions.action}).
   * @param timeout - the default timeout of `wait()`, in seconds.
   * @throws TypeError or RangeError for bad parties, an action that cannot travel to a worker, a
   *   bad timeout, or any other argument.
   */
  constructor(parties: number, action?: BarrierAction | null, timeout?: number | null);
  /**
   * Makes a barrier with Python's keywords as an object: `new mp.Barrier(4, { timeout: 5 })`.
   *
   * @param parties - how many must arrive before all go on (1 or more).
   * @param options - `action` and `timeout`, both optional.
   */
  constructor(parties: number, options: BarrierOptions);
  constructor(parties: number, ...rest: unknown[]) {
    const rebuild = (parties as unknown) instanceof Rebuild ? (parties as unknown as Rebuild) : null;
    super(rebuild?.cells ?? CELLS);
    if (rebuild !== null) {
      this.extras = rebuild.extras;
      return;
    }
    const count = checkCount(parties, "Barrier(): parties", 1);
    if (count > MAX_PARTIES) throw new RangeError(`Barrier(): parties is ${count}, but it must be between 1 and ${MAX_PARTIES}.`);
    this.extras = readExtras(rest, "Barrier()");
    this.cells[PARTIES] = count;
  }

  /**
   * Rebuilds a barrier over memory another one made (one received with `postMessage`; barriers
   * passed in a process's `args` are rebuilt for you, action and timeout included).
   *
   * @param buffer - the other barrier's `.buffer`.
   * @param options - the `action` and `timeout` this copy should have (memory does not hold them).
   * @throws TypeError if `buffer` is not a barrier's memory, or for bad options.
   */
  static fromBuffer(buffer: SharedArrayBuffer, options: BarrierOptions = {}): Barrier {
    const cells = cellsOf(buffer, "Barrier", CELLS);
    const where = "Barrier.fromBuffer()";
    return new Barrier(new Rebuild(cells, readOptions(optionsObject(options, where), where)) as unknown as number);
  }

  protected get kind(): "Barrier" {
    return "Barrier";
  }

  /** What it travels as: its memory, and the action and timeout each copy keeps. */
  protected override describe(): BarrierDescriptor {
    return { $shared: "Barrier", buffer: this.buffer, action: this.extras.actionSource, timeout: this.extras.timeout };
  }

  /** How many threads must arrive, like Python's `parties`. */
  get parties(): number {
    return this.cells[PARTIES];
  }

  /** How many are waiting for the barrier to trip now, like Python's `n_waiting`. */
  get nWaiting(): number {
    const word = atomics.load(this.cells, WORD);
    return stateOf(word) === FILLING ? countOf(word) : 0;
  }

  /** Whether the barrier is broken, like Python's `broken`. */
  get broken(): boolean {
    return stateOf(atomics.load(this.cells, WORD)) === BROKEN;
  }

  /** The default timeout of `wait()` in seconds, or `null` for none, like Python's `timeout`. */
  get timeout(): number | null {
    return this.extras.timeout;
  }

  /**
   * Changes the word by `next` (state and count of the word now → the new word), retrying until its
   * compare-exchange wins, and wakes every sleeper if the state changed.
   *
   * @returns the word it changed.
   */
  private change(next: (state: number, count: number) => number): number {
    const cells = this.cells;
    for (;;) {
      const word = atomics.load(cells, WORD);
      const replacement = next(stateOf(word), countOf(word));
      if (atomics.compareExchange(cells, WORD, word, replacement) !== word) continue;
      if (stateOf(replacement) !== stateOf(word)) atomics.notify(cells, WORD);
      return word;
    }
  }

  /**
   * Breaks the barrier, like Python's `abort()`: every thread waiting now, and every later
   * `wait()`, gets a {@link BrokenBarrierError} until {@link Barrier.reset}. Never blocks.
   */
  abort(): void {
    this.change((_, count) => wordOf(BROKEN, count));
  }

  /**
   * Puts the barrier back to empty, like Python's `reset()`: threads waiting at this moment get a
   * {@link BrokenBarrierError}, and it is usable again (also after it was broken). Never blocks.
   */
  reset(): void {
    this.change((state, count) => {
      if (count === 0) return wordOf(FILLING, 0);
      // Python leaves a draining barrier draining: its waiters were already let through.
      return wordOf(state === DRAINING ? DRAINING : RESETTING, count);
    });
  }

  /** Leaves: the last one out of a tripped or reset barrier lets it fill again. */
  private leave(): void {
    this.change((state, count) =>
      count === 1 && (state === DRAINING || state === RESETTING) ? wordOf(FILLING, 0) : wordOf(state, count - 1),
    );
  }

  /**
   * One `wait()`, as steps: each `yield` hands back the word to sleep on until it changes (or the
   * deadline passes), so that `wait` and `waitAsync` share every decision and differ only in how
   * they sleep.
   *
   * @returns this thread's arrival index.
   */
  private *steps(deadline: number, seconds: number | null): Generator<number, number, void> {
    const cells = this.cells;
    const parties = this.parties;
    let index = -1;
    // Enter, as Python's _enter(): wait while a trip or reset drains, refuse a broken barrier.
    while (index < 0) {
      const word = atomics.load(cells, WORD);
      const state = stateOf(word);
      const count = countOf(word);
      if (state === BROKEN) throw new BrokenBarrierError("Barrier.wait(): the barrier is broken (a waiter timed out, abort() was called, or the action threw). reset() makes it usable again.");
      if (state !== FILLING) {
        if (remaining(deadline) > 0) {
          yield word;
          continue;
        }
        // Out of time before it could even enter: the last round's threads never finished leaving
        // (the one running the action may have died). Break it, as any wait that times out does.
        this.abort();
        throw new BrokenBarrierError(
          `Barrier.wait() timed out after ${seconds} s before it could enter: the threads of the last round had not all left ` +
            `(or its action had not finished), so the barrier is now broken for everyone.`,
        );
      }
      const last = count + 1 === parties;
      const entered = wordOf(last ? (this.extras.action === null ? DRAINING : ACTION) : FILLING, count + 1);
      if (atomics.compareExchange(cells, WORD, word, entered) !== word) continue;
      if (last) {
        if (stateOf(entered) === DRAINING) atomics.notify(cells, WORD);
        this.tripped();
        return count;
      }
      index = count;
    }
    // Wait for the trip, as Python's _wait(): while filling, or while the last one runs the action.
    for (;;) {
      const word = atomics.load(cells, WORD);
      const state = stateOf(word);
      if (state === DRAINING || state === RESETTING || state === BROKEN) {
        this.leave();
        if (state === DRAINING) return index;
        throw new BrokenBarrierError(
          state === RESETTING
            ? "Barrier.wait(): reset() was called while this thread waited."
            : "Barrier.wait(): the barrier was broken while this thread waited (a waiter timed out, abort() was called, or the action threw).",
        );
      }
      if (remaining(deadline) > 0) {
        yield word;
        continue;
      }
      // Out of time: break the barrier and leave in one step, unless the word changed meanwhile.
      if (atomics.compareExchange(cells, WORD, word, wordOf(BROKEN, countOf(word) - 1)) === word) {
        atomics.notify(cells, WORD);
        throw this.timedOut(seconds, countOf(word));
      }
    }
  }

  /** The last arrival: runs the action if there is one, releases everybody, and leaves. */
  private tripped(): void {
    const action = this.extras.action;
    if (action !== null) {
      try {
        action();
      } catch (error) {
        this.change((state, count) => wordOf(state === ACTION ? BROKEN : state, count));
        this.leave();
        throw error;
      }
      // An abort() or reset() during the action wins, as if it had come just before the last arrival.
      const before = stateOf(this.change((state, count) => wordOf(state === ACTION ? DRAINING : state, count)));
      if (before !== ACTION) {
        this.leave();
        throw new BrokenBarrierError("Barrier.wait(): the barrier was broken or reset while this thread ran the action.");
      }
    }
    this.leave();
  }

  /** The error of a wait whose timeout ran out, which has broken the barrier. */
  private timedOut(seconds: number | null, waiting: number): BrokenBarrierError {
    return new BrokenBarrierError(
      `Barrier.wait() timed out after ${seconds} s with ${waiting} of ${this.parties} parties waiting, so the barrier is now broken for everyone.`,
    );
  }

  /** The deadline and the seconds (for messages) of a wait: its own timeout, or the barrier's. */
  private deadline(options: WaitOptions | undefined, where: string): { deadline: number; seconds: number | null } {
    const given = (optionsObject(options, where) as WaitOptions).timeout;
    const seconds = given ?? this.extras.timeout;
    return { deadline: atomics.now() + timeoutMs(seconds, where), seconds };
  }

  /**
   * Waits until all parties have arrived, like Python's `wait()`. On the main thread use `waitAsync`.
   *
   * @param options - `timeout` in seconds (default: the barrier's own); if it runs out before the
   *   barrier trips, the barrier breaks for everyone.
   * @returns this thread's arrival index, 0 to parties - 1 (exactly one thread gets each).
   * @throws BrokenBarrierError if the barrier is or becomes broken, or is reset while this waits.
   */
  wait(options?: WaitOptions): number {
    const { deadline, seconds } = this.deadline(options, "Barrier.wait()");
    refuseBlockingOnMainThread("Barrier.wait()", "`await barrier.waitAsync()`");
    const steps = this.steps(deadline, seconds);
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done === true) return step.value;
      atomics.wait(this.cells, WORD, step.value, remaining(deadline));
    }
  }

  /** Like {@link Barrier.wait}, without blocking the thread: `await barrier.waitAsync()`. */
  async waitAsync(options?: WaitOptions): Promise<number> {
    const { deadline, seconds } = this.deadline(options, "Barrier.waitAsync()");
    const steps = this.steps(deadline, seconds);
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done === true) return step.value;
      await atomics.waitAsync(this.cells, WORD, step.value, remaining(deadline));
    }
  }

  /** Shows the state: `<Barrier(parties=3, waiting=1)>`. */
  toString(): string {
    return `<Barrier(parties=${this.parties}, waiting=${this.nWaiting}${this.broken ? ", broken" : ""})>`;
  }
}

/**
 * @internal Rebuilds, in a worker, a barrier that travelled: over the same memory, with its action
 * rebuilt from its source text.
 */
export function rebuildBarrier(d: BarrierDescriptor): Barrier {
  const action = d.action === null ? null : (functionFromSource(d.action, "Barrier action") as BarrierAction);
  const extras: Extras = { action, actionSource: d.action, timeout: d.timeout };
  return new Barrier(new Rebuild(cellsOf(d.buffer, "Barrier", CELLS), extras) as unknown as number);
}
