/**
 * A fast encoding for the values most items are made of — numbers, strings, booleans, `null`,
 * `undefined`, and arrays and plain objects of them — written in plain JavaScript into a scratch
 * buffer. `v8.serialize` (the structured clone of `postMessage`, through Node's JavaScript wrapper)
 * costs some 10 µs for a three-field object on this machine; this costs well under one. It gives
 * the same copy structured clone would (own enumerable string keys in order, `-0`, `NaN`);
 * anything else — a Map, a Date, a typed array, a bigint, a class instance, a hole, an object met
 * twice (structured clone keeps the sharing and the cycles), a string with a lone surrogate (UTF-8
 * cannot hold one) — makes {@link encodeFast} give up, and codec.ts uses `v8.serialize` for that
 * item instead.
 *
 * @packageDocumentation
 */

const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const INT32 = 4;
const FLOAT64 = 5;
const STRING = 6;
const ARRAY = 7;
const OBJECT = 8;

/** Deeper than this, give up (structured clone copes; it is rare). */
const MAX_DEPTH = 64;

let bytes = Buffer.allocUnsafe(4096);
let view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
let at = 0;
/** The objects met in the item being encoded: one met twice gives up. */
const met = new Set<object>();

/** Eight bytes seen as a float64, to write and read one without a DataView (and in one byte order). */
const eight = new Uint8Array(8);
const float = new Float64Array(eight.buffer);

/** Thrown (and caught) when an item needs `v8.serialize`. */
const GIVE_UP = Symbol("give up");

function room(n: number): void {
  if (at + n <= bytes.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(bytes.length * 2, at + n));
  bigger.set(bytes.subarray(0, at));
  bytes = bigger;
  view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Writes a string: short ASCII ones byte by byte (a call into Node costs more than the copy), the rest with `Buffer.write`. */
function writeString(s: string): void {
  const n = s.length;
  room(5 + n * 3);
  bytes[at] = STRING;
  if (n <= 64) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      bytes[at + 5 + i] = c;
    }
    if (i === n) {
      view.setUint32(at + 1, n, true);
      at += 5 + n;
      return;
    }
  }
  // UTF-8 cannot hold a lone surrogate (structured clone keeps it): such a string takes v8.serialize.
  if (!(s as unknown as { isWellFormed(): boolean }).isWellFormed()) throw GIVE_UP;
  const written = bytes.write(s, at + 5, "utf8");
  view.setUint32(at + 1, written, true);
  at += 5 + written;
}

function write(value: unknown, depth: number): void {
  switch (typeof value) {
    case "number":
      room(9);
      if ((value | 0) === value && !Object.is(value, -0)) {
        bytes[at] = INT32;
        view.setInt32(at + 1, value, true);
        at += 5;
      } else {
        bytes[at] = FLOAT64;
        float[0] = value;
        bytes.set(eight, at + 1);
        at += 9;
      }
      return;
    case "string":
      writeString(value);
      return;
    case "boolean":
      room(1);
      bytes[at++] = value ? TRUE : FALSE;
      return;
    case "undefined":
      room(1);
      bytes[at++] = UNDEFINED;
      return;
    case "object":
      if (value === null) {
        room(1);
        bytes[at++] = NULL;
        return;
      }
      if (depth >= MAX_DEPTH || met.has(value)) throw GIVE_UP;
      met.add(value);
      if (Array.isArray(value)) {
        room(5);
        bytes[at] = ARRAY;
        view.setUint32(at + 1, value.length, true);
        at += 5;
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) throw GIVE_UP;
          write(value[i], depth + 1);
        }
        return;
      }
      {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) throw GIVE_UP;
        const keys = Object.keys(value);
        room(5);
        bytes[at] = OBJECT;
        view.setUint32(at + 1, keys.length, true);
        at += 5;
        for (const key of keys) {
          writeString(key);
          write((value as Record<string, unknown>)[key], depth + 1);
        }
      }
      return;
    default:
      throw GIVE_UP;
  }
}

/**
 * The item's fast encoding, or `null` if it needs `v8.serialize`: a view of this thread's scratch
 * buffer, good until the next call (copy it to keep it across an `await`).
 *
 * @param item - the value put.
 * @param prefix - bytes to leave free at the start (codec.ts writes its tag there).
 */
export function encodeFast(item: unknown, prefix: number): Uint8Array | null {
  at = prefix;
  met.clear();
  try {
    write(item, 0);
  } catch (error) {
    if (error === GIVE_UP) return null;
    throw error;
  } finally {
    met.clear();
  }
  return bytes.subarray(0, at);
}

/** The input being decoded (as a Buffer, for its native UTF-8 decoding), and where in it. */
let input = Buffer.alloc(0);
let pos = 0;

function readUint32(): number {
  const n = (input[pos] | (input[pos + 1] << 8) | (input[pos + 2] << 16) | (input[pos + 3] << 24)) >>> 0;
  pos += 4;
  return n;
}

function readString(): string {
  const n = readUint32();
  const start = pos;
  pos += n;
  if (n <= 64) {
    let s = "";
    for (let i = start; i < pos; i++) {
      const c = input[i];
      if (c >= 0x80) return input.toString("utf8", start, pos);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return input.toString("utf8", start, pos);
}

function read(): unknown {
  const tag = input[pos++];
  switch (tag) {
    case UNDEFINED:
      return undefined;
    case NULL:
      return null;
    case FALSE:
      return false;
    case TRUE:
      return true;
    case INT32:
      return readUint32() | 0;
    case FLOAT64:
      for (let i = 0; i < 8; i++) eight[i] = input[pos + i];
      pos += 8;
      return float[0];
    case STRING:
      return readString();
    case ARRAY: {
      const n = readUint32();
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = read();
      return out;
    }
    case OBJECT: {
      const n = readUint32();
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        pos++; // the key's STRING tag
        const key = readString();
        out[key] = read();
      }
      return out;
    }
    default:
      throw new Error(`a queue's item is corrupt: unknown tag ${tag} at byte ${pos - 1}`);
  }
}

/** Reads a value {@link encodeFast} wrote, from `offset` of `bytes`. */
export function decodeFast(bytes: Uint8Array, offset: number): unknown {
  input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  pos = offset;
  return read();
}
