/**
 * How an item becomes bytes for the ring and back: V8's own serializer (`v8.serialize`), the
 * structured clone that `postMessage` uses, so any value a worker could be sent travels, and
 * anything else (a function, a symbol, a `SharedArrayBuffer`, a shared object such as a `Lock`)
 * is refused before anything is written.
 *
 * @packageDocumentation
 */
import { deserialize, serialize } from "node:v8";
import { describe } from "../errors";

/**
 * The item as bytes.
 *
 * @param item - what was put.
 * @param where - the call, for the message.
 * @throws TypeError if the item cannot be cloned (the queue is left as it was).
 */
export function itemBytes(item: unknown, where: string): Uint8Array {
  try {
    return serialize(item);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new TypeError(
      `${where}: ${describe(item)} cannot be copied (${why}). What travels is a copy made by structured clone, as with postMessage: ` +
        `numbers, strings, arrays, plain objects, Map, Set, Date, typed arrays; not functions, symbols or shared memory. ` +
        `Pass shared objects (Value, Lock, ...) to a worker in its args instead. Nothing was sent; it works on.`,
      { cause: error },
    );
  }
}

/** The item the bytes of {@link itemBytes} were made from (a copy). */
export function itemFrom(bytes: Uint8Array): unknown {
  return deserialize(bytes);
}
