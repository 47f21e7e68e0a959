/**
 * The ring of bytes the items live in: records of a 4-byte length (little-endian) and the item's
 * bytes, written one after another from the tail and read from the head, wrapping round the end.
 * Plain copies, not atomic: the channel holds its lock around every one (see channel.ts).
 *
 * @packageDocumentation
 */

/** The bytes a record takes in the ring: its length header and its item. */
export const HEADER_BYTES = 4;

/** Copies `bytes` into the ring at `at`, wrapping round its end. */
function copyIn(ring: Uint8Array, at: number, bytes: Uint8Array): void {
  const first = Math.min(bytes.length, ring.length - at);
  ring.set(first === bytes.length ? bytes : bytes.subarray(0, first), at);
  if (first < bytes.length) ring.set(bytes.subarray(first), 0);
}

/** Copies `length` bytes out of the ring from `at`, wrapping round its end. */
function copyOut(ring: Uint8Array, at: number, length: number): Uint8Array {
  const first = Math.min(length, ring.length - at);
  if (first === length) return ring.slice(at, at + length);
  const out = new Uint8Array(length);
  out.set(ring.subarray(at, ring.length), 0);
  out.set(ring.subarray(0, length - first), first);
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
  for (let i = 0; i < HEADER_BYTES; i++) ring[(at + i) % size] = (n >>> (8 * i)) & 0xff;
  copyIn(ring, (at + HEADER_BYTES) % size, item);
  return HEADER_BYTES + n;
}

/** Reads the record at `at`: its item's bytes (a copy), and how many bytes the record took. */
export function readRecord(ring: Uint8Array, at: number): { item: Uint8Array; size: number } {
  const size = ring.length;
  let n = 0;
  for (let i = HEADER_BYTES - 1; i >= 0; i--) n = (n << 8) | ring[(at + i) % size];
  n >>>= 0;
  return { item: copyOut(ring, (at + HEADER_BYTES) % size, n), size: HEADER_BYTES + n };
}
