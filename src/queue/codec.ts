/**
 * How an item becomes bytes for the ring and back. Most items (numbers, strings, arrays and plain
 * objects of them) take the fast encoding of fast-codec.ts; any other value takes V8's own
 * serializer (`v8.serialize`, the structured clone `postMessage` uses), so every value a worker
 * could be sent travels, and anything else (a function, a symbol, a `SharedArrayBuffer`, a shared
 * object such as a `Lock`) is refused before anything is written. The first byte says which.
 *
 * @packageDocumentation
 */
import { deserialize, serialize } from "node:v8";
import { describe } from "../errors";
import { decodeFast, encodeFast, encodeStringAt, isStringAt, mostStringBytes } from "./fast-codec";

/** The first byte of an item in the fast encoding. */
const FAST = 1;
/** The first byte of an item `v8.serialize` wrote. */
const V8 = 2;

/**
 * The item as bytes.
 *
 * @param item - what was put.
 * @param where - the call, for the message.
 * @param keep - whether the bytes must outlive the next call (across an `await`): a copy. Else
 *   they may be a view of a scratch buffer that the next call reuses.
 * @throws TypeError if the item cannot be cloned (the queue is left as it was).
 */
export function itemBytes(item: unknown, where: string, keep = false): Uint8Array {
  const fast = encodeFast(item, 1);
  if (fast !== null) {
    fast[0] = FAST;
    return keep ? fast.slice() : fast;
  }
  let cloned: Uint8Array;
  try {
    cloned = serialize(item);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new TypeError(
      `${where}: ${describe(item)} cannot be copied (${why}). What travels is a copy made by structured clone, as with postMessage: ` +
        `numbers, strings, arrays, plain objects, Map, Set, Date, typed arrays; not functions, symbols or shared memory. ` +
        `Pass shared objects (Value, Lock, ...) to a worker in its args instead. Nothing was sent; it works on.`,
      { cause: error },
    );
  }
  const out = new Uint8Array(cloned.length + 1);
  out[0] = V8;
  out.set(cloned, 1);
  return out;
}

/**
 * A string at least this long is written by a put straight into the ring ({@link writeStringItem})
 * rather than encoded first and copied there (what that saves for 1 kB strings: channel.ts,
 * `putLocked`). Shorter ones are not: their copy is a few words, and written in place a string
 * needs room for three bytes a character, which a small ring may not have. The limit itself was
 * chosen, not measured.
 */
const IN_PLACE_LENGTH = 128;

/**
 * What a put hands its channel: the item's bytes ({@link itemBytes}), or a long string, which the
 * channel writes into its ring itself ({@link writeStringItem}).
 */
export type Outgoing = Uint8Array | string;

/**
 * The item as a put hands it to its channel: a long string as it is (a string cannot change, so
 * it needs no copy to outlive an `await` either), anything else as its bytes.
 *
 * @param item - what was put; `where` and `keep` as for {@link itemBytes}.
 * @throws TypeError if the item cannot be cloned.
 */
export function outgoing(item: unknown, where: string, keep = false): Outgoing {
  return typeof item === "string" && item.length >= IN_PLACE_LENGTH ? item : itemBytes(item, where, keep);
}

/** The most bytes {@link writeStringItem} writes for `s`. */
export function mostStringItemBytes(s: string): number {
  return 1 + mostStringBytes(s.length);
}

/**
 * Writes string `s` as an item (the bytes {@link itemBytes} would make) straight into `target` at
 * `start`, which must have room for {@link mostStringItemBytes}`(s)` bytes.
 *
 * @returns the bytes written, or -1 if this string takes `v8.serialize` (a lone surrogate): then
 *   use {@link itemBytes}.
 */
export function writeStringItem(target: Buffer, start: number, s: string): number {
  const written = encodeStringAt(target, start + 1, s);
  if (written < 0) return -1;
  target[start] = FAST;
  return 1 + written;
}

/**
 * The item (a copy) that {@link itemBytes} made `bytes[start, start + length)` from, read where
 * they are (a queue's ring): the bytes may be reused once it returns. (`v8.deserialize` may give
 * typed arrays that are views of its input, so it gets a copy.)
 */
export function itemAt(bytes: Uint8Array, start: number, length: number): unknown {
  return bytes[start] === FAST ? decodeFast(bytes, start + 1) : deserialize(bytes.slice(start + 1, start + length));
}

/**
 * Whether the item whose bytes start at `start` is a string: decoding it is one copy of its bytes,
 * so a queue decodes it where it lies rather than copying it out first (see channel.ts).
 */
export function isStringItem(bytes: Uint8Array, start: number): boolean {
  return bytes[start] === FAST && isStringAt(bytes, start + 1);
}
