/**
 * Object shapes for the fast encoding (fast-codec.ts): most items of a queue are objects with the
 * same keys in the same order, `{ id, x, tag }` again and again. The encoding writes an object's
 * keys together, before its values, so that
 * - the encoder copies the keys' bytes it wrote for the last object with the same keys, instead of
 *   writing each key again ({@link KeyBytesCache});
 * - the decoder recognizes those bytes, skips reading the keys, and makes the object with a
 *   function that builds one of that shape in a single object literal, instead of adding the keys
 *   one by one ({@link ShapeCache}). V8 then gives every such object the same hidden class at
 *   once; adding keys one by one goes through a generic store for each key.
 *
 * Measured on `{ id, x: 1.5, tag: "item" }` (2 cores): making the object with 3 keyed stores 47 ns,
 * with the shape's function 15 ns. Both caches are small and direct-mapped: a new shape takes its
 * slot. A shape gets its function the second time it is seen, so that items whose keys are all
 * different (a dictionary keyed by ids) do not each compile one.
 *
 * @packageDocumentation
 */

/** Slots in each cache (a power of two). */
const SLOTS = 64;
/** Objects with more keys than this, or keys taking more bytes, are not cached. */
const MOST_KEYS = 32;
const MOST_KEY_BYTES = 512;

/** An object shape the encoder met: its keys, and the bytes it wrote them as. */
export interface KnownKeys {
  /** Its keys, in order. */
  readonly keys: readonly string[];
  /** The bytes they were written as. */
  readonly bytes: Uint8Array;
}

/** The encoder's cache: the bytes of the keys of objects met lately, by their key lists. */
export class KeyBytesCache {
  private readonly known: Array<KnownKeys | undefined> = new Array<KnownKeys | undefined>(SLOTS).fill(undefined);

  /** The slot of a key list: by its length and its first key's. */
  private static slot(keys: readonly string[]): number {
    return (keys.length * 7 + (keys.length > 0 ? keys[0].length * 13 + keys[0].charCodeAt(0) : 0)) & (SLOTS - 1);
  }

  /** The shape with the same keys, in the same order, or undefined. */
  find(keys: readonly string[]): KnownKeys | undefined {
    const known = this.known[KeyBytesCache.slot(keys)];
    if (known === undefined || known.keys.length !== keys.length) return undefined;
    for (let i = 0; i < keys.length; i++) if (known.keys[i] !== keys[i]) return undefined;
    return known;
  }

  /**
   * Remembers the bytes `written` for `keys` (copied), if they are few enough.
   *
   * @returns the shape (kept or not).
   */
  remember(keys: readonly string[], written: Uint8Array): KnownKeys {
    const known = { keys, bytes: written.slice() };
    if (keys.length <= MOST_KEYS && written.length <= MOST_KEY_BYTES) this.known[KeyBytesCache.slot(keys)] = known;
    return known;
  }
}

/** An object shape the decoder met: its keys, and (once met twice) a function making one. */
export interface Shape {
  /** Its keys, in order. */
  readonly keys: readonly string[];
  /**
   * Makes an object of this shape from its values, in the keys' order: undefined until the shape
   * is met again, null if it cannot be made so (a `"__proto__"` key, or no code from strings).
   */
  make: ((values: readonly unknown[]) => object) | null | undefined;
  /** The bytes its keys were written as. */
  readonly bytes: Uint8Array;
}

/**
 * A function making an object with `keys` from an array of values, in one object literal; null if
 * one key is `"__proto__"`, which a literal would take for the prototype, or if this process may not
 * make code from strings. The keys are written into its code as JSON strings (escaped: no key can
 * be code).
 */
function maker(keys: readonly string[]): ((values: readonly unknown[]) => object) | null {
  if (keys.includes("__proto__")) return null;
  const fields = keys.map((key, i) => `${JSON.stringify(key)}: v[${i}]`).join(", ");
  try {
    return new Function("v", `return { ${fields} };`) as (values: readonly unknown[]) => object;
  } catch {
    return null; // code from strings is turned off (node --disallow-code-generation-from-strings): keys one by one
  }
}

/** The decoder's cache: shapes by the bytes their keys were written as. */
export class ShapeCache {
  private readonly shapes: Array<Shape | undefined> = new Array<Shape | undefined>(SLOTS).fill(undefined);

  /**
   * The slot of key bytes `input[start, start + length)`: by their length, the first key's first
   * character (after its tag and length) and the last byte. Not a hash of every byte: `find`
   * compares them all anyway, and a loop over them costs as much as that compare.
   */
  private static slot(input: Uint8Array, start: number, length: number): number {
    return (length * 7 + (length > 5 ? input[start + 5] * 3 + input[start + length - 1] : 0)) & (SLOTS - 1);
  }

  /**
   * The shape whose keys were written as `input[start, start + length)`, or undefined. One found
   * the second time gets its function.
   */
  find(input: Uint8Array, start: number, length: number): Shape | undefined {
    const shape = this.shapes[ShapeCache.slot(input, start, length)];
    if (shape === undefined || shape.bytes.length !== length) return undefined;
    const bytes = shape.bytes;
    for (let i = 0; i < length; i++) if (bytes[i] !== input[start + i]) return undefined;
    if (shape.make === undefined) shape.make = maker(shape.keys);
    return shape;
  }

  /** Remembers the shape of `keys`, written as `input[start, start + length)`, if they are few enough. */
  remember(input: Uint8Array, start: number, length: number, keys: readonly string[]): void {
    if (keys.length > MOST_KEYS || length > MOST_KEY_BYTES) return;
    this.shapes[ShapeCache.slot(input, start, length)] = { keys, make: undefined, bytes: input.slice(start, start + length) };
  }
}
