/**
 * `Value` and `Array`: numbers in shared memory, like Python's `multiprocessing.Value` and
 * `multiprocessing.Array`. Both live in a `SharedArrayBuffer`, so a worker that receives one in its
 * `args` reads and writes the very same bytes as the notebook.
 *
 * @packageDocumentation
 */
import { inspect } from "node:util";
import { atomics } from "./atomics";
import { describe } from "./errors";
import { Lock, RLock } from "./lock";
import { ENCODE, encodeShared, type Descriptor, type Encoded, type NumbersDescriptor, type Shareable } from "./transfer";
import {
  allocate,
  checkElement,
  checkTypecode,
  isAtomic,
  view,
  type AnyTypedArray,
  type ElementOf,
  type InputOf,
  type NumberTypecode,
  type Typecode,
} from "./typecodes";

/** Options of `Value` and `Array`, as in Python's `lock=True`. */
export interface SharedOptions {
  /**
   * The lock that `getLock()` returns: `true` (default) makes a new {@link RLock}, as Python does;
   * pass your own `Lock`/`RLock` to share one; `false` for none.
   */
  readonly lock?: boolean | Lock;
}

function makeLock(options: SharedOptions | undefined, where: string): Lock | null {
  if (options === undefined) return new RLock();
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${where}: options must be an object such as { lock: false }, not ${describe(options)}.`);
  }
  const { lock = true } = options;
  if (lock === true) return new RLock();
  if (lock === false) return null;
  if (lock instanceof Lock) return lock;
  throw new TypeError(`${where}: lock must be true, false, or a Lock/RLock, not ${describe(lock)}.`);
}

/** Reads element `i` of a view; integer typecodes use `Atomics.load` so a read is never torn. */
function load(values: AnyTypedArray, atomic: boolean, i: number): number | bigint {
  return atomics.read(values, i, atomic);
}

/** Writes element `i` of a view; integer typecodes use `Atomics.store`. */
function store(values: AnyTypedArray, atomic: boolean, i: number, v: number | bigint): void {
  atomics.write(values, i, v, atomic);
}

/** Python's repr of one element: floats keep a decimal point, as `print` shows them. */
function repr(v: number | bigint, code: Typecode): string {
  if (typeof v === "bigint") return String(v);
  if (code === "f" || code === "d") return Number.isInteger(v) ? v.toFixed(1) : String(v);
  return String(v);
}

abstract class SharedBase implements Shareable {
  /** The typecode the memory holds, such as `"i"`. */
  readonly typecode: Typecode;
  /** The shared memory itself: the same bytes in every thread that has this object. */
  readonly buffer: SharedArrayBuffer;
  protected readonly values: AnyTypedArray;
  protected readonly atomic: boolean;
  protected readonly lock: Lock | null;

  protected constructor(typecode: Typecode, values: AnyTypedArray, lock: Lock | null) {
    this.typecode = typecode;
    this.values = values;
    this.buffer = values.buffer as SharedArrayBuffer;
    this.atomic = isAtomic(typecode);
    this.lock = lock;
  }

  /**
   * The lock that comes with this object, like Python's `get_lock()`: hold it around a
   * read-modify-write such as `v.value = v.value + 1`, which is not atomic by itself.
   *
   * @throws TypeError if it was made with `lock: false`.
   */
  getLock(): Lock {
    if (this.lock === null) {
      throw new TypeError(`This ${this.constructor.name} was made with { lock: false }, so it has no lock. Make it without that option, or pass a Lock of your own.`);
    }
    return this.lock;
  }

  /** @internal How it travels to a worker: typecode, memory and lock. */
  [ENCODE](seen: Encoded): Descriptor {
    return {
      $shared: this.kindName(),
      typecode: this.typecode,
      buffer: this.buffer,
      length: this.values.length,
      lock: this.lock === null ? null : encodeShared(this.lock, seen),
    };
  }

  protected abstract kindName(): "Value" | "Array";

  /** What `console.log` and a cell's last expression show. */
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * One number in shared memory, like Python's `multiprocessing.Value`. Make it with {@link Value}.
 *
 * Each read or write of `.value` is atomic, but `v.value = v.value + 1` is a read *and* a write:
 * another worker can write in between. Hold `v.getLock()` around it.
 */
export class SharedValue<C extends Typecode = NumberTypecode> extends SharedBase {
  /** @internal Use {@link Value}. */
  constructor(typecode: C, values: AnyTypedArray, lock: Lock | null) {
    super(typecode, values, lock);
    // A typo such as `v.valeu = 3` then throws instead of adding a property nobody reads.
    Object.freeze(this);
  }

  /** The number, read from shared memory. Setting it checks that it fits the typecode. */
  get value(): ElementOf<C> {
    return load(this.values, this.atomic, 0) as ElementOf<C>;
  }

  set value(v: InputOf<C>) {
    store(this.values, this.atomic, 0, checkElement(this.typecode, v, "Value.value"));
  }

  protected kindName(): "Value" | "Array" {
    return "Value";
  }

  /** Like Python's repr: `Value('i', 174)`. */
  override toString(): string {
    return `Value('${this.typecode}', ${repr(load(this.values, this.atomic, 0), this.typecode)})`;
  }
}

/** A shared array's elements can be read and written by index, as in Python: `arr[0] = 25`. */
export type SharedArray<C extends Typecode = NumberTypecode> = SharedArrayBase<C> & { [index: number]: ElementOf<C> };

/**
 * A fixed-length array of numbers in shared memory, like Python's `multiprocessing.Array`. Make it
 * with {@link Array}. Indexing checks its bounds (negative indices count from the end, as in Python)
 * and every stored value is checked against the typecode.
 */
export class SharedArrayBase<C extends Typecode = NumberTypecode> extends SharedBase implements Iterable<ElementOf<C>> {
  /** @internal Use {@link Array}. */
  constructor(typecode: C, values: AnyTypedArray, lock: Lock | null) {
    super(typecode, values, lock);
  }

  /** How many elements it has; fixed when it was made. */
  get length(): number {
    return this.values.length;
  }

  private index(i: unknown, verb: string): number {
    const n = this.values.length;
    if (typeof i !== "number" || !Number.isInteger(i)) {
      throw new TypeError(`Array index must be a whole number, not ${describe(i)} (${verb} ${this.short()}).`);
    }
    const at = i < 0 ? i + n : i;
    if (at < 0 || at >= n) {
      throw new RangeError(
        `Array index ${i} is out of range when you ${verb} an Array of length ${n}: use 0 to ${n - 1}` +
          (n > 0 ? `, or -${n} to -1 from the end.` : " (it is empty)."),
      );
    }
    return at;
  }

  /** Reads element `i` (negative counts from the end). */
  get(i: number): ElementOf<C> {
    return load(this.values, this.atomic, this.index(i, "read")) as ElementOf<C>;
  }

  /** Writes element `i` (negative counts from the end), after checking the value fits. */
  set(i: number, v: InputOf<C>): void {
    const at = this.index(i, "write");
    store(this.values, this.atomic, at, checkElement(this.typecode, v, "Array element", i));
  }

  /**
   * A plain-array copy of the elements from `start` up to (not including) `end`, like Python's
   * `arr[start:end]` and JavaScript's `slice`: negative indices count from the end, and bounds
   * beyond either end are clipped.
   *
   * @param start - the first index (default 0).
   * @param end - the index to stop before (default the length).
   * @throws TypeError if a bound is not a whole number.
   */
  slice(start?: number, end?: number): ElementOf<C>[] {
    const from = this.bound(start, 0, "start", "slice");
    const to = this.bound(end, this.values.length, "end", "slice");
    const out: ElementOf<C>[] = [];
    for (let i = from; i < to; i++) out.push(load(this.values, this.atomic, i) as ElementOf<C>);
    return out;
  }

  /**
   * Writes `values` over the elements from `start` up to (not including) `end`, like Python's
   * `arr[start:end] = values`. As for Python's shared (ctypes) arrays, the length cannot change, so
   * there must be exactly as many values as the slice has elements. Every value is checked against
   * the typecode before any is written.
   *
   * @example
   * ```ts
   * arr.setSlice(1, 3, [10, 20]);          // arr[1:3] = [10, 20]
   * arr.setSlice(0, arr.length, [0, 0, 0]); // arr[:] = [0, 0, 0] for an Array of length 3
   * ```
   * @param start - the first index (negative counts from the end; `undefined` for 0).
   * @param end - the index to stop before (`undefined` for the length).
   * @param values - the new elements (any iterable of numbers).
   * @throws TypeError if a bound is not a whole number, `values` is not iterable, or a value is not
   *   a number of the typecode's kind; RangeError if the count is wrong or a value does not fit.
   */
  setSlice(start: number | undefined, end: number | undefined, values: Iterable<InputOf<C>>): void {
    const from = this.bound(start, 0, "start", "setSlice");
    const to = this.bound(end, this.values.length, "end", "setSlice");
    const where = `Array.setSlice(${String(start)}, ${String(end)})`;
    if (values === null || typeof values !== "object" || !(Symbol.iterator in values)) {
      throw new TypeError(`${where}: values must be an array (or other iterable) of numbers, not ${describe(values)}.`);
    }
    const items = globalThis.Array.from(values);
    const size = Math.max(0, to - from);
    if (items.length !== size) {
      throw new RangeError(
        `${where}: the slice has ${size} element${size === 1 ? "" : "s"} (${this.short()}), but ${items.length} value${items.length === 1 ? " was" : "s were"} given. ` +
          `An Array's length is fixed, as for Python's shared arrays: give exactly ${size}.`,
      );
    }
    const checked = items.map((v, k) => checkElement(this.typecode, v, `${where}: element`, from + k));
    checked.forEach((v, k) => store(this.values, this.atomic, from + k, v));
  }

  /** Reads a slice bound, as Python does: negative counts from the end, then clipped to 0..length. */
  private bound(i: unknown, fallback: number, name: string, method: string): number {
    if (i === undefined) return fallback;
    const n = this.values.length;
    if (typeof i !== "number" || !Number.isInteger(i)) {
      throw new TypeError(`Array.${method}(): ${name} must be a whole number (or left out), not ${describe(i)}.`);
    }
    return Math.min(n, Math.max(0, i < 0 ? i + n : i));
  }

  /** A plain-array copy of the elements, like Python's `arr[:]`. */
  toArray(): ElementOf<C>[] {
    return this.slice();
  }

  /** Iterates over the elements: `for (const x of arr)`. */
  *[Symbol.iterator](): Iterator<ElementOf<C>> {
    for (let i = 0; i < this.values.length; i++) yield load(this.values, this.atomic, i) as ElementOf<C>;
  }

  protected kindName(): "Value" | "Array" {
    return "Array";
  }

  private short(): string {
    return `Array('${this.typecode}', length ${this.values.length})`;
  }

  /** The elements as Python prints a list: `[25, 36, 49, 64]`. */
  override toString(): string {
    return `[${this.toArray().map((v) => repr(v, this.typecode)).join(", ")}]`;
  }

  /**
   * The elements as JSON: `JSON.stringify(arr)` gives `[25,36,49,64]`. JSON has no 64-bit integers,
   * so elements of typecodes `l`, `L`, `q`, `Q` become decimal strings.
   */
  toJSON(): (number | string)[] {
    return this.toArray().map((v): number | string => (typeof v === "bigint" ? String(v) : (v as number)));
  }
}

/** Keys that look like an index (`"0"`, `"-1"`, `"1.5"`, `"NaN"`) are routed to get/set. */
function asIndex(key: string | symbol): number | undefined {
  if (typeof key !== "string") return undefined;
  const n = Number(key);
  return String(n) === key || key === "-0" ? n : undefined;
}

const indexing: ProxyHandler<SharedArrayBase<Typecode>> = {
  get(target, key, receiver) {
    const i = asIndex(key);
    return i === undefined ? Reflect.get(target, key, receiver) : target.get(i);
  },
  set(target, key, v) {
    const i = asIndex(key);
    if (i !== undefined) {
      target.set(i, v);
      return true;
    }
    const elements = `only its ${target.length} elements can be written (arr[0] to arr[${target.length - 1}])`;
    throw new TypeError(
      key in target
        ? `An Array's ${String(key)} cannot be set: its length and typecode are fixed when it is made, and ${elements}.`
        : `An Array has no property ${String(key)}: ${elements}.`,
    );
  },
  has(target, key) {
    const i = asIndex(key);
    return i === undefined ? Reflect.has(target, key) : Number.isInteger(i) && i >= 0 && i < target.length;
  },
};

function wrap<C extends Typecode>(array: SharedArrayBase<C>): SharedArray<C> {
  return new Proxy(array, indexing as ProxyHandler<SharedArrayBase<C>>) as SharedArray<C>;
}

/**
 * Makes one number in shared memory, like Python's `multiprocessing.Value(typecode, value)`.
 *
 * @example
 * ```ts
 * const total = mp.Value("i");        // 0
 * const balance = mp.Value("i", 200);
 * balance.value = balance.value + 1;  // not atomic: use balance.getLock()
 * ```
 * @param typecode - Python's typecode: `"i"` int, `"d"` double, `"q"` 64-bit (a bigint), ...
 * @param value - the starting value (default 0); it must fit the typecode exactly.
 * @param options - `{ lock: false }` for no lock, or a lock to share.
 * @throws TypeError for an unknown typecode or a value of the wrong kind (`2.5` for `"i"`, `NaN`).
 * @throws RangeError for a value out of the typecode's range (`2**31` for `"i"`).
 */
export function Value<C extends Typecode>(typecode: C, value?: InputOf<C>, options?: SharedOptions): SharedValue<C> {
  const code = checkTypecode(typecode, "Value()") as C;
  const start = checkElement(code, value === undefined ? 0 : value, "Value(): the starting value");
  const lock = makeLock(options, "Value()");
  const values = allocate(code, 1);
  store(values, isAtomic(code), 0, start);
  return new SharedValue(code, values, lock);
}

/**
 * Makes a fixed-length array of numbers in shared memory, like Python's
 * `multiprocessing.Array(typecode, size_or_initializer)`.
 *
 * @example
 * ```ts
 * const squares = mp.Array("i", 4);       // [0, 0, 0, 0]
 * const primes = mp.Array("i", [2, 3, 5]);
 * squares[0] = 25;
 * ```
 * @param typecode - Python's typecode, as for {@link Value}.
 * @param sizeOrValues - how many zeros, or the values to start with (any iterable of numbers).
 * @param options - `{ lock: false }` for no lock, or a lock to share.
 * @throws TypeError for an unknown typecode, a size that is not a whole number, or a bad element.
 * @throws RangeError for a negative size or an element out of range.
 */
export function Array<C extends Typecode>(
  typecode: C,
  sizeOrValues: number | Iterable<InputOf<C>>,
  options?: SharedOptions,
): SharedArray<C> {
  const code = checkTypecode(typecode, "Array()") as C;
  let initial: ElementOf<C>[] | undefined;
  let size: number;
  if (typeof sizeOrValues === "number") {
    if (!Number.isInteger(sizeOrValues)) {
      throw new TypeError(`Array(): size must be a whole number of elements, not ${sizeOrValues}.`);
    }
    if (sizeOrValues < 0 || sizeOrValues > 2 ** 28) {
      throw new RangeError(`Array(): size is ${sizeOrValues}, but it must be between 0 and ${2 ** 28} elements.`);
    }
    size = sizeOrValues;
  } else if (sizeOrValues !== null && typeof sizeOrValues === "object" && Symbol.iterator in sizeOrValues) {
    initial = globalThis.Array.from(sizeOrValues, (v, i) => checkElement(code, v, "Array(): element", i));
    size = initial.length;
  } else {
    throw new TypeError(`Array(): the second argument must be a size or an array of values, not ${describe(sizeOrValues)}.`);
  }
  const lock = makeLock(options, "Array()");
  const values = allocate(code, size);
  initial?.forEach((v, i) => store(values, isAtomic(code), i, v));
  return wrap(new SharedArrayBase(code, values, lock));
}

/** @internal Rebuilds, in a worker, a Value that travelled, over the same memory, with its lock. */
export function rebuildValue(d: NumbersDescriptor<"Value">, lock: Lock | null): SharedValue<Typecode> {
  return new SharedValue(d.typecode, view(d.typecode, d.buffer, 1), lock);
}

/** @internal Rebuilds, in a worker, an Array that travelled, over the same memory, with its lock. */
export function rebuildArray(d: NumbersDescriptor<"Array">, lock: Lock | null): SharedArray<Typecode> {
  return wrap(new SharedArrayBase(d.typecode, view(d.typecode, d.buffer, d.length), lock));
}

/** The type of what {@link Value} makes, for annotations: `function deposit(b: mp.Value) {}`. */
export type Value<C extends Typecode = NumberTypecode> = SharedValue<C>;
/** The type of what {@link Array} makes, for annotations: `function fill(squares: mp.Array) {}`. */
export type Array<C extends Typecode = NumberTypecode> = SharedArray<C>;
