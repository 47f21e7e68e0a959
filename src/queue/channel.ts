/**
 * `Channel`: the shared memory every queue and pipe is made of — a ring of bytes holding the
 * serialized items (ring.ts) and a few `Int32` cells saying where they are, in one
 * `SharedArrayBuffer`, guarded by two `mp.Lock`s: one that every put holds and one that every get
 * holds, as Python's `multiprocessing.Queue` has its `_wlock` and `_rlock`.
 *
 * Why two locks: a producer and a consumer then never wait for each other. With one lock they took
 * turns on it for every item, and the loser slept and napped (bench, 2026-12-04: 399 k small
 * items/s 1 → 1 with one lock). Each end of the ring is moved by one side only: `TAIL` by a put
 * (holding the write lock), `HEAD` by a get (holding the read lock). The counts both sides need,
 * `ITEMS` and `USED`, change by atomic add and subtract, in an order that keeps each side's view
 * safe: a put writes the record's bytes, then adds to `USED` and then to `ITEMS`, so a get that
 * sees `ITEMS > 0` finds a whole record at `HEAD`; a get reads the record, then subtracts from
 * `USED` and `ITEMS`, so a put never counts on bytes or places not yet free (it may see fewer than
 * there are, never more). Atomic stores and loads order the plain copies of the bytes around them
 * (JavaScript's atomics are sequentially consistent and synchronize, as C++'s `seq_cst`).
 *
 * Why locks at all and not a lock-free ring: items have any size, and many producers and many
 * consumers share one ring (ringbuf.js, the lock-free one, is one producer and one consumer); a put
 * must find room, copy its record and move the tail as one step, which lock-free needs a
 * reservation protocol for. The locks are the library's own (robust: a holder that dies is
 * reported, not waited for), each critical section a `memcpy` and a few cells, and the serializing
 * (the costly part) is done outside them.
 *
 * Waiting is futex-style on two sequence cells, not on a `Condition` (whose 64 waiter slots cost
 * every notify a scan): a getter reads `PUT_SEQ`, looks for an item, and sleeps on `PUT_SEQ` while
 * it has not changed; every put (and a close) adds one to it, so a put that lands between the look
 * and the sleep makes the sleep return at once — no lost wake-up. A put wakes one sleeping getter
 * (each item can satisfy one); a get wakes every sleeping putter (the freed bytes may fit a small
 * item and not a big one). Nobody notifies when nobody sleeps.
 *
 * Every cell is read and written through `atomics` (src/atomics.ts), so `mp.explore` schedules
 * each step; the ring's bytes are plain copies made while holding a lock.
 *
 * @packageDocumentation
 */
import { atomics } from "../atomics";
import { describe } from "../errors";
import { kindMark } from "../kind-mark";
import { Lock } from "../lock";
import { checkCount } from "../options";
import { SharedPrimitive } from "../primitive";
import { encodeShared, type Encoded, type QueueDescriptor, type QueueKind } from "../transfer";
import { MAY_BLOCK, refuseBlockingOnMainThread } from "../thread";
import { remaining, waitAsync } from "../waiting";
import { advance, HEADER_BYTES, readRecord, writeRecord } from "./ring";

// The cells, in four cache lines of 64 bytes (16 cells each), so that a producer and a consumer on
// two cores do not pull each other's cells back and forth with every item: the two counts both
// change; the tail and `PUT_SEQ` only puts change; the head and `GET_SEQ` only gets; the rest is
// read far more often than written. (On 2 cores the difference from one line for all was within
// the noise, 717 against 725 k small items/s 1 → 1; it is the usual layout, and costs 200 bytes.)

/** How many items are in the ring: a put adds one, a get takes one away. */
const ITEMS = 0;
/** How many bytes the records take: a put adds its record's, a get takes them away. */
const USED = 1;
/** Where the next record goes, in bytes from the ring's start: moved only by a put. */
const TAIL = 16;
/** Adds one at every put and at a close: getters sleep on it. */
const PUT_SEQ = 17;
/** Where the oldest record starts, in bytes from the ring's start: moved only by a get. */
const HEAD = 32;
/** Adds one at every get and at a close: putters sleep on it. */
const GET_SEQ = 33;
/** How many getters sleep (or are about to) on `PUT_SEQ`. */
const GET_SLEEPERS = 48;
/** How many putters sleep (or are about to) on `GET_SEQ`. */
const PUT_SLEEPERS = 49;
/** The most items (0: no limit but the ring's bytes); set once, at the start. */
const MAXSIZE = 50;
/** A `JoinableQueue`'s items put and not yet marked done. */
export const UNFINISHED = 51;
/** A pipe's ends that were closed: {@link WRITER_CLOSED} and {@link READER_CLOSED}. */
const CLOSED = 52;
/** The kind mark (see kind-mark.ts). */
const KIND_MARK = 53;
/** How many cells: four cache lines. */
const CELLS = 64;
/** Where the ring starts, in bytes: after the cells. */
const RING_START = CELLS * 4;

/** The bit of `CLOSED` set once the sending end was closed: a reader gets EOF once it is empty. */
export const WRITER_CLOSED = 1;
/** The bit of `CLOSED` set once the receiving end was closed: a sender gets BrokenPipe. */
export const READER_CLOSED = 2;

/** The bytes of a ring unless told otherwise: 1 MiB. */
export const DEFAULT_RING_BYTES = 1 << 20;

/** What a put did: `"sent"`, found no room (`"full"`), or found the reader gone (`"broken"`). */
export type PutResult = "sent" | "full" | "broken";
/** What a get found: an item's bytes, nothing yet (`"empty"`), or nothing ever more (`"eof"`). */
export type GetResult = Uint8Array | "empty" | "eof";

/** Options of the memory of a queue or pipe. */
export interface RingOptions {
  /**
   * The bytes of the ring the items are copied into (default 1 MiB): an item (serialized) must fit
   * in it, and a put waits while the items already there leave too little room.
   */
  readonly bytes?: number;
}

/** A channel's two locks, like Python's `Queue`'s `_rlock` and `_wlock`. */
export interface ChannelLocks {
  /** Held by every get: getters take turns on it. */
  readonly read: Lock;
  /** Held by every put: putters take turns on it. */
  readonly write: Lock;
}

/** Two fresh locks for a new channel. */
export function freshLocks(): ChannelLocks {
  return { read: new Lock(), write: new Lock() };
}

/** Whether `x` is a channel's pair of locks (a constructor's "rebuild" form). */
export function isChannelLocks(x: unknown): x is ChannelLocks {
  return typeof x === "object" && x !== null && (x as ChannelLocks).read instanceof Lock && (x as ChannelLocks).write instanceof Lock;
}

/**
 * What `fromBuffer` rebuilds a channel of `kind` from, checked: the memory first (the likelier
 * mistake), then the two locks.
 *
 * @throws TypeError naming what is wrong.
 */
export function rebuiltParts(buffer: unknown, readLock: unknown, writeLock: unknown, kind: QueueKind): [ChannelLocks, Int32Array] {
  const cells = cellsOfChannel(buffer, kind);
  const locks = { read: readLock, write: writeLock };
  if (!isChannelLocks(locks)) {
    throw new TypeError(
      `${kind}.fromBuffer() needs the other ${kind}'s two locks, rebuilt in this thread: fromBuffer(q.buffer, q.readLock, q.writeLock), not ${describe(readLock)} and ${describe(writeLock)}.`,
    );
  }
  return [locks, cells];
}

/**
 * Fresh memory for a channel of `kind`: the cells, the kind mark, the ring.
 *
 * @throws TypeError or RangeError for a bad `maxsize` or `bytes`.
 */
export function freshCells(kind: QueueKind, maxsize: number, options: RingOptions | undefined, where: string): Int32Array {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new TypeError(`${where}: options must be an object such as { bytes: 65536 }, not ${describe(options)}.`);
  }
  const bytes = checkCount(options?.bytes ?? DEFAULT_RING_BYTES, `${where}: bytes`, 16);
  const buffer = new SharedArrayBuffer(RING_START + Math.ceil(bytes / 4) * 4);
  const cells = new Int32Array(buffer, 0, CELLS);
  cells[MAXSIZE] = maxsize;
  cells[KIND_MARK] = kindMark(kind);
  return cells;
}

/**
 * Checks memory handed to `fromBuffer` and returns its cells.
 *
 * @throws TypeError if it is not the memory of a `kind`.
 */
function cellsOfChannel(buffer: unknown, kind: QueueKind): Int32Array {
  const needed = `the SharedArrayBuffer that a ${kind} made (its .buffer)`;
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < RING_START + 16 || buffer.byteLength % 4 !== 0) {
    throw new TypeError(`${kind}.fromBuffer() needs ${needed}, not ${describe(buffer)}.`);
  }
  const cells = new Int32Array(buffer, 0, CELLS);
  if (cells[KIND_MARK] !== kindMark(kind)) {
    throw new TypeError(`${kind}.fromBuffer() needs ${needed}, but this memory was made by another kind of object.`);
  }
  return cells;
}

/**
 * The shared part of `Queue`, `SimpleQueue`, `JoinableQueue` and each direction of a `Pipe`: puts
 * and gets of serialized items, waiting in a worker or awaiting on the main thread.
 */
export abstract class Channel extends SharedPrimitive {
  /** The lock every get holds while it takes a record from the ring (Python's `_rlock`). */
  readonly readLock: Lock;
  /** The lock every put holds while it adds a record to the ring (Python's `_wlock`). */
  readonly writeLock: Lock;
  /** The ring of bytes (a view of the same `buffer`, after the cells). */
  protected readonly ring: Uint8Array;

  /**
   * @param locks - the channel's two locks.
   * @param cells - its cells, from {@link freshCells} or {@link rebuiltParts}.
   */
  protected constructor(locks: ChannelLocks, cells: Int32Array) {
    super(cells);
    this.readLock = locks.read;
    this.writeLock = locks.write;
    this.ring = new Uint8Array(this.buffer, RING_START);
  }

  protected abstract override get kind(): QueueKind;

  /** The most items it holds (0: no limit but its bytes), as given when it was made. */
  get maxsize(): number {
    return this.cells[MAXSIZE];
  }

  /** The bytes of its ring. */
  get ringBytes(): number {
    return this.ring.length;
  }

  /** How many items are in it now: approximate, as other threads may put or get meanwhile. */
  protected items(): number {
    return atomics.load(this.cells, ITEMS);
  }

  /** Which ends were closed ({@link WRITER_CLOSED}, {@link READER_CLOSED}). */
  protected closedEnds(): number {
    return atomics.load(this.cells, CLOSED);
  }

  /**
   * Refuses an item that could never fit.
   *
   * @throws RangeError naming its size and the ring's, and how to make a bigger ring.
   */
  protected checkFits(item: Uint8Array, where: string): void {
    if (HEADER_BYTES + item.length > this.ring.length) {
      throw new RangeError(
        `${where}: the item takes ${item.length} bytes serialized, more than this ${this.kind}'s ring of ${this.ring.length} bytes can ever hold ` +
          `(each item takes ${HEADER_BYTES} more). Make it with room for it, e.g. new mp.${this.kind === "Channel" ? "Pipe(true" : `${this.kind}(0`}, { bytes: ${2 ** Math.ceil(Math.log2(2 * (item.length + HEADER_BYTES)))} }), ` +
          `or send smaller pieces. Nothing was put; it works on.`,
      );
    }
  }

  /** Whether its ends can be closed (a pipe's): a queue's cannot, and skips looking. */
  protected hasEnds(): boolean {
    return false;
  }

  /** Called with the write lock held as an item goes in, before getters can see it (a JoinableQueue counts it). */
  protected onPut(): void {}

  /**
   * With the write lock held: puts the item if there is room. `ITEMS` and `USED` may fall meanwhile
   * (a get frees them after it read its record), never rise: no other put runs.
   */
  protected putLocked(item: Uint8Array): PutResult {
    const cells = this.cells;
    if (this.hasEnds() && (atomics.load(cells, CLOSED) & READER_CLOSED) !== 0) return "broken";
    const maxsize = this.cells[MAXSIZE];
    if (maxsize > 0 && atomics.load(cells, ITEMS) >= maxsize) return "full";
    if (atomics.load(cells, USED) + HEADER_BYTES + item.length > this.ring.length) return "full";
    const tail = atomics.load(cells, TAIL);
    const size = writeRecord(this.ring, tail, item);
    this.onPut();
    atomics.store(cells, TAIL, advance(tail, size, this.ring.length));
    // The bytes are written: count them, then the item, which a get looks at first.
    atomics.add(cells, USED, size);
    atomics.add(cells, ITEMS, 1);
    atomics.add(cells, PUT_SEQ, 1);
    this.wakeGetter();
    return "sent";
  }

  /** After a put: wakes sleeping getters, if any: {@link Channel.getterWakeUps} of them. */
  protected wakeGetter(): void {
    if (atomics.load(this.cells, GET_SLEEPERS) > 0) atomics.notify(this.cells, PUT_SEQ, this.getterWakeUps());
  }

  /** How many sleeping getters a put wakes: one (each item can satisfy one); `undefined` for all. */
  protected getterWakeUps(): number | undefined {
    return 1;
  }

  /**
   * With the read lock held: takes the oldest item if there is one. `ITEMS` may rise meanwhile (a
   * put adds it once its record is whole), never fall: no other get runs.
   *
   * @param keep - whether the item's bytes must outlive this thread's next get (across an
   *   `await`); else they are a view of the thread's scratch (see ring.ts), to decode at once.
   */
  protected getLocked(keep: boolean): GetResult {
    const cells = this.cells;
    if (atomics.load(cells, ITEMS) === 0) {
      if (!this.hasEnds() || (atomics.load(cells, CLOSED) & WRITER_CLOSED) === 0) return "empty";
      // The writer closed: the end, unless an item it put before closing arrived since the look.
      if (atomics.load(cells, ITEMS) === 0) return "eof";
    }
    const head = atomics.load(cells, HEAD);
    const { item, size } = readRecord(this.ring, head, keep);
    this.took(head, size);
    return item;
  }

  /**
   * With the read lock held: moves the head past the record just read, frees its bytes and its
   * place (after the read: a put may reuse them at once), and wakes sleeping putters.
   */
  protected took(head: number, size: number): void {
    const cells = this.cells;
    atomics.store(cells, HEAD, advance(head, size, this.ring.length));
    atomics.sub(cells, USED, size);
    atomics.sub(cells, ITEMS, 1);
    atomics.add(cells, GET_SEQ, 1);
    if (atomics.load(cells, PUT_SLEEPERS) > 0) atomics.notify(cells, GET_SEQ);
  }

  /** When a call that may `wait` at most `ms` must give up: not read off the clock when it cannot matter (a look at the clock costs more than the rest of a small put). */
  private static deadline(wait: boolean, ms: number): number {
    return wait && ms !== Infinity ? atomics.now() + ms : Infinity;
  }

  /**
   * Takes `lock` for a call: waiting for it in a worker; on the main thread, trying for at most a
   * millisecond (the holder only copies a record), as Python's `block=False` calls only try it.
   *
   * @returns false if the main thread found it busy all that time.
   */
  private static enter(lock: Lock): boolean {
    if (MAY_BLOCK) return lock.acquire();
    const until = atomics.now() + 1;
    do {
      if (lock.acquire({ blocking: false })) return true;
    } while (atomics.now() < until);
    return false;
  }

  /**
   * With `lock` held: releases it, sleeps while `cells[seq]` is still `seen` (at most `ms`), and
   * takes it back. `seen` was read before the look that found nothing, so any put, get or close
   * since then makes the sleep end at once (a close takes no lock, so reading `seen` after the
   * look could miss one).
   */
  private sleepLocked(lock: Lock, seq: number, seen: number, sleepers: number, ms: number): void {
    const cells = this.cells;
    atomics.add(cells, sleepers, 1);
    lock.release();
    try {
      atomics.wait(cells, seq, seen, ms);
    } finally {
      lock.acquire();
      atomics.sub(cells, sleepers, 1);
    }
  }

  /** Like {@link Channel.sleepLocked}, without blocking the thread. */
  private async sleepLockedAsync(lock: Lock, seq: number, seen: number, sleepers: number, ms: number): Promise<void> {
    const cells = this.cells;
    atomics.add(cells, sleepers, 1);
    lock.release();
    try {
      await waitAsync(cells, seq, seen, ms);
    } finally {
      await lock.acquireAsync();
      atomics.sub(cells, sleepers, 1);
    }
  }

  /**
   * Puts serialized `item`, waiting for room while `block` (at most `ms`).
   *
   * @param where - the call, for messages; `instead` - what to call on the main thread.
   * @throws BlockingCallError for a blocking put on the main thread.
   */
  protected send(item: Uint8Array, block: boolean, ms: number, where: string, instead: string): PutResult {
    this.checkFits(item, where);
    const wait = block && ms > 0;
    if (wait) refuseBlockingOnMainThread(where, instead);
    const deadline = Channel.deadline(wait, ms);
    if (!Channel.enter(this.writeLock)) return "full";
    try {
      for (;;) {
        const seen = atomics.load(this.cells, GET_SEQ);
        const result = this.putLocked(item);
        const left = result === "full" && wait ? remaining(deadline) : 0;
        if (left === 0) return result;
        this.sleepLocked(this.writeLock, GET_SEQ, seen, PUT_SLEEPERS, left);
      }
    } finally {
      this.writeLock.release();
    }
  }

  /** Like {@link Channel.send} with `block`, without blocking the thread. */
  protected async sendAsync(item: Uint8Array, ms: number, where: string): Promise<PutResult> {
    this.checkFits(item, where);
    const deadline = Channel.deadline(true, ms);
    await this.writeLock.acquireAsync();
    try {
      for (;;) {
        const seen = atomics.load(this.cells, GET_SEQ);
        const result = this.putLocked(item);
        const left = result === "full" ? remaining(deadline) : 0;
        if (left === 0) return result;
        await this.sleepLockedAsync(this.writeLock, GET_SEQ, seen, PUT_SLEEPERS, left);
      }
    } finally {
      this.writeLock.release();
    }
  }

  /**
   * Takes the oldest item's bytes, waiting for one while `block` (at most `ms`): a view of this
   * thread's scratch (see ring.ts), to decode before the thread's next get.
   *
   * @throws BlockingCallError for a blocking get on the main thread.
   */
  protected receive(block: boolean, ms: number, where: string, instead: string): GetResult {
    const wait = block && ms > 0;
    if (wait) refuseBlockingOnMainThread(where, instead);
    const deadline = Channel.deadline(wait, ms);
    if (!Channel.enter(this.readLock)) return "empty";
    try {
      for (;;) {
        const seen = atomics.load(this.cells, PUT_SEQ);
        const result = this.getLocked(false);
        const left = result === "empty" && wait ? remaining(deadline) : 0;
        if (left === 0) return result;
        this.sleepLocked(this.readLock, PUT_SEQ, seen, GET_SLEEPERS, left);
      }
    } finally {
      this.readLock.release();
    }
  }

  /** Like {@link Channel.receive} with `block`, without blocking the thread. */
  protected async receiveAsync(ms: number): Promise<GetResult> {
    const deadline = Channel.deadline(true, ms);
    await this.readLock.acquireAsync();
    try {
      for (;;) {
        const seen = atomics.load(this.cells, PUT_SEQ);
        const result = this.getLocked(true);
        const left = result === "empty" ? remaining(deadline) : 0;
        if (left === 0) return result;
        await this.sleepLockedAsync(this.readLock, PUT_SEQ, seen, GET_SLEEPERS, left);
      }
    } finally {
      this.readLock.release();
    }
  }

  /**
   * Waits (at most `ms`) until an item is there or the sending end is closed, without taking it:
   * a pipe's `poll`. Takes no lock: it only reads `ITEMS` and `CLOSED`, after `PUT_SEQ`.
   *
   * @returns whether an item (or the end) is there.
   */
  protected ready(ms: number, where: string, instead: string): boolean {
    if (ms > 0) refuseBlockingOnMainThread(where, instead);
    const deadline = atomics.now() + ms;
    for (;;) {
      const seen = atomics.load(this.cells, PUT_SEQ);
      if (this.items() > 0 || (this.closedEnds() & WRITER_CLOSED) !== 0) return true;
      const left = remaining(deadline);
      if (left === 0) return false;
      atomics.add(this.cells, GET_SLEEPERS, 1);
      try {
        atomics.wait(this.cells, PUT_SEQ, seen, left);
      } finally {
        atomics.sub(this.cells, GET_SLEEPERS, 1);
      }
    }
  }

  /** Like {@link Channel.ready}, without blocking the thread. */
  protected async readyAsync(ms: number): Promise<boolean> {
    const deadline = atomics.now() + ms;
    for (;;) {
      const seen = atomics.load(this.cells, PUT_SEQ);
      if (this.items() > 0 || (this.closedEnds() & WRITER_CLOSED) !== 0) return true;
      const left = remaining(deadline);
      if (left === 0) return false;
      atomics.add(this.cells, GET_SLEEPERS, 1);
      try {
        await waitAsync(this.cells, PUT_SEQ, seen, left);
      } finally {
        atomics.sub(this.cells, GET_SLEEPERS, 1);
      }
    }
  }

  /**
   * Marks an end closed, for every thread, and wakes everyone waiting on the channel to see it.
   * Takes no lock (it works on the main thread): the bit is set with a compare-exchange, then both
   * sequence cells move, so a sleeper that looked before the bit was set wakes.
   */
  protected closeEnd(bit: number): void {
    const cells = this.cells;
    for (;;) {
      const seen = atomics.load(cells, CLOSED);
      if ((seen & bit) !== 0 || atomics.compareExchange(cells, CLOSED, seen, seen | bit) === seen) break;
    }
    atomics.add(cells, PUT_SEQ, 1);
    atomics.add(cells, GET_SEQ, 1);
    atomics.notify(cells, PUT_SEQ);
    atomics.notify(cells, GET_SEQ);
  }

  /** What it travels as: its memory and its two locks. */
  protected override describe(seen: Encoded): QueueDescriptor {
    return { $shared: this.kind, buffer: this.buffer, readLock: encodeShared(this.readLock, seen), writeLock: encodeShared(this.writeLock, seen) };
  }
}
