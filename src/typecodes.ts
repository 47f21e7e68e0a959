/**
 * Python's `array`/`ctypes` typecodes, mapped to the typed arrays that hold them, and the checks that
 * refuse a value a typecode cannot hold exactly (instead of wrapping `2**31` or truncating `2.5`).
 *
 * @packageDocumentation
 */
import { describe } from "./errors";

/** Typecodes whose elements are JavaScript numbers. */
export type NumberTypecode = "b" | "B" | "h" | "H" | "i" | "I" | "f" | "d";
/** Typecodes of 64-bit integers, whose elements are `bigint`s (as in Python, they never lose digits). */
export type BigIntTypecode = "l" | "L" | "q" | "Q";
/** Every typecode `Value` and `Array` accept, as in Python's `multiprocessing`. */
export type Typecode = NumberTypecode | BigIntTypecode;
/** The JavaScript type of one element of typecode `C`: `number`, or `bigint` for 64-bit integers. */
export type ElementOf<C extends Typecode> = C extends BigIntTypecode ? bigint : number;
/** What may be stored into typecode `C`: 64-bit typecodes also take a whole `number`. */
export type InputOf<C extends Typecode> = C extends BigIntTypecode ? bigint | number : number;

/** A typed array that can hold any typecode's elements. */
export type AnyTypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

interface TypecodeInfo {
  /** What Python's docs call it, for messages. */
  readonly ctype: string;
  readonly bytes: number;
  readonly make: (buffer: SharedArrayBuffer, length: number) => AnyTypedArray;
  /** Integer bounds, inclusive (unused for floats). */
  readonly min: bigint;
  readonly max: bigint;
  /** The same bounds as numbers, exact for typecodes of 32 bits or fewer (NaN for floats, so no number passes the fast check). */
  readonly low: number;
  readonly high: number;
  readonly bigint: boolean;
  readonly float: boolean;
}

function integer(ctype: string, bytes: number, signed: boolean, make: TypecodeInfo["make"]): TypecodeInfo {
  const bits = BigInt(bytes * 8);
  const min = signed ? -(1n << (bits - 1n)) : 0n;
  const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  return { ctype, bytes, make, min, max, low: Number(min), high: Number(max), bigint: bytes === 8, float: false };
}

const FLOAT = { min: 0n, max: 0n, low: NaN, high: NaN, bigint: false, float: true } as const;

const TYPECODES: Readonly<Record<Typecode, TypecodeInfo>> = {
  b: integer("signed char", 1, true, (b, n) => new Int8Array(b, 0, n)),
  B: integer("unsigned char", 1, false, (b, n) => new Uint8Array(b, 0, n)),
  h: integer("short", 2, true, (b, n) => new Int16Array(b, 0, n)),
  H: integer("unsigned short", 2, false, (b, n) => new Uint16Array(b, 0, n)),
  i: integer("int", 4, true, (b, n) => new Int32Array(b, 0, n)),
  I: integer("unsigned int", 4, false, (b, n) => new Uint32Array(b, 0, n)),
  l: integer("long", 8, true, (b, n) => new BigInt64Array(b, 0, n)),
  L: integer("unsigned long", 8, false, (b, n) => new BigUint64Array(b, 0, n)),
  q: integer("long long", 8, true, (b, n) => new BigInt64Array(b, 0, n)),
  Q: integer("unsigned long long", 8, false, (b, n) => new BigUint64Array(b, 0, n)),
  f: { ctype: "float", bytes: 4, make: (b, n) => new Float32Array(b, 0, n), ...FLOAT },
  d: { ctype: "double", bytes: 8, make: (b, n) => new Float64Array(b, 0, n), ...FLOAT },
};

const ALLOWED = Object.keys(TYPECODES)
  .map((code) => `"${code}" (${TYPECODES[code as Typecode].ctype})`)
  .join(", ");

/**
 * Checks that `code` is a typecode this library knows, and returns it typed.
 *
 * @param code - what the learner passed.
 * @param where - the call it was passed to, for the message.
 * @throws TypeError naming the value and listing the typecodes allowed.
 */
export function checkTypecode(code: unknown, where: string): Typecode {
  if (typeof code === "string" && Object.prototype.hasOwnProperty.call(TYPECODES, code)) return code as Typecode;
  throw new TypeError(`${where}: typecode ${describe(code)} is not one this library knows. Use one of ${ALLOWED}.`);
}

/** Allocates shared memory for `length` elements of `code` and returns the typed view over it. */
export function allocate(code: Typecode, length: number): AnyTypedArray {
  const info = TYPECODES[code];
  return info.make(new SharedArrayBuffer(Math.max(length, 1) * info.bytes), length);
}

/** Rebuilds the typed view of `code` over memory that `allocate` made (in this or another thread). */
export function view(code: Typecode, buffer: SharedArrayBuffer, length: number): AnyTypedArray {
  return TYPECODES[code].make(buffer, length);
}

/** True if elements of `code` can be read and written with `Atomics` (all integer typecodes). */
export function isAtomic(code: Typecode): boolean {
  return !TYPECODES[code].float;
}

/**
 * Checks that `value` fits typecode `code` exactly and converts it to the element type
 * (`bigint` for 64-bit typecodes). Nothing is wrapped, truncated or rounded to infinity.
 *
 * @param code - the typecode of the memory being written.
 * @param value - what the learner wants to store.
 * @param what - names the argument or element, for the message.
 * @param index - the element's index, if it is one (added to `what` in messages).
 * @throws TypeError if the value is not a number (or bigint), or not whole for an integer typecode;
 *   RangeError if it does not fit.
 */
export function checkElement<C extends Typecode>(code: C, value: unknown, what: string, index?: number): ElementOf<C> {
  const info = TYPECODES[code];
  // The common case, a whole number for a 32-bit-or-smaller typecode, is checked without bigints
  // or strings: this runs on every write of a shared value, often inside a lock.
  if (!info.bigint && typeof value === "number" && Number.isInteger(value) && value >= info.low && value <= info.high) {
    return value as ElementOf<C>;
  }
  const where = index === undefined ? what : `${what} [${index}]`;
  if (info.float) {
    if (typeof value !== "number") {
      throw new TypeError(`${where} must be a number for typecode "${code}" (${info.ctype}), not ${describe(value)}.`);
    }
    if (code === "f" && Number.isFinite(value) && !Number.isFinite(Math.fround(value))) {
      throw new RangeError(
        `${where} is ${value}, too large for typecode "f" (float, at most ±3.4028234663852886e38). Use "d" (double).`,
      );
    }
    return value as ElementOf<C>;
  }
  let whole: bigint;
  if (typeof value === "bigint") {
    whole = value;
  } else if (typeof value === "number") {
    if (!Number.isInteger(value)) {
      throw new TypeError(
        `${where} is ${value}, but typecode "${code}" (${info.ctype}) holds whole numbers only. ` +
          `Round it yourself (Math.round, Math.trunc) or use typecode "d" for fractions.`,
      );
    }
    if (info.bigint && !Number.isSafeInteger(value)) {
      throw new RangeError(
        `${where} is ${value}, beyond Number.MAX_SAFE_INTEGER, so its exact value is already lost. Pass it as a bigint (e.g. 9007199254740993n).`,
      );
    }
    whole = BigInt(value);
  } else {
    throw new TypeError(
      `${where} must be ${info.bigint ? "a bigint or a whole number" : "a whole number"} for typecode "${code}" (${info.ctype}), not ${describe(value)}.`,
    );
  }
  if (whole < info.min || whole > info.max) {
    throw new RangeError(
      `${where} is ${describe(value)}, outside the range of typecode "${code}" (${info.ctype}): ${info.min} to ${info.max}. ` +
        `Choose a wider typecode (for example "q" for 64-bit integers) or a smaller value.`,
    );
  }
  return (info.bigint ? whole : Number(whole)) as ElementOf<C>;
}
