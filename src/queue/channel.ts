/**
 * `Channel`: the shared memory every queue and pipe is made of — a ring of bytes holding the
 * serialized items (ring.ts) and a few `Int32` cells saying where they are, in one
 * `SharedArrayBuffer`, guarded by two `mp.Lock`s: one that every put holds and one that every get
 * holds, as Python's `multiprocessing.Queue` has its `_wlock` and `_rlock`.
 *
 * Why two locks: a producer and a consumer then never wait for each other. With one lock they took
 * turns on it for every item, and the loser slept and napped (bench, 2026-12-04: 399 k small
 * items/s 1 → 1 with one lock).
 *
 * Each side keeps its own books, in a cache line of its own, and writes nothing the other side
 * writes: puts count the items (`PUTS`) and bytes (`PUT_BYTES`) they put and move `TAIL`; gets count
 * what they took (`GETS`, `GET_BYTES`) and move `HEAD`. Items in the ring are `PUTS - GETS`; bytes
 * in use, `PUT_BYTES - GET_BYTES` (both counts wrap round 2³², the differences do not). A cell that
 * only one side reads and writes (the ends, the byte count of puts, what each side last saw of the
 * other's count) is read and written plainly, under that side's lock, like the ring's bytes. The
 * counts the other side reads are published with an atomic store, in an order that keeps its view
 * safe: a put writes the record's bytes, then stores `PUTS`, so a get that sees the new count finds
 * a whole record at `HEAD`; a get reads the record, then stores `GET_BYTES` and `GETS`, so a put
 * never counts on bytes or places not yet free (its view of them may be old, never ahead). Each
 * side reads the other's count only when what it saw last says "empty" (a get) or "full" (a put),
 * so a busy producer and consumer on two cores do not pull each other's cache lines back and
 * forth with every item (the bench's 1 → 1 rate with shared counts changed by atomic add and
 * subtract: 1,660 k small items/s; see bench/README.md for the rate now). Atomic stores and loads
 * order the plain accesses around them (JavaScript's atomics are sequentially consistent and
 * synchronize, as C++'s `seq_cst`).
 *
 * Why locks at all and not a lock-free ring: items have any size, and many producers and many
 * consumers share one ring (ringbuf.js, the lock-free one, is one producer and one consumer); a put
 * must find room, copy its record and move the tail as one step, which lock-free needs a
 * reservation protocol for. The locks are the library's own (robust: a holder that dies is
 * reported, not waited for), each critical section a `memcpy` and a few cells: an item is encoded
 * before the write lock is taken, and decoded after the read lock is released, except a string,
 * whose decoding is the one copy out of the ring (see {@link Channel.getLocked}).
 *
 * Waiting is futex-style on two sequence cells, not on a `Condition` (whose 64 waiter slots cost
 * every notify a scan). A getter that found the queue empty reads `PUT_SEQ`, then says it will
 * sleep (adds one to `GET_WAITS`), looks once more, and sleeps on `PUT_SEQ` while it has not moved.
 * A put stores its count, then reads `GET_WAITS`, and only if it moved since the last put that woke
 * getters adds one to `PUT_SEQ` and wakes every sleeping getter. No lost wake-up (Dekker's pattern
 * on sequentially consistent atomics): if the second look missed the item, the put read
 * `GET_WAITS` after the getter's word, and then either it moves `PUT_SEQ` or an earlier put that
 * read the same word did; either move comes after the getter read `PUT_SEQ`, so its sleep returns
 * at once or is woken. (Saying the word before reading `PUT_SEQ` is wrong: an earlier put could
 * then read the word and move `PUT_SEQ` before the getter read it, for an item the getter had
 * already taken, and the next put would wake nobody. The explorer found that schedule.) Nothing is
 * paid while nobody sleeps, and `notify` once per sleep, not at every put while a woken getter
 * gets going: a wake-up takes tens of microseconds, and counting sleepers instead, a producer
 * called `notify` at 27 puts in a row for each sleep of its consumer. A getter woken for nothing
 * says so again before it sleeps again. Putters sleep on `GET_SEQ` the same way while the queue is
 * full; a close moves both sequence cells.
 *
 * Every cell that both sides touch is read and written through `atomics` (src/atomics.ts), so
 * `mp.explore` schedules each step; the cells one side keeps to itself, and the ring's bytes, are
 * plain, made while holding that side's lock.
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
import { MAY_BLOCK, OWNER_TAG, refuseBlockingOnMainThread } from "../thread";
import { remaining } from "../waiting";
import { itemAt, itemBytes, mostStringItemBytes, type Outgoing } from "./codec";
import { recordBytes, Ring } from "./ring";

// The cells, in four cache lines of 64 bytes (16 cells each): the puts' books, the gets' books, the
// sleepers (written only when someone sleeps), and what is set once or rarely.

/** How many items were ever put (wrapping round 2³²): stored by a put, read by a get that saw none. */
const PUTS = 0;
/** How many bytes of records were ever put (wrapping): only puts use it (plain). */
const PUT_BYTES = 1;
/** Where the next record goes, in bytes from the ring's start: only puts use it (plain). */
const TAIL = 2;
/** What puts last read of `GETS` (plain): a put reads `GETS` again only when this says full. */
const SEEN_GETS = 3;
/** What puts last read of `GET_BYTES` (plain): read again only when this says the ring is full. */
const SEEN_GET_BYTES = 4;
/** `GET_WAITS` as the last put that woke getters read it (plain). */
const WOKEN_GET_WAITS = 5;
/** How many items were ever taken (wrapping): stored by a get, read by a put that saw the queue full. */
const GETS = 16;
/** How many bytes of records were ever taken (wrapping): stored by a get, read by a put that saw no room. */
const GET_BYTES = 17;
/** Where the oldest record starts, in bytes from the ring's start: only gets use it (plain). */
const HEAD = 18;
/** What gets last read of `PUTS` (plain): a get reads `PUTS` again only when this says empty. */
const SEEN_PUTS = 19;
/** `PUT_WAITS` as the last get that woke putters read it (plain). */
const WOKEN_PUT_WAITS = 20;
/** Moved by a put (and a close) when a getter sleeps: getters sleep on it. */
const PUT_SEQ = 32;
/** Moved by a get (and a close) when a putter sleeps: putters sleep on it. */
const GET_SEQ = 33;
/** How many times a getter said it would sleep on `PUT_SEQ` (counted up, wrapping). */
const GET_WAITS = 34;
/** How many times a putter said it would sleep on `GET_SEQ` (counted up, wrapping). */
const PUT_WAITS = 35;
/** The most items (0: no limit but the ring's bytes); set once, at the start. */
const MAXSIZE = 48;
/** A `JoinableQueue`'s items put and not yet marked done. */
export const UNFINISHED = 49;
/** A pipe's ends that were closed: {@link WRITER_CLOSED} and {@link READER_CLOSED}. */
const CLOSED = 50;
/** The kind mark (see kind-mark.ts). */
const KIND_MARK = 51;
/** The thread that first closed the sending end ({@link OWNER_TAG}: its `threadId + 1`), 0 while open. */
const WRITER_CLOSER = 52;
/** The thread that first closed the receiving end, 0 while open. */
const READER_CLOSER = 53;
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

/**
 * What a put did: `"sent"`, found no room (`"full"`), found the reader gone (`"broken"`), or found
 * its own sending end closed, in any thread (`"closed"`).
 */
export type PutResult = "sent" | "full" | "broken" | "closed";
/** What a get finds when there is no item yet. */
export const EMPTY: unique symbol = Symbol("empty");
/** What a get finds when there is no item and never will be (a pipe whose sending end was closed). */
export const EOF: unique symbol = Symbol("eof");
/** What a get finds when its own receiving end was closed, in any thread (a pipe's). */
export const CLOSED_END: unique symbol = Symbol("closed end");
/** What `getLocked` answers when there is no item yet. */
const NONE = -1;
/** What `getLocked` answers when there is no item and never will be. */
const ENDED = -2;
/** What `getLocked` answers when it decoded the item already (a string). */
const DECODED = -3;
/** What `getLocked` answers when the receiving end was closed. */
const SHUT = -4;
/** What a get found: the item (a copy of what was put), {@link EMPTY}, {@link EOF} or {@link CLOSED_END}. */
export type GetResult = unknown;

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
  /** The ring of bytes (in the same `buffer`, after the cells). */
  private readonly ring: Ring;
  /** This thread's scratch, where the last get copied its item's bytes (see ring.ts). */
  private copied: Uint8Array = new Uint8Array(0);
  /** The item the last get decoded where it lay, until it is handed out. */
  private decoded: unknown = undefined;

  /**
   * @param locks - the channel's two locks.
   * @param cells - its cells, from {@link freshCells} or {@link rebuiltParts}.
   */
  protected constructor(locks: ChannelLocks, cells: Int32Array) {
    super(cells);
    this.readLock = locks.read;
    this.writeLock = locks.write;
    this.ring = new Ring(this.buffer, RING_START, this.buffer.byteLength - RING_START);
  }

  protected abstract override get kind(): QueueKind;

  /** The most items it holds (0: no limit but its bytes), as given when it was made. */
  get maxsize(): number {
    return this.cells[MAXSIZE];
  }

  /** The bytes of its ring. */
  get ringBytes(): number {
    return this.ring.size;
  }

  /**
   * How many items are in it now: approximate, as other threads may put or get meanwhile (never
   * below 0, nor above `maxsize`).
   */
  protected items(): number {
    const gets = atomics.load(this.cells, GETS);
    const n = (atomics.load(this.cells, PUTS) - gets) | 0;
    const maxsize = this.cells[MAXSIZE];
    return maxsize > 0 && n > maxsize ? maxsize : n;
  }

  /** Which ends were closed ({@link WRITER_CLOSED}, {@link READER_CLOSED}). */
  protected closedEnds(): number {
    return atomics.load(this.cells, CLOSED);
  }

  /**
   * The item to put, checked to fit the ring some day: as it is, or a string's bytes if the most
   * bytes it could take would not fit (it may still, put as bytes).
   *
   * @param keep - whether the bytes must outlive an `await` (codec.ts, `itemBytes`).
   * @throws RangeError naming its size and the ring's, and how to make a bigger ring.
   */
  private fitting(item: Outgoing, where: string, keep: boolean): Outgoing {
    if (typeof item === "string") {
      if (recordBytes(mostStringItemBytes(item)) <= this.ring.size) return item;
      item = itemBytes(item, where, keep);
    }
    const size = recordBytes(item.length);
    if (size > this.ring.size) {
      throw new RangeError(
        `${where}: the item takes ${item.length} bytes serialized (${size} in the ring), more than this ${this.kind}'s ring of ${this.ring.size} bytes can ever hold. ` +
          `Make it with room for it, e.g. new mp.${this.kind === "Channel" ? "Pipe(true" : `${this.kind}(0`}, { bytes: ${2 ** Math.ceil(Math.log2(2 * size))} }), ` +
          `or send smaller pieces. Nothing was put; it works on.`,
      );
    }
    return item;
  }

  /** Whether its ends can be closed (a pipe's): a queue's cannot, and skips looking. */
  protected hasEnds(): boolean {
    return false;
  }

  /** Called with the write lock held as an item goes in, before getters can see it (a JoinableQueue counts it). */
  protected onPut(): void {}

  /**
   * With the write lock held: puts the item if there is room. It counts on what it last saw of the
   * gets' counts, and reads them again only when that says "full": they only grow meanwhile (a get
   * frees bytes and places after it read its record), so an old view is never ahead.
   *
   * A long string is written straight into the ring, when the most bytes it could take fit before
   * the ring's end and within the room it already knows of; else (or for a string with a lone
   * surrogate) it is encoded here and put as bytes. Writing it in place saves a copy of every byte
   * into the scratch buffer and one out of it; the producer is the slower side of a stream of 1 kB
   * strings (bench/README.md, "Measured a third time": 1 → 1 from 1,010–1,250 to 1,540–1,910 k/s).
   */
  protected putLocked(item: Outgoing): PutResult {
    const cells = this.cells;
    if (this.hasEnds()) {
      const closed = atomics.load(cells, CLOSED);
      if ((closed & WRITER_CLOSED) !== 0) return "closed";
      if ((closed & READER_CLOSED) !== 0) return "broken";
    }
    const puts = cells[PUTS];
    const maxsize = cells[MAXSIZE];
    if (maxsize > 0 && ((puts - cells[SEEN_GETS]) | 0) >= maxsize) {
      cells[SEEN_GETS] = atomics.load(cells, GETS);
      if (((puts - cells[SEEN_GETS]) | 0) >= maxsize) return "full";
    }
    const putBytes = cells[PUT_BYTES];
    const tail = cells[TAIL];
    let size = typeof item === "string" ? this.writeInPlace(item, tail, putBytes) : -1;
    if (size < 0) {
      const bytes = typeof item === "string" ? itemBytes(item, `${this.kind}.put()`) : item;
      size = recordBytes(bytes.length);
      if (!this.hasRoom(putBytes, size)) return "full";
      this.ring.write(tail, bytes);
    }
    cells[TAIL] = this.ring.advance(tail, size);
    cells[PUT_BYTES] = putBytes + size;
    this.onPut();
    // The record is whole: count it, which a get looks at first.
    atomics.store(cells, PUTS, puts + 1);
    this.wakeGetter();
    return "sent";
  }

  /**
   * With the write lock held: whether a record of `size` bytes fits in the ring after `putBytes`
   * bytes were put. It counts on the gets' byte count as last seen, and reads it again only when
   * that says no.
   */
  private hasRoom(putBytes: number, size: number): boolean {
    const cells = this.cells;
    const room = this.ring.size - size;
    if (((putBytes - cells[SEEN_GET_BYTES]) | 0) <= room) return true;
    cells[SEEN_GET_BYTES] = atomics.load(cells, GET_BYTES);
    return ((putBytes - cells[SEEN_GET_BYTES]) | 0) <= room;
  }

  /**
   * With the write lock held, for {@link Channel.putLocked}: writes the record of string `s` at
   * `tail` if the most bytes it could take fit, before the ring's end and in its room.
   *
   * @returns the bytes of the record written, or -1 if it was not written (then it is put as bytes).
   */
  private writeInPlace(s: string, tail: number, putBytes: number): number {
    const most = recordBytes(mostStringItemBytes(s));
    if (tail + most > this.ring.size || !this.hasRoom(putBytes, most)) return -1;
    const n = this.ring.writeString(tail, s);
    return n < 0 ? -1 : recordBytes(n);
  }

  /** After a put: wakes every sleeping getter, if one said it would sleep since the last put that woke them. */
  protected wakeGetter(): void {
    this.wake(GET_WAITS, WOKEN_GET_WAITS, PUT_SEQ);
  }

  /**
   * Wakes every thread sleeping on `seq` if one said it would sleep (counted up `waits`) since the
   * last wake, which `woken` remembers (a plain cell of the waker's side, under its lock).
   */
  private wake(waits: number, woken: number, seq: number): void {
    const cells = this.cells;
    const said = atomics.load(cells, waits);
    if (said !== cells[woken]) {
      cells[woken] = said;
      atomics.add(cells, seq, 1);
      atomics.notify(cells, seq);
    }
  }

  /**
   * With the read lock held: takes the oldest item if there is one. Its bytes are copied into this
   * thread's scratch ({@link Channel.copied}), to be decoded once the lock is released, so that
   * other getters wait for a copy, not for the decoding (which makes objects: 4 → 4 small items
   * ran at 0.8 of the rate when decoded under the lock); a string is decoded where it lies
   * ({@link Channel.decoded}), as decoding it is one copy, which copying it out first would double
   * (1 kB strings 4 → 4: 1.3× the rate). It counts on what it last saw of `PUTS`, and reads it
   * again only when that says "empty": it only grows meanwhile (a put counts an item once its
   * record is whole).
   *
   * @returns the item's length in bytes (copied), {@link DECODED}, {@link NONE}, {@link ENDED} (a
   *   pipe whose sending end was closed) or {@link SHUT} (its receiving end was), both only once
   *   there is no item: a closed receiving end is refused before the get (connection.ts).
   */
  protected getLocked(): number {
    const cells = this.cells;
    const gets = cells[GETS];
    if (cells[SEEN_PUTS] === gets) {
      cells[SEEN_PUTS] = atomics.load(cells, PUTS);
      if (cells[SEEN_PUTS] === gets) {
        if (!this.hasEnds()) return NONE;
        const closed = atomics.load(cells, CLOSED);
        if ((closed & READER_CLOSED) !== 0) return SHUT;
        if ((closed & WRITER_CLOSED) === 0) return NONE;
        if (this.noneSinceClose(gets)) return ENDED;
      }
    }
    const ring = this.ring;
    const head = cells[HEAD];
    const length = ring.length(head);
    try {
      if (!ring.holdsString(head)) {
        this.copied = ring.copyOut(head, length);
        return length;
      }
      this.decoded = ring.read(head, length, itemAt);
      return DECODED;
    } finally {
      // Taken even if it could not be read (it would fail again): the error says why.
      this.took(head, recordBytes(length), gets);
    }
  }

  /**
   * With the read lock held, once a get found no item and then the sending end closed: whether
   * there is still no item. One put before the close may have counted its item after the get's
   * first look, so it looks again: the end only if not (a copy that does not look again is
   * test/mutants/pipe-early-eof.ts, which loses that item).
   *
   * @param gets - the items taken so far.
   */
  protected noneSinceClose(gets: number): boolean {
    const cells = this.cells;
    cells[SEEN_PUTS] = atomics.load(cells, PUTS);
    return cells[SEEN_PUTS] === gets;
  }

  /** What `getLocked` answered, with an item copied out decoded now (into {@link Channel.decoded}). */
  private decodedNow(got: number): number {
    if (got < 0) return got;
    this.decoded = itemAt(this.copied, 0, got);
    return DECODED;
  }

  /** What a get found, the read lock released: the item (decoded now, from this thread's scratch, unless it was already), {@link EMPTY}, {@link EOF} or {@link CLOSED_END}. */
  private found(got: number): GetResult {
    if (got >= 0) return itemAt(this.copied, 0, got);
    if (got === DECODED) {
      const item = this.decoded;
      this.decoded = undefined;
      return item;
    }
    return got === NONE ? EMPTY : got === ENDED ? EOF : CLOSED_END;
  }

  /**
   * With the read lock held, after the record at `head` was read: moves the head past it, frees its
   * bytes and its place (a put may reuse them at once), and wakes every sleeping putter if one said
   * it would sleep since the last get that woke them.
   *
   * @param gets - the items taken before this one.
   */
  protected took(head: number, size: number, gets: number): void {
    const cells = this.cells;
    cells[HEAD] = this.ring.advance(head, size);
    atomics.store(cells, GET_BYTES, cells[GET_BYTES] + size);
    atomics.store(cells, GETS, gets + 1);
    this.wake(PUT_WAITS, WOKEN_PUT_WAITS, GET_SEQ);
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
   * Before a try that may be followed by a sleep on `seq`: reads `seq`, then says this thread will
   * sleep (adds one to `waits`), in that order (the header explains why not the other way round).
   *
   * @returns the value of `seq` to sleep on.
   */
  protected sayWillSleep(waits: number, seq: number): number {
    const seen = atomics.load(this.cells, seq);
    atomics.add(this.cells, waits, 1);
    return seen;
  }

  /**
   * After a first try found nothing: tries again and again, sleeping between tries (without
   * `lock`, if one is held), until a try finds something or `deadline` passes. Before each try it
   * says it will sleep ({@link Channel.sayWillSleep}); it sleeps only while `seq` has not moved since.
   *
   * @param lock - the lock held around each try, or null (a pipe's `poll` takes none).
   * @param nothing - what a try that found nothing answers.
   * @returns what the last try answered.
   */
  private sleepUntil<T>(lock: Lock | null, waits: number, seq: number, nothing: T, deadline: number, attempt: () => T): T {
    for (;;) {
      const seen = this.sayWillSleep(waits, seq);
      const result = attempt();
      const left = result === nothing ? remaining(deadline) : 0;
      if (left === 0) return result;
      lock?.release();
      try {
        atomics.wait(this.cells, seq, seen, left);
      } finally {
        lock?.acquire();
      }
    }
  }

  /** Like {@link Channel.sleepUntil}, without blocking the thread. */
  private async sleepUntilAsync<T>(lock: Lock | null, waits: number, seq: number, nothing: T, deadline: number, attempt: () => T): Promise<T> {
    for (;;) {
      const seen = this.sayWillSleep(waits, seq);
      const result = attempt();
      const left = result === nothing ? remaining(deadline) : 0;
      if (left === 0) return result;
      lock?.release();
      try {
        await atomics.waitAsync(this.cells, seq, seen, left);
      } finally {
        if (lock !== null) await lock.acquireAsync();
      }
    }
  }

  /**
   * Puts `put` (an item's bytes, or a long string: codec.ts, `outgoing`), waiting for room while `block` (at most `ms`).
   *
   * @param where - the call, for messages; `instead` - what to call on the main thread.
   * @throws BlockingCallError for a blocking put on the main thread.
   */
  protected send(put: Outgoing, block: boolean, ms: number, where: string, instead: string): PutResult {
    const item = this.fitting(put, where, false);
    const wait = block && ms > 0;
    if (wait) refuseBlockingOnMainThread(where, instead);
    const deadline = Channel.deadline(wait, ms);
    if (!Channel.enter(this.writeLock)) return "full";
    try {
      const result = this.putLocked(item);
      if (result !== "full" || !wait) return result;
      return this.sleepUntil(this.writeLock, PUT_WAITS, GET_SEQ, "full", deadline, () => this.putLocked(item));
    } finally {
      this.writeLock.release();
    }
  }

  /** Like {@link Channel.send} with `block`, without blocking the thread. */
  protected async sendAsync(put: Outgoing, ms: number, where: string): Promise<PutResult> {
    const item = this.fitting(put, where, true);
    const deadline = Channel.deadline(true, ms);
    await this.writeLock.acquireAsync();
    try {
      const result = this.putLocked(item);
      if (result !== "full") return result;
      return await this.sleepUntilAsync(this.writeLock, PUT_WAITS, GET_SEQ, "full", deadline, () => this.putLocked(item));
    } finally {
      this.writeLock.release();
    }
  }

  /**
   * Takes the oldest item, waiting for one while `block` (at most `ms`).
   *
   * @returns the item (a copy), {@link EMPTY} or {@link EOF}.
   * @throws BlockingCallError for a blocking get on the main thread.
   */
  protected receive(block: boolean, ms: number, where: string, instead: string): GetResult {
    const wait = block && ms > 0;
    if (wait) refuseBlockingOnMainThread(where, instead);
    const deadline = Channel.deadline(wait, ms);
    if (!Channel.enter(this.readLock)) return EMPTY;
    let got: number;
    try {
      got = this.getLocked();
      if (got === NONE && wait) got = this.sleepUntil(this.readLock, GET_WAITS, PUT_SEQ, NONE, deadline, () => this.getLocked());
    } finally {
      this.readLock.release();
    }
    return this.found(got);
  }

  /** Like {@link Channel.receive} with `block`, without blocking the thread. */
  protected async receiveAsync(ms: number): Promise<GetResult> {
    const deadline = Channel.deadline(true, ms);
    await this.readLock.acquireAsync();
    let got: number;
    try {
      got = this.getLocked();
      // An item found after an await is decoded at once: before this call resumes, another get in
      // this thread (on another queue) may copy its item into the same scratch.
      if (got === NONE) got = await this.sleepUntilAsync(this.readLock, GET_WAITS, PUT_SEQ, NONE, deadline, () => this.decodedNow(this.getLocked()));
    } finally {
      this.readLock.release();
    }
    return this.found(got);
  }

  /**
   * Waits (at most `ms`) until an item is there or an end is closed, without taking it: a pipe's
   * `poll`. Takes no lock: it sleeps as a getter does, holding nothing.
   *
   * @returns whether an item (or an end's close: a get would not wait either) is there.
   */
  protected ready(ms: number, where: string, instead: string): boolean {
    if (ms > 0) refuseBlockingOnMainThread(where, instead);
    if (this.readyNow()) return true;
    return ms > 0 && this.sleepUntil(null, GET_WAITS, PUT_SEQ, false, atomics.now() + ms, () => this.readyNow());
  }

  /** Like {@link Channel.ready}, without blocking the thread. */
  protected async readyAsync(ms: number): Promise<boolean> {
    if (this.readyNow()) return true;
    return ms > 0 && this.sleepUntilAsync(null, GET_WAITS, PUT_SEQ, false, atomics.now() + ms, () => this.readyNow());
  }

  /** Whether an item, or an end's close (then a get does not wait either), is there now. */
  private readyNow(): boolean {
    return this.items() > 0 || this.closedEnds() !== 0;
  }

  /**
   * Marks an end closed, for every thread, and wakes everyone waiting on the channel to see it.
   * Takes no lock (it works on the main thread): the closer's thread is noted if it is the first,
   * the bit is set with a compare-exchange, then both sequence cells move, so a sleeper that looked
   * before the bit was set wakes.
   */
  protected closeEnd(bit: number): void {
    const cells = this.cells;
    atomics.compareExchange(cells, Channel.closerCell(bit), 0, OWNER_TAG);
    for (;;) {
      const seen = atomics.load(cells, CLOSED);
      if ((seen & bit) !== 0 || atomics.compareExchange(cells, CLOSED, seen, seen | bit) === seen) break;
    }
    atomics.add(cells, PUT_SEQ, 1);
    atomics.add(cells, GET_SEQ, 1);
    atomics.notify(cells, PUT_SEQ);
    atomics.notify(cells, GET_SEQ);
  }

  /** Whether end `bit` ({@link WRITER_CLOSED} or {@link READER_CLOSED}) was first closed by this thread. */
  protected closedByThisThread(bit: number): boolean {
    return atomics.load(this.cells, Channel.closerCell(bit)) === OWNER_TAG;
  }

  /** The cell that notes who first closed end `bit`. */
  private static closerCell(bit: number): number {
    return bit === WRITER_CLOSED ? WRITER_CLOSER : READER_CLOSER;
  }

  /** What it travels as: its memory and its two locks. */
  protected override describe(seen: Encoded): QueueDescriptor {
    return { $shared: this.kind, buffer: this.buffer, readLock: encodeShared(this.readLock, seen), writeLock: encodeShared(this.writeLock, seen) };
  }
}
