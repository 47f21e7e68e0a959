/**
 * The ring of bytes the items live in: records of a 4-byte length and the item's bytes, written one
 * after another from the tail and read from the head, wrapping round the end. Plain copies, not
 * atomic: the channel holds its lock around every one (see channel.ts).
 *
 * Every record starts at a multiple of 4 bytes (its item is padded to one), so that its header is
 * one `Int32` and a small item is copied a word at a time: 7 words for a 25-byte item take some
 * 8 ns, where `Uint8Array.set` from a `subarray` takes 50 (a view made, a call into V8's copy for
 * shared memory) and a loop byte by byte 35 (`node` micro-benchmarks on 2 cores, 2026-12-04). A
 * record never wraps inside a word, as the ring's size is a multiple of 4 too.
 *
 * @packageDocumentation
 */
import { isStringItem, writeStringItem } from "./codec";

/** The bytes of a record's header: the item's length, one `Int32` (in the machine's byte order, which every thread of a process shares). */
export const HEADER_BYTES = 4;

/** Items up to this many bytes are copied a word at a time; longer ones by `Uint8Array.set`, which copies 1 kB in 100 ns where words take 450. */
const WORD_COPY_MOST = 256;

/** The bytes a record of an `n`-byte item takes in the ring: its header and the item, padded to a multiple of 4. */
export function recordBytes(n: number): number {
  return HEADER_BYTES + ((n + 3) & ~3);
}

/** The words of a `Uint8Array` that starts at a multiple of 4 in its memory (the last one's words are kept: the encoder's scratch, nearly always). */
let wordsBuffer: ArrayBufferLike | null = null;
let wordsView = new Int32Array(0);

/** The memory of `bytes` as words (from its start), or null if `bytes` does not start on a word. */
function wordsOf(bytes: Uint8Array): Int32Array | null {
  if ((bytes.byteOffset & 3) !== 0) return null;
  if (bytes.buffer !== wordsBuffer) {
    wordsBuffer = bytes.buffer;
    wordsView = new Int32Array(bytes.buffer, 0, bytes.buffer.byteLength >> 2);
  }
  return wordsView;
}

/**
 * This thread's scratch for items copied out of a ring, and for a record that wraps round the
 * ring's end (its two pieces put together): no allocation per item (a module is loaded once per
 * thread, so every queue of the thread shares it: an item copied here must be decoded before the
 * thread copies another).
 */
let scratch = new Uint8Array(4096);
let scratchWords = new Int32Array(scratch.buffer);

/** The ring of one channel: views of its bytes, and the records' reading and writing. */
export class Ring {
  /** The bytes. */
  private readonly bytes: Uint8Array;
  /** The same bytes as words. */
  private readonly words: Int32Array;
  /** The same bytes as a `Buffer`, which a long string is written into by Node's own UTF-8 write. */
  private readonly buffer: Buffer;
  /** Its size in bytes (a multiple of 4). */
  readonly size: number;

  /**
   * @param memory - the channel's memory; `start` and `size` (multiples of 4) - where the ring is in it.
   */
  constructor(memory: SharedArrayBuffer, start: number, size: number) {
    this.bytes = new Uint8Array(memory, start, size);
    this.words = new Int32Array(memory, start, size >> 2);
    this.buffer = Buffer.from(memory, start, size);
    this.size = size;
  }

  /** The place `by` bytes after `at` (`by` at most the size): no remainder taken, which costs more than copying a small record. */
  advance(at: number, by: number): number {
    const end = at + by;
    return end < this.size ? end : end - this.size;
  }

  /** Writes the record of `item` at `at`: it takes {@link recordBytes}`(item.length)` bytes. */
  write(at: number, item: Uint8Array): void {
    const n = item.length;
    this.words[at >> 2] = n;
    const start = this.advance(at, HEADER_BYTES);
    const from = n <= WORD_COPY_MOST ? wordsOf(item) : null;
    if (from !== null) {
      // Whole words, then the last 0–3 bytes one by one (the source may end inside a word).
      const whole = n >> 2;
      const first = item.byteOffset >> 2;
      const words = this.words;
      const last = words.length;
      let w = start >> 2;
      for (let i = 0; i < whole; i++) {
        words[w] = from[first + i];
        if (++w === last) w = 0;
      }
      for (let i = whole << 2; i < n; i++) this.bytes[(w << 2) + (i & 3)] = item[i];
      return;
    }
    const room = this.size - start;
    if (n <= room) {
      this.bytes.set(item, start);
    } else {
      this.bytes.set(item.subarray(0, room), start);
      this.bytes.set(item.subarray(room), 0);
    }
  }

  /**
   * Writes the record of string `s` at `at`, straight from the string: the caller has made sure
   * that the most bytes it could take (codec.ts, `mostStringItemBytes`) fit before the ring's end.
   *
   * @returns the bytes of its item, or -1 if it was not written (then put it as bytes).
   */
  writeString(at: number, s: string): number {
    const n = writeStringItem(this.buffer, at + HEADER_BYTES, s);
    if (n >= 0) this.words[at >> 2] = n;
    return n;
  }

  /** The length of the item in the record at `at`, from its header. */
  length(at: number): number {
    return this.words[at >> 2];
  }

  /**
   * Copies the item of the record at `at` (`length` bytes) into this thread's scratch, wrapping
   * round the ring's end, and returns the scratch (the item is its first `length` bytes, good until
   * this thread's next copy). Copied, so that it is decoded after the lock is released: other
   * getters wait only for the copy.
   */
  copyOut(at: number, length: number): Uint8Array {
    const start = this.advance(at, HEADER_BYTES);
    if (scratch.length < length + 3) {
      scratch = new Uint8Array(2 ** Math.ceil(Math.log2(length + 3)));
      scratchWords = new Int32Array(scratch.buffer);
    }
    if (length <= WORD_COPY_MOST) {
      // Whole words, the padding of the last one too: it is the record's.
      const words = this.words;
      const last = words.length;
      let w = start >> 2;
      for (let i = 0, end = (length + 3) >> 2; i < end; i++) {
        scratchWords[i] = words[w];
        if (++w === last) w = 0;
      }
      return scratch;
    }
    const first = this.size - start;
    if (length <= first) {
      scratch.set(this.bytes.subarray(start, start + length), 0);
    } else {
      scratch.set(this.bytes.subarray(start, this.size), 0);
      scratch.set(this.bytes.subarray(0, length - first), first);
    }
    return scratch;
  }

  /**
   * Reads the item of the record at `at` (whose item is `length` bytes) with `read`, in place: no
   * copy, unless the record wraps round the ring's end (then its pieces are put together in this
   * thread's scratch first). `read` must be done with the bytes when it returns: they are the
   * ring's, and a put may reuse them once the get frees them.
   */
  read<T>(at: number, length: number, read: (bytes: Uint8Array, start: number, length: number) => T): T {
    const start = this.advance(at, HEADER_BYTES);
    return length <= this.size - start ? read(this.bytes, start, length) : read(this.copyOut(at, length), 0, length);
  }

  /** Whether the record at `at` holds a string (which a get decodes where it lies). */
  holdsString(at: number): boolean {
    return isStringItem(this.bytes, this.advance(at, HEADER_BYTES));
  }
}
