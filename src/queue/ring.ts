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

/**
 * Copies `bytes` into the ring at `at`, wrapping round its end. One `set` where it fits (measured on
 * 25 bytes: 19 ns, a loop byte by byte 53 ns); the views for two only when it wraps.
 */
function copyIn(ring: Uint8Array, at: number, bytes: Uint8Array): void {
  const first = ring.length - at;
  if (bytes.length <= first) {
    ring.set(bytes, at);
    return;
  }
  ring.set(bytes.subarray(0, first), at);
  ring.set(bytes.subarray(first), 0);
}

/**
 * This thread's scratch for items copied out of a ring, and for a record that wraps round the
 * ring's end (its two pieces put together): no allocation per item (a module is loaded once per
 * thread, so every queue of the thread shares it: an item copied here must be decoded before the
 * thread copies another).
 */
let scratch = new Uint8Array(4096);

/** Writes the header of a record whose item is `n` bytes at `at`, wrapping round the ring's end. */
export function writeHeader(ring: Uint8Array, at: number, n: number): void {
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
}

/** Writes one record (header and item) at `at`: it takes `HEADER_BYTES + item.length` bytes. */
export function writeRecord(ring: Uint8Array, at: number, item: Uint8Array): void {
  writeHeader(ring, at, item.length);
  copyIn(ring, advance(at, HEADER_BYTES, ring.length), item);
}

/** The length of the item in the record at `at`, from its header. */
export function recordLength(ring: Uint8Array, at: number): number {
  const size = ring.length;
  if (at + HEADER_BYTES <= size) return (ring[at] | (ring[at + 1] << 8) | (ring[at + 2] << 16) | (ring[at + 3] << 24)) >>> 0;
  let n = 0;
  for (let i = HEADER_BYTES - 1; i >= 0; i--) n = (n << 8) | ring[(at + i) % size];
  return n >>> 0;
}

/**
 * Copies the item of the record at `at` (`length` bytes) into this thread's scratch, wrapping round
 * the ring's end, and returns the scratch (the item is its first `length` bytes, good until this
 * thread's next copy). Copied, so that it is decoded after the lock is released: other getters
 * wait only for the copy.
 */
export function copyRecord(ring: Uint8Array, at: number, length: number): Uint8Array {
  const start = advance(at, HEADER_BYTES, ring.length);
  if (scratch.length < length) scratch = new Uint8Array(2 ** Math.ceil(Math.log2(length)));
  const first = ring.length - start;
  if (length <= first) {
    scratch.set(ring.subarray(start, start + length), 0);
  } else {
    scratch.set(ring.subarray(start, ring.length), 0);
    scratch.set(ring.subarray(0, length - first), first);
  }
  return scratch;
}

/**
 * Reads the item of the record at `at` (whose item is `length` bytes) with `read`, in place: no
 * copy, unless the record wraps round the ring's end (then its pieces are put together in this
 * thread's scratch first). `read` must be done with the bytes when it returns: they are the ring's,
 * and a put may reuse them once the get frees them.
 */
export function readRecord<T>(ring: Uint8Array, at: number, length: number, read: (bytes: Uint8Array, start: number, length: number) => T): T {
  const start = advance(at, HEADER_BYTES, ring.length);
  return length <= ring.length - start ? read(ring, start, length) : read(copyRecord(ring, at, length), 0, length);
}
