/**
 * Raw shared memory inside an explored thread: a typed array over a `SharedArrayBuffer` that the
 * thread got through `args` (`new Int32Array(new SharedArrayBuffer(12))`, as notebook 06 builds
 * its locks) is handed to the thread as a *scheduled view*, a `Proxy` in its place, so that each
 * element read or write (`flags[2]`, `flags[2] = 1`) is a step; and the thread's global `Atomics`
 * is one whose calls on such a view (`Atomics.load`, `store`, `add`, `sub`, `and`, `or`, `xor`,
 * `exchange`, `compareExchange`, `wait`, `waitAsync`, `notify`) are steps too, `wait`/`notify`
 * modelled as the library's own waits (a timeout is the schedule's choice), and `waitAsync` as a
 * `wait` whose answer comes as a promise: the thread does nothing else until it settles, as an
 * explored thread runs one flow of code (two flows that await by turns in one thread, as a
 * notebook's cells may, are not explored). On any other typed array `Atomics` is the native one.
 *
 * What cannot be scheduled is refused with a TypeError saying what to do instead, never run
 * unseen: a view's `.buffer` (so the thread cannot make a typed array or `DataView` of its own over
 * the memory), `subarray()`, and the methods that take callbacks or move elements around. (A `SharedArrayBuffer` or `DataView` in `args` is refused before
 * the threads start: see scenario-memory.ts.) A typed array the thread makes itself over a shared
 * object's memory (`new Int32Array(lock.buffer)`, as a lock written over the library's `atomics`
 * would) is that object's: `Atomics` calls on it are steps, its plain element accesses are not.
 *
 * @packageDocumentation
 */
import { isPlain } from "../transfer";
import type { AnyTypedArray } from "../typecodes";
import type { WaitResult } from "../atomics";
import { Op } from "./schedule-protocol";
import type { ScheduledOps } from "./scheduled-ops";

/** The native `Atomics` functions, taken before the thread's `Atomics` is replaced. */
const native = {
  load: Atomics.load,
  store: Atomics.store,
  add: Atomics.add,
  sub: Atomics.sub,
  and: Atomics.and,
  or: Atomics.or,
  xor: Atomics.xor,
  exchange: Atomics.exchange,
  compareExchange: Atomics.compareExchange,
  wait: Atomics.wait,
  notify: Atomics.notify,
  waitAsync: (Atomics as unknown as { waitAsync: unknown }).waitAsync,
} as unknown as Record<string, (...args: unknown[]) => unknown>;

/** The element types `Atomics` works on (not floats, not Uint8Clamped). */
const ATOMIC_TYPES: ReadonlySet<unknown> = new Set([Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array]);


/** Typed array methods a view does as its element reads, one step each (no callbacks, nothing moved). */
const READING_METHODS = new Set(["at", "join", "toString", "toLocaleString", "indexOf", "lastIndexOf", "includes", "slice", "values", "entries"]);

/** Properties a view answers without a step: they never change. */
const FIXED = new Set(["length", "byteLength", "byteOffset", "BYTES_PER_ELEMENT", "constructor"]);

function refused(what: string, instead: string): TypeError {
  return new TypeError(`${what} cannot be explored: the explorer would not see what it does to the shared memory. ${instead}`);
}

/** The element index `key` names, if it is a canonical numeric string (as typed arrays read keys). */
function elementIndex(key: string | symbol): number | undefined {
  if (typeof key !== "string" || key.length === 0) return undefined;
  const first = key.charCodeAt(0);
  if (!(first >= 48 && first <= 57) && first !== 45 && key !== "NaN" && key !== "Infinity") return undefined;
  const n = Number(key);
  return String(n) === key || key === "-0" ? n : undefined;
}

/** The raw memory of one explored thread: its scheduled views and its `Atomics`. */
export class RawMemory {
  private readonly views = new WeakMap<AnyTypedArray, AnyTypedArray>();
  private readonly targets = new WeakMap<object, AnyTypedArray>();

  /**
   * @param scheduled - the thread's scheduled operations (its `ask`).
   * @param ids - the scenario's buffers, by index (see `scenarioBuffers`).
   */
  constructor(
    private readonly scheduled: ScheduledOps,
    private readonly ids: ReadonlyMap<SharedArrayBuffer, number>,
  ) {}

  /** Replaces this thread's `Atomics` by the scheduled one. */
  install(): void {
    (globalThis as Record<string, unknown>).Atomics = this.atomics();
  }

  /**
   * Puts scheduled views in place of the raw typed arrays in `value` (the decoded arguments):
   * searched through arrays and plain objects, as they were sent.
   */
  withViews(value: unknown, seen = new Set<object>()): unknown {
    if (value === null || typeof value !== "object") return value;
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return this.viewOf(value as AnyTypedArray);
    if (seen.has(value)) return value;
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach((item, i) => (value[i] = this.withViews(item, seen)));
    } else if (isPlain(value)) {
      const fields = value as Record<string, unknown>;
      for (const key of Object.keys(fields)) fields[key] = this.withViews(fields[key], seen);
    }
    return value;
  }

  /**
   * What a thread returned, made fit to copy: a view becomes a copy of its elements as they are at
   * the thread's end (no step: nobody else runs until the thread has reported its end).
   */
  returned(value: unknown): unknown {
    const target = typeof value === "object" && value !== null ? this.targets.get(value) : undefined;
    return target === undefined ? value : target.slice();
  }

  /** The scheduled view of `array`, or `array` itself if it is not over the scenario's memory. */
  private viewOf(array: AnyTypedArray): AnyTypedArray {
    if (!(array.buffer instanceof SharedArrayBuffer) || !this.ids.has(array.buffer)) return array;
    let view = this.views.get(array);
    if (view === undefined) {
      view = this.makeView(array);
      this.views.set(array, view);
      this.targets.set(view, array);
    }
    return view;
  }

  private makeView(array: AnyTypedArray): AnyTypedArray {
    const name = array.constructor.name;
    const read = (i: number): unknown => {
      this.scheduled.ask(Op.READ, array, i);
      return array[i];
    };
    const iterate = function* (pairs: boolean): Generator<unknown> {
      for (let i = 0; i < array.length; i++) yield pairs ? [i, read(i)] : read(i);
    };
    return new Proxy(array, {
      get: (target, key) => {
        const index = elementIndex(key);
        if (index !== undefined) return Number.isInteger(index) && index >= 0 && index < target.length && !Object.is(index, -0) ? read(index) : undefined;
        if (typeof key === "string" && FIXED.has(key)) return target[key as keyof AnyTypedArray];
        if (key === Symbol.iterator || key === "values") return () => iterate(false);
        if (key === "entries") return () => iterate(true);
        if (key === "keys") return () => target.keys();
        if (key === Symbol.toStringTag) return name;
        if (key === "buffer") {
          throw refused(`A scheduled ${name}'s .buffer`, `Work on the typed array itself (its elements, or Atomics on it), which the explorer schedules.`);
        }
        if (key === "subarray") {
          throw refused(`${name}.subarray() on shared memory under the explorer`, `Index the typed array itself (flags[i]).`);
        }
        if (key === "fill") {
          return (value: unknown, start = 0, end = target.length) => {
            for (let i = start < 0 ? target.length + start : start; i < (end < 0 ? target.length + end : end) && i < target.length; i++) this.write(target, i, value);
            return this.viewOf(target);
          };
        }
        if (typeof key === "string" && READING_METHODS.has(key)) {
          return (...args: unknown[]) => {
            const copy = new (target.constructor as new (n: number) => AnyTypedArray)(target.length);
            for (let i = 0; i < target.length; i++) copy[i] = read(i) as number;
            return (copy as unknown as Record<string, (...a: unknown[]) => unknown>)[key](...args);
          };
        }
        if (typeof key === "string" && typeof (target as unknown as Record<string, unknown>)[key] === "function") {
          throw refused(
            `${name}.${key}() on shared memory under the explorer`,
            `Use a plain for loop over its elements (each read and write is a step), or Atomics on them.`,
          );
        }
        return (target as unknown as Record<string | symbol, unknown>)[key];
      },
      set: (target, key, value) => {
        const index = elementIndex(key);
        if (index === undefined) throw refused(`Setting ${String(key)} on a scheduled ${name}`, `Only its elements can be written.`);
        if (Number.isInteger(index) && index >= 0 && index < target.length && !Object.is(index, -0)) this.write(target, index, value);
        return true;
      },
      defineProperty: () => {
        throw refused(`Object.defineProperty on a scheduled ${name}`, `Write its elements (flags[i] = v) instead.`);
      },
    });
  }

  /** A scheduled plain write of element `i`: the value converted first, so a bad one throws before the step. */
  private write(target: AnyTypedArray, i: number, value: unknown): void {
    const scratch = new (target.constructor as new (n: number) => AnyTypedArray)(1);
    scratch[0] = value as number;
    this.scheduled.ask(Op.WRITE, target, i);
    target[i] = scratch[0];
  }

  /** `array` if it is a typed array over the scenario's memory, else undefined. */
  private ownOver(array: object): AnyTypedArray | undefined {
    return ArrayBuffer.isView(array) && array.buffer instanceof SharedArrayBuffer && this.ids.has(array.buffer) && !(array instanceof DataView) ? (array as AnyTypedArray) : undefined;
  }

  /** The `Atomics` this thread sees: scheduled on views, native elsewhere. */
  private atomics(): typeof Atomics {
    const scheduled = this.scheduled;
    /** The view's typed array and the index as Atomics would read it, or null to do it natively. */
    const cell = (array: unknown, index: unknown): { target: AnyTypedArray; i: number } | null => {
      // A view, or a typed array the thread made over a shared object's memory.
      const target = typeof array === "object" && array !== null ? this.targets.get(array) ?? this.ownOver(array) : undefined;
      if (target === undefined || !ATOMIC_TYPES.has(target.constructor)) return null;
      const i = index === undefined ? 0 : Math.trunc(Number(index));
      if (!(i >= 0 && i < target.length)) return null;
      return { target, i: i === 0 ? 0 : i };
    };
    /** Does `name` natively on the view's typed array (or on `array`, not a view): it throws there if it must. */
    const natively = (name: string, array: unknown, args: unknown[]): unknown =>
      native[name](this.targets.get(array as object) ?? array, ...args);
    const changing = (name: string, op: Op) =>
      (array: unknown, index: unknown, ...rest: unknown[]): unknown => {
        const c = cell(array, index);
        if (c === null) return natively(name, array, [index, ...rest]);
        // 64-bit cells: told as an exchange of an unknown value (NaN), as the scheduler cannot compare bigints sent as doubles.
        const bigints = c.target instanceof BigInt64Array || c.target instanceof BigUint64Array;
        if (bigints) scheduled.ask(op === Op.COMPARE_EXCHANGE ? Op.EXCHANGE : op, c.target, c.i, NaN, NaN);
        else scheduled.ask(op, c.target, c.i, Number(rest[0]), Number(rest[1]));
        return native[name](c.target, c.i, ...rest);
      };
    /** The cell a `wait` or `waitAsync` sleeps on, or null to do it natively (not a view). */
    const waitCell = (name: string, array: unknown, index: unknown): { target: AnyTypedArray; i: number } | null => {
      const c = cell(array, index);
      if (c !== null && !(c.target instanceof Int32Array)) throw refused(`Atomics.${name} on a BigInt64Array`, `Wait on an Int32Array (as the library's locks do).`);
      return c;
    };
    /** A wait modelled as the library's own (a timeout is the schedule's choice). */
    const waited = (c: { target: AnyTypedArray; i: number }, value: unknown, ms: unknown): WaitResult => {
      const limit = ms === undefined ? Infinity : Number(ms);
      return scheduled.ops.wait(c.target as Int32Array, c.i, Number(value) | 0, Number.isNaN(limit) ? Infinity : Math.max(0, limit));
    };
    const atomics = {
      load: (array: unknown, index: unknown): unknown => {
        const c = cell(array, index);
        if (c === null) return natively("load", array, [index]);
        scheduled.ask(Op.LOAD, c.target, c.i);
        return native.load(c.target, c.i);
      },
      store: changing("store", Op.STORE),
      add: changing("add", Op.ADD),
      sub: changing("sub", Op.SUB),
      and: changing("and", Op.AND),
      or: changing("or", Op.OR),
      xor: changing("xor", Op.XOR),
      exchange: changing("exchange", Op.EXCHANGE),
      compareExchange: changing("compareExchange", Op.COMPARE_EXCHANGE),
      wait: (array: unknown, index: unknown, value: unknown, ms?: unknown): unknown => {
        const c = waitCell("wait", array, index);
        return c === null ? natively("wait", array, [index, value, ms]) : waited(c, value, ms);
      },
      notify: (array: unknown, index: unknown, count?: unknown): unknown => {
        const c = cell(array, index);
        if (c === null || !(c.target instanceof Int32Array || c.target instanceof BigInt64Array)) return natively("notify", array, [index, count]);
        const n = count === undefined ? Infinity : Math.max(0, Math.trunc(Number(count)) || 0);
        scheduled.ask(Op.NOTIFY, c.target, c.i, n);
        return scheduled.result();
      },
      // Modelled as a wait: the thread does nothing else until it settles (one flow of code per
      // thread). As natively, it answers at once, not as a promise, when the cell differs or the
      // timeout is 0.
      waitAsync: (array: unknown, index: unknown, value: unknown, ms?: unknown): unknown => {
        const c = waitCell("waitAsync", array, index);
        if (c === null) return natively("waitAsync", array, [index, value, ms]);
        const result = waited(c, value, ms);
        return result === "not-equal" || (result === "timed-out" && Number(ms) <= 0) ? { async: false, value: result } : { async: true, value: Promise.resolve(result) };
      },
      isLockFree: Atomics.isLockFree,
      [Symbol.toStringTag]: "Atomics",
    };
    return Object.freeze(atomics) as unknown as typeof Atomics;
  }
}
