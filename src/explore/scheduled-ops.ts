/**
 * The shared-memory operations of a worker under the explorer: before each operation on the
 * scenario's memory, the worker asks the scheduler (see schedule-protocol.ts) and does the
 * operation only once it is its turn. `wait` and `notify` are the scheduler's to decide (nobody
 * sleeps in a native `Atomics.wait` on the scenario's memory), and `now()` reads the virtual clock.
 *
 * @packageDocumentation
 */
import { availableParallelism } from "node:os";
import { nativeOps, type SharedMemoryOps, type WaitResult } from "../atomics";
import { A1, A2, BUF, BYTE, CLOCK, ELEMENT_TYPES, OP, Op, REPLY, Reply, RESULT, SKIPPED, SPIN_CELLS, SPIN_COUNT, STATUS, Status, TYPE, slotBase } from "./schedule-protocol";
import type { AnyTypedArray } from "../typecodes";

/**
 * After how many operations asked once killed a thread counts as going on for ever: a `finally`
 * block or two asks a few times; a loop that catches every error asks without end.
 */
const WENT_ON = 10_000;

/**
 * What every operation of a killed thread throws. Private to the explorer: a target that catches
 * it and goes on gets it again at its next operation, and it never touches memory (after
 * {@link WENT_ON} of them, `wentOn` is called once: see {@link scheduledOps}).
 */
export class Killed extends Error {
  constructor() {
    super("this thread was killed by the explorer (a schedule that terminates it here)");
    this.name = "Killed";
  }
}

/**
 * How many times a worker looks at its STATUS cell before it sleeps in `Atomics.wait`: a few
 * microseconds, time for the scheduler to decide the next step, which is most often this thread's
 * again. Waking from a futex costs some 10–20 µs; with 2,000 looks a run of one thread's steps took
 * 4 µs a step instead of 25 on 2 cores. More looks cost the cores that the other threads need when
 * the scheduler picks another thread. With one core the scheduler cannot answer while the worker
 * spins, so there it does not spin.
 */
const SPINS = availableParallelism() > 1 ? 2_000 : 0;

const typeIds = new Map<unknown, number>(ELEMENT_TYPES.map((type, i) => [type, i]));

/** The operations of one worker, and its state between runs. */
export interface ScheduledOps {
  /** The operations to install with `useSharedMemoryOps`. */
  readonly ops: SharedMemoryOps;
  /** Forgets a kill, before the next run. */
  reset(): void;
  /** Whether the scheduler killed this thread in this run. */
  killed(): boolean;
  /**
   * Asks for the turn to do `op` on element `index` of `view` (an operation on a raw typed array,
   * see raw-memory.ts) and returns the scheduler's reply; NATIVE for memory outside the scenario.
   */
  ask(op: Op, view: AnyTypedArray, index: number, a1?: number, a2?: number): Reply;
  /** The number answered with the last reply (how many threads a notify woke). */
  result(): number;
}

/**
 * Makes the operations of the worker in `slot`.
 *
 * @param control - the explorer's control buffer.
 * @param slot - this worker's slot in it.
 * @param ids - the index of each scenario buffer (see `scenarioBuffers`).
 * @param wentOn - called once in a run if the thread, killed, keeps asking (it catches every error in a loop).
 */
export function scheduledOps(control: SharedArrayBuffer, slot: number, ids: ReadonlyMap<SharedArrayBuffer, number>, wentOn: () => void): ScheduledOps {
  const cells = new Int32Array(control);
  const floats = new Float64Array(control);
  const base = slotBase(slot);
  const status = base + STATUS;
  let killed = false;
  /** Operations asked since the kill. */
  let askedKilled = 0;
  /** While spinning out: how many of the cells listed at SPIN_CELLS may be re-read without asking, and how many more reads may skip. */
  let spin: { cells: number; left: number; skipped: number } | null = null;

  /** Whether cell `key` is in the spin-out's list. */
  function listed(key: number, count: number): boolean {
    for (let k = 0; k < count; k++) if (floats[base / 2 + SPIN_CELLS + k] === key) return true;
    return false;
  }

  /** Asks for the turn to do `op` on element `index` of `view`; returns the scheduler's reply. */
  function ask(op: Op, view: AnyTypedArray, index: number, a1 = 0, a2 = 0): Reply {
    if (killed) {
      if (++askedKilled === WENT_ON) wentOn();
      throw new Killed();
    }
    const id = ids.get(view.buffer as SharedArrayBuffer);
    if (id === undefined) return Reply.NATIVE;
    const byte = view.byteOffset + index * view.BYTES_PER_ELEMENT;
    if (spin !== null) {
      // Re-reads of the listed cells need not ask: a load or read, or a compare-exchange of an Int32 cell that fails.
      const reads = op === Op.LOAD || op === Op.READ || (op === Op.COMPARE_EXCHANGE && view instanceof Int32Array && nativeOps.load(view, index) !== (a1 | 0));
      if (reads && spin.left > 0 && listed(id * 2 ** 32 + byte, spin.cells)) {
        spin.left--;
        spin.skipped++;
        return Reply.PROCEED;
      }
      cells[base + SKIPPED] = spin.skipped;
      spin = null;
    } else {
      cells[base + SKIPPED] = 0;
    }
    cells[base + OP] = op;
    cells[base + BUF] = id;
    cells[base + BYTE] = byte;
    cells[base + TYPE] = typeIds.get(view.constructor) ?? -1;
    floats[base / 2 + A1] = a1;
    floats[base / 2 + A2] = a2;
    nativeOps.store(cells, status, Status.ASK);
    nativeOps.notify(cells, status);
    for (let i = 0; i < SPINS && nativeOps.load(cells, status) === Status.ASK; i++);
    while (nativeOps.load(cells, status) === Status.ASK) nativeOps.wait(cells, status, Status.ASK);
    const reply = cells[base + REPLY] as Reply;
    if (reply === Reply.KILLED) {
      killed = true;
      throw new Killed();
    }
    if (reply === Reply.SPIN_OUT) {
      spin = { cells: cells[base + SPIN_COUNT], left: cells[base + RESULT], skipped: 0 };
      return Reply.PROCEED;
    }
    return reply;
  }

  /** An operation that changes one cell: asks (telling the value), then does it natively. */
  function asked(op: Op, native: (c: Int32Array, i: number, v: number) => number) {
    return (c: Int32Array, i: number, v: number): number => {
      ask(op, c, i, v);
      return native(c, i, v);
    };
  }

  const ops: SharedMemoryOps = {
    load(c, i) {
      ask(Op.LOAD, c, i);
      return nativeOps.load(c, i);
    },
    store: asked(Op.STORE, nativeOps.store),
    add: asked(Op.ADD, nativeOps.add),
    sub: asked(Op.SUB, nativeOps.sub),
    exchange: asked(Op.EXCHANGE, nativeOps.exchange),
    compareExchange(c, i, expected, replacement) {
      ask(Op.COMPARE_EXCHANGE, c, i, expected, replacement);
      return nativeOps.compareExchange(c, i, expected, replacement);
    },
    wait(c, i, v, ms): WaitResult {
      const reply = ask(Op.WAIT, c, i, v, ms ?? Infinity);
      if (reply === Reply.NATIVE) return nativeOps.wait(c, i, v, ms);
      return reply === Reply.NOT_EQUAL ? "not-equal" : reply === Reply.TIMED_OUT ? "timed-out" : "ok";
    },
    // An awaited wait is modelled as a wait: the thread does nothing else until it settles, as an
    // explored thread runs one flow of code (two flows awaiting by turns in one thread are not explored).
    waitAsync(c, i, v, ms) {
      if (!ids.has(c.buffer as SharedArrayBuffer)) return nativeOps.waitAsync(c, i, v, ms);
      return Promise.resolve(ops.wait(c, i, v, ms));
    },
    notify(c, i, count) {
      if (ask(Op.NOTIFY, c, i, count ?? Infinity) === Reply.NATIVE) return nativeOps.notify(c, i, count);
      return cells[base + RESULT];
    },
    read(values, i, atomic) {
      ask(Op.READ, values, i);
      return nativeOps.read(values, i, atomic);
    },
    write(values, i, value, atomic) {
      ask(Op.WRITE, values, i);
      nativeOps.write(values, i, value, atomic);
    },
    now() {
      return floats[base / 2 + CLOCK];
    },
  };
  return {
    ops,
    reset() {
      killed = false;
      askedKilled = 0;
      spin = null;
    },
    killed() {
      return killed;
    },
    ask,
    result: () => cells[base + RESULT],
  };
}
