/**
 * The ring of bytes the items live in: records of a 4-byte length (little-endian) and the item's
 * bytes, written one after another from the tail and read from the head, wrapping round the end.
 * Plain copies, not atomic: the channel holds its lock around every one (see channel.ts).
 *
 * @packageDocumentation
 */

/** The bytes a record takes in the ring: its length header and its item. */
export const HEADER_BYTES = 4;

/**
 * The place `by` bytes after `at` in a ring of `size` bytes (`by` at most `size`): no remainder
 * taken, which costs more than writing a small record's header.
 */
export function advance(at: number, by: number, size: number): number {
  const end = at + by;
  return end < size ? end : end - size;
}

/** Records up to this many bytes are copied byte by byte: cheaper than making the views `set` needs. */
const SMALL = 64;

/** Copies `bytes` into the ring at `at`, wrapping round its end. */
function copyIn(ring: Uint8Array, at: number, bytes: Uint8Array): void {
  const n = bytes.length;
  if (n <= SMALL && at + n <= ring.length) {
    for (let i = 0; i < n; i++) ring[at + i] = bytes[i];
    return;
  }
  const first = Math.min(bytes.length, ring.length - at);
  ring.set(first === bytes.length ? bytes : bytes.subarray(0, first), at);
  if (first < bytes.length) ring.set(bytes.subarray(first), 0);
}

/**
 * This thread's scratch for items read out of a ring, reused by every read that need not keep its
 * bytes (a module is loaded once per thread): no allocation per item. Bigger than 64 bytes, so V8
 * keeps its memory off its heap, and no `.buffer` has to be made for it later.
 */
let scratch = new Uint8Array(4096);

/** Copies `length` bytes out of the ring from `at`, wrapping round its end: into a fresh array if `keep`, else into the scratch. */
function copyOut(ring: Uint8Array, at: number, length: number, keep: boolean): Uint8Array {
  let out: Uint8Array;
  if (keep) {
    out = new Uint8Array(length);
  } else {
    if (scratch.length < length) scratch = new Uint8Array(2 ** Math.ceil(Math.log2(length)));
    out = scratch.subarray(0, length);
  }
  if (length <= SMALL && at + length <= ring.length) {
    for (let i = 0; i < length; i++) out[i] = ring[at + i];
    return out;
  }
  const first = Math.min(length, ring.length - at);
  out.set(first === length ? ring.subarray(at, at + length) : ring.subarray(at, ring.length), 0);
  if (first < length) out.set(ring.subarray(0, length - first), first);
  return out;
}

/**
 * Writes one record (header and item) at `at`.
 *
 * @returns how many bytes it took.
 */
export function writeRecord(ring: Uint8Array, at: number, item: Uint8Array): number {
  const n = item.length;
  const size = ring.length;
  if (at + HEADER_BYTES <= size) {
    // Not at the ring's end (nearly always): no remainder to take, which costs more than the rest.
    ring[at] = n & 0xff;
    ring[at + 1] = (n >>> 8) & 0xff;
    ring[at + 2] = (n >>> 16) & 0xff;
    ring[at + 3] = n >>> 24;
  } else {
    for (let i = 0; i < HEADER_BYTES; i++) ring[(at + i) % size] = (n >>> (8 * i)) & 0xff;
  }
  copyIn(ring, advance(at, HEADER_BYTES, size), item);
  return HEADER_BYTES + n;
}

/**
 * Reads the record at `at`: its item's bytes (a copy), and how many bytes the record took.
 *
 * @param keep - whether the copy must outlive the next read in this thread (across an `await`):
 *   else it is a view of this thread's scratch, good until the next read.
 */
export function readRecord(ring: Uint8Array, at: number, keep: boolean): { item: Uint8Array; size: number } {
  const size = ring.length;
  let n = 0;
  if (at + HEADER_BYTES <= size) {
    n = (ring[at] | (ring[at + 1] << 8) | (ring[at + 2] << 16) | (ring[at + 3] << 24)) >>> 0;
  } else {
    for (let i = HEADER_BYTES - 1; i >= 0; i--) n = (n << 8) | ring[(at + i) % size];
    n >>>= 0;
  }
  return { item: copyOut(ring, advance(at, HEADER_BYTES, size), n, keep), size: HEADER_BYTES + n };
}
