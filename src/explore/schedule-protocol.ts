/**
 * The protocol between the explorer's scheduler (on the thread that called `explore`) and the
 * workers it runs, written down in one place. Both sides talk through one control
 * `SharedArrayBuffer` of the explorer's own, always with the native `Atomics` (never the swapped
 * operations), in a ping-pong on each worker's STATUS cell:
 *
 * ```
 *  worker                                   scheduler
 *  ------                                   ---------
 *  waits while STATUS is IDLE/ENDED         STATUS = START, notify       (run the target again)
 *  before each shared-memory operation:
 *    OP, BUF, BYTE, TYPE, A1, A2 = the op
 *    STATUS = ASK, notify
 *    waits while STATUS is ASK              reads the request; when it picks this thread:
 *                                           REPLY (and RESULT) = the answer; STATUS = GO, notify
 *    REPLY PROCEED: does the op natively,
 *      SPIN_OUT: does it, and then up to RESULT
 *      more reads of the cells listed at
 *      SPIN_CELLS without asking (a spin:
 *      nobody else runs, so they read the
 *      same), counted in SKIPPED,
 *      WOKEN/NOT_EQUAL/TIMED_OUT: returns   waits while STATUS is GO, then reads the cell again
 *      that as the wait's result,           (the value after the step)
 *    KILLED: throws, and every later op
 *      throws too, touching no memory
 *  when the target has ended:
 *    posts an EndReport message, then
 *    RESULT = the Outcome, STATUS = ENDED
 *                                           STATUS = STOP, notify        (the exploration is over)
 * ```
 *
 * So exactly one worker runs between two shared-memory operations at a time, and the scheduler
 * decides which. Operations on memory that is not among the scenario's arguments (a lock a target
 * makes for itself) are not scheduled: the worker does them natively (reply NATIVE, never sent).
 * The virtual clock that `atomics.now()` reads under exploration is the slot's Float64 at CLOCK,
 * one per thread, from 0 at each run's start: the scheduler moves a thread's clock to the deadline
 * of its wait when it lets that wait time out. One clock per thread makes a timeout a choice that
 * concerns that thread alone (it commutes with the other threads' steps); that each thread's time
 * may lag behind another's is what a real machine allows too (a thread may wake up late).
 *
 * @packageDocumentation
 */

import type { HostName } from "../host";

/** Int32 cells before the first thread's slot (padding, so that Float64 fields stay aligned). */
const HEADER = 4;
/** The most cells a spin-out may re-read without asking (see {@link SPIN_CELLS}). */
export const MAX_SPIN_CELLS = 16;
/** Int32 cells of each thread's slot; even, so that the slot's Float64 fields are aligned. */
const SLOT = 16 + 2 * MAX_SPIN_CELLS;

/** Int32 fields of a slot, relative to {@link slotBase}. */
export const STATUS = 0;
/** The requested operation: one of {@link Op}. */
export const OP = 1;
/** Which shared buffer: its index in the scenario's buffer table (see scenario-memory.ts). */
export const BUF = 2;
/** The byte offset of the element in that buffer. */
export const BYTE = 3;
/** The element's type: an index into {@link ELEMENT_TYPES}. */
export const TYPE = 4;
/** The scheduler's answer: one of {@link Reply}. */
export const REPLY = 5;
/** A number answered with the reply (how many a notify woke, how many re-reads a spin-out may skip), or the {@link Outcome} at the end. */
export const RESULT = 6;
/** Worker: how many re-reads it did without asking after a SPIN_OUT, told with its next request. */
export const SKIPPED = 7;
/** With a SPIN_OUT reply: how many cells the list at {@link SPIN_CELLS} names. */
export const SPIN_COUNT = 14;
/** Float64 fields of a slot, relative to {@link slotBase} / 2: the operation's numeric arguments. */
export const A1 = 4;
/** The second numeric argument (compare-exchange's replacement, a wait's milliseconds). */
export const A2 = 5;
/** The thread's virtual clock, in milliseconds since the run began (a Float64 field). */
export const CLOCK = 6;
/**
 * With a SPIN_OUT reply, {@link SPIN_COUNT} Float64 fields from here: the cells (as keys, buffer ×
 * 2³² + byte) the worker may re-read without asking, those it has read since its last write.
 */
export const SPIN_CELLS = 8;

/** Values of the STATUS cell. */
export const enum Status {
  /** The worker waits for a run. */
  IDLE = 0,
  /** Scheduler: run the target (again). */
  START = 1,
  /** Scheduler: the exploration is over, end. */
  STOP = 2,
  /** Worker: a request is waiting for the scheduler. */
  ASK = 3,
  /** Scheduler: the answer is in REPLY, go on. */
  GO = 4,
  /** Worker: the target has ended (how: RESULT). */
  ENDED = 5,
}

/** The operations a worker asks about: one per method of `SharedMemoryOps` that touches memory, and `Atomics.and/or/xor`. */
export const enum Op {
  LOAD = 0,
  STORE = 1,
  ADD = 2,
  SUB = 3,
  EXCHANGE = 4,
  COMPARE_EXCHANGE = 5,
  WAIT = 6,
  NOTIFY = 7,
  READ = 8,
  WRITE = 9,
  /** `Atomics.and`, `or`, `xor`: only a raw typed array's (see raw-memory.ts). */
  AND = 10,
  OR = 11,
  XOR = 12,
}

/** The names of {@link Op}, for traces. */
export const OP_NAMES: readonly string[] = ["load", "store", "add", "sub", "exchange", "compareExchange", "wait", "notify", "read", "write", "and", "or", "xor"];

/** Whether an operation may change the cell (a compare-exchange does when it matches). */
export function mayWrite(op: Op): boolean {
  return op !== Op.LOAD && op !== Op.READ && op !== Op.WAIT && op !== Op.NOTIFY;
}

/** The scheduler's answers. */
export const enum Reply {
  /** Do the operation. */
  PROCEED = 0,
  /** The thread was killed: throw, and touch no memory from now on. */
  KILLED = 1,
  /** A wait whose cell did not hold the expected value: `"not-equal"`. */
  NOT_EQUAL = 2,
  /** A wait woken by a notify: `"ok"`. */
  WOKEN = 3,
  /** A wait whose timeout the scheduler fired: `"timed-out"`. */
  TIMED_OUT = 4,
  /** Do the load, and up to RESULT more reads of the cells at SPIN_CELLS without asking (see SKIPPED). */
  SPIN_OUT = 5,
  /** Never sent: the worker's own answer for memory outside the scenario (do it natively). */
  NATIVE = -1,
}

/** How a target ended, in RESULT once STATUS is ENDED. */
export const enum Outcome {
  RETURNED = 0,
  THREW = 1,
  KILLED = 2,
}

/** The message a worker posts just before it sets ENDED. */
export interface EndReport {
  /** Which run (counted by the worker from 1). */
  readonly run: number;
  /** What the target returned (when it can be copied), for the final state. */
  readonly value?: unknown;
  /** What it threw, if it threw. */
  readonly error?: { readonly name: string; readonly message: string };
}

/**
 * The message a worker posts when its thread went on after its run was ended: it caught the
 * explorer's `Killed` at every operation (a catch that takes every error, in a loop), so its
 * target never returns and the worker cannot run another schedule.
 */
export interface WentOnReport {
  readonly wentOn: true;
}

/** What an explorer worker is started with. */
export interface ExploreWorkerStart {
  /** The host the explorer runs in (a notebook's tslab, or plain Node), for the worker's globals. */
  readonly host: HostName;
  /** The thread's name (its letter), for stack traces. */
  readonly name: string;
  /** The target, as source text checked by `targetSource`. */
  readonly source: string;
  /** The encoded arguments. */
  readonly args: unknown[];
  /** The control buffer. */
  readonly control: SharedArrayBuffer;
  /** This worker's slot. */
  readonly slot: number;
}

/** The element types a request can name, in TYPE. */
export const ELEMENT_TYPES = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
] as const;

/** The first Int32 cell of thread `slot`'s fields. */
export function slotBase(slot: number): number {
  return HEADER + slot * SLOT;
}

/** A control buffer for `threads` threads. */
export function controlBuffer(threads: number): SharedArrayBuffer {
  return new SharedArrayBuffer((HEADER + threads * SLOT) * 4);
}
