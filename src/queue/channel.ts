/**
 * `Channel`: the shared memory every queue and pipe is made of — a ring of bytes holding the
 * serialized items (ring.ts) and a few `Int32` cells saying where they are, in one
 * `SharedArrayBuffer`, guarded by an `mp.Lock`.
 *
 * Why a lock and not a lock-free ring: items have any size, and many producers and many consumers
 * share one ring (ringbuf.js, the lock-free one, is one producer and one consumer); a put must
 * find room, copy its record and move the tail as one step, which lock-free needs a reservation
 * protocol for. The lock is the library's own (robust: a holder that dies is reported, not waited
 * for), its critical section a `memcpy` and a few cells, and the serializing (the costly part) is
 * done outside it. Waiting is futex-style on two sequence cells, not on a `Condition` (whose 64
 * waiter slots cost every notify a scan): a getter reads `PUT_SEQ`, looks for an item, and sleeps
 * on `PUT_SEQ` while it has not changed; every put (and a close) adds one to it, so a put that
 * lands between the look and the sleep makes the sleep return at once — no lost wake-up. A put
 * wakes one sleeping getter (each item can satisfy one); a get wakes every sleeping putter (the
 * freed bytes may fit a small item and not a big one). Nobody notifies when nobody sleeps.
 *
 * Every cell is read and written through `atomics` (src/atomics.ts), so `mp.explore` schedules
 * each step; the ring's bytes are plain copies made while holding the lock.
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
import { HEADER_BYTES, readRecord, writeRecord } from "./ring";

/** How many items are in the ring. */
const ITEMS = 0;
/** Adds one at every put and at a close: getters sleep on it. */
const PUT_SEQ = 1;
/** Adds one at every get and at a close: putters sleep on it. */
const GET_SEQ = 2;
/** Where the oldest record starts, in bytes from the ring's start. */
const HEAD = 3;
/** How many bytes the records take. */
const USED = 4;
/** How many getters sleep (or are about to) on `PUT_SEQ`. */
const GET_SLEEPERS = 5;
/** How many putters sleep (or are about to) on `GET_SEQ`. */
const PUT_SLEEPERS = 6;
/** The most items (0: no limit but the ring's bytes); set once, at the start. */
const MAXSIZE = 7;
/** A `JoinableQueue`'s items put and not yet marked done. */
export const UNFINISHED = 8;
/** A pipe's ends that were closed: {@link WRITER_CLOSED} and {@link READER_CLOSED}. */
const CLOSED = 9;
/** How many cells, before the kind mark. */
const CELLS = 10;
/** Where the ring starts, in bytes: after the cells and the kind mark. */
const RING_START = (CELLS + 1) * 4;

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
  const cells = new Int32Array(buffer, 0, CELLS + 1);
  cells[MAXSIZE] = maxsize;
  cells[CELLS] = kindMark(kind);
  return cells;
}

/**
 * Checks memory handed to `fromBuffer` and returns its cells.
 *
 * @throws TypeError if it is not the memory of a `kind`.
 */
export function cellsOfChannel(buffer: unknown, kind: QueueKind): Int32Array {
  const needed = `the SharedArrayBuffer that a ${kind} made (its .buffer)`;
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < RING_START + 16 || buffer.byteLength % 4 !== 0) {
    throw new TypeError(`${kind}.fromBuffer() needs ${needed}, not ${describe(buffer)}.`);
  }
  const cells = new Int32Array(buffer, 0, CELLS + 1);
  if (cells[CELLS] !== kindMark(kind)) {
    throw new TypeError(`${kind}.fromBuffer() needs ${needed}, but this memory was made by another kind of object.`);
  }
  return cells;
}

/**
 * The shared part of `Queue`, `SimpleQueue`, `JoinableQueue` and each direction of a `Pipe`: puts
 * and gets of serialized items, waiting in a worker or awaiting on the main thread.
 */
export abstract class Channel extends SharedPrimitive {
  /** The lock every put and get holds while it touches the ring. */
  readonly lock: Lock;
  /** The ring of bytes (a view of the same `buffer`, after the cells). */
  protected readonly ring: Uint8Array;

  /**
   * @param lock - the channel's lock.
   * @param cells - its cells, from {@link freshCells} or {@link cellsOfChannel}.
   */
  protected constructor(lock: Lock, cells: Int32Array) {
    super(cells);
    this.lock = lock;
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

  /** Called with the lock held as an item goes in (a JoinableQueue counts it). */
  protected onPut(): void {}

  /** With the lock held: puts the item if there is room. */
  protected putLocked(item: Uint8Array): PutResult {
    const cells = this.cells;
    if (this.hasEnds() && (atomics.load(cells, CLOSED) & READER_CLOSED) !== 0) return "broken";
    const maxsize = this.cells[MAXSIZE];
    const items = atomics.load(cells, ITEMS);
    const used = atomics.load(cells, USED);
    if ((maxsize > 0 && items >= maxsize) || used + HEADER_BYTES + item.length > this.ring.length) return "full";
    const head = atomics.load(cells, HEAD);
    const size = writeRecord(this.ring, (head + used) % this.ring.length, item);
    this.onPut();
    atomics.store(cells, USED, used + size);
    atomics.store(cells, ITEMS, items + 1);
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

  /** With the lock held: takes the oldest item if there is one. */
  protected getLocked(): GetResult {
    const cells = this.cells;
    const items = atomics.load(cells, ITEMS);
    if (items === 0) return this.hasEnds() && (atomics.load(cells, CLOSED) & WRITER_CLOSED) !== 0 ? "eof" : "empty";
    const head = atomics.load(cells, HEAD);
    const { item, size } = readRecord(this.ring, head);
    this.took(head, size, items);
    return item;
  }

  /** With the lock held: moves the head past the record just read, and wakes sleeping putters. */
  protected took(head: number, size: number, items: number): void {
    const cells = this.cells;
    atomics.store(cells, HEAD, (head + size) % this.ring.length);
    atomics.store(cells, USED, atomics.load(cells, USED) - size);
    atomics.store(cells, ITEMS, items - 1);
    atomics.add(cells, GET_SEQ, 1);
    if (atomics.load(cells, PUT_SLEEPERS) > 0) atomics.notify(cells, GET_SEQ);
  }

  /**
   * Takes the lock for a call: waiting for it in a worker; on the main thread, trying for at most
   * a millisecond (the holder only copies a record), as Python's `block=False` calls only try it.
   *
   * @returns false if the main thread found it busy all that time.
   */
  private enter(): boolean {
    if (MAY_BLOCK) return this.lock.acquire();
    const until = atomics.now() + 1;
    do {
      if (this.lock.acquire({ blocking: false })) return true;
    } while (atomics.now() < until);
    return false;
  }

  /**
   * With the lock held: releases it, sleeps while `cells[seq]` is still `seen` (at most `ms`), and
   * takes it back. `seen` was read before the look that found nothing, so any put, get or close
   * since then makes the sleep end at once (a close takes no lock, so reading `seen` after the
   * look could miss one).
   */
  private sleepLocked(seq: number, seen: number, sleepers: number, ms: number): void {
    const cells = this.cells;
    atomics.add(cells, sleepers, 1);
    this.lock.release();
    try {
      atomics.wait(cells, seq, seen, ms);
    } finally {
      this.lock.acquire();
      atomics.sub(cells, sleepers, 1);
    }
  }

  /** Like {@link Channel.sleepLocked}, without blocking the thread. */
  private async sleepLockedAsync(seq: number, seen: number, sleepers: number, ms: number): Promise<void> {
    const cells = this.cells;
    atomics.add(cells, sleepers, 1);
    this.lock.release();
    try {
      await waitAsync(cells, seq, seen, ms);
    } finally {
      await this.lock.acquireAsync();
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
    const deadline = atomics.now() + ms;
    if (!this.enter()) return "full";
    try {
      for (;;) {
        const seen = atomics.load(this.cells, GET_SEQ);
        const result = this.putLocked(item);
        const left = result === "full" && wait ? remaining(deadline) : 0;
        if (left === 0) return result;
        this.sleepLocked(GET_SEQ, seen, PUT_SLEEPERS, left);
      }
    } finally {
      this.lock.release();
    }
  }

  /** Like {@link Channel.send} with `block`, without blocking the thread. */
  protected async sendAsync(item: Uint8Array, ms: number, where: string): Promise<PutResult> {
    this.checkFits(item, where);
    const deadline = atomics.now() + ms;
    await this.lock.acquireAsync();
    try {
      for (;;) {
        const seen = atomics.load(this.cells, GET_SEQ);
        const result = this.putLocked(item);
        const left = result === "full" ? remaining(deadline) : 0;
        if (left === 0) return result;
        await this.sleepLockedAsync(GET_SEQ, seen, PUT_SLEEPERS, left);
      }
    } finally {
      this.lock.release();
    }
  }

  /**
   * Takes the oldest item's bytes, waiting for one while `block` (at most `ms`).
   *
   * @throws BlockingCallError for a blocking get on the main thread.
   */
  protected receive(block: boolean, ms: number, where: string, instead: string): GetResult {
    const wait = block && ms > 0;
    if (wait) refuseBlockingOnMainThread(where, instead);
    const deadline = atomics.now() + ms;
    if (!this.enter()) return "empty";
    try {
      for (;;) {
        const seen = atomics.load(this.cells, PUT_SEQ);
        const result = this.getLocked();
        const left = result === "empty" && wait ? remaining(deadline) : 0;
        if (left === 0) return result;
        this.sleepLocked(PUT_SEQ, seen, GET_SLEEPERS, left);
      }
    } finally {
      this.lock.release();
    }
  }

  /** Like {@link Channel.receive} with `block`, without blocking the thread. */
  protected async receiveAsync(ms: number): Promise<GetResult> {
    const deadline = atomics.now() + ms;
    await this.lock.acquireAsync();
    try {
      for (;;) {
        const seen = atomics.load(this.cells, PUT_SEQ);
        const result = this.getLocked();
        const left = result === "empty" ? remaining(deadline) : 0;
        if (left === 0) return result;
        await this.sleepLockedAsync(PUT_SEQ, seen, GET_SLEEPERS, left);
      }
    } finally {
      this.lock.release();
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

  /** What it travels as: its memory and its lock. */
  protected override describe(seen: Encoded): QueueDescriptor {
    return { $shared: this.kind, buffer: this.buffer, lock: encodeShared(this.lock, seen) };
  }
}
