/**
 * The kind mark: the last cell of every primitive's memory says which kind of object made it, so
 * that `fromBuffer` refuses memory of another kind instead of misreading it.
 *
 * @packageDocumentation
 */
import { describe } from "./errors";

/**
 * The number that marks a primitive's memory as being of `kind`: its first four letters as bytes
 * (`"Lock"` is 0x4c6f636b), so a hex dump reads it. It sits in the last cell of every primitive's
 * memory, and `fromBuffer` refuses memory with another kind's mark.
 */
export function kindMark(kind: string): number {
  const letters = kind.padEnd(4, " ");
  return ((letters.charCodeAt(0) << 24) | (letters.charCodeAt(1) << 16) | (letters.charCodeAt(2) << 8) | letters.charCodeAt(3)) | 0;
}

/** Checks a buffer handed to `fromBuffer` (its size and its kind mark) and returns its cells. */
export function cellsOf(buffer: unknown, kind: string, count: number): Int32Array {
  const needed = `the SharedArrayBuffer of ${(count + 1) * 4} bytes that a ${kind} made (its .buffer)`;
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength !== (count + 1) * 4) {
    throw new TypeError(`${kind}.fromBuffer() needs ${needed}, not ${describe(buffer)}.`);
  }
  const cells = new Int32Array(buffer);
  if (cells[count] !== kindMark(kind)) {
    throw new TypeError(`${kind}.fromBuffer() needs ${needed}, but this memory was made by another kind of object.`);
  }
  return cells;
}
