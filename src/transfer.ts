/**
 * How shared objects travel to a worker: a `Value`, `Array` or `Lock` in a process's `args` is turned
 * into a small descriptor holding its `SharedArrayBuffer` (which structured clone shares, not
 * copies), and the worker rebuilds the same kind of object over the same memory (`src/rebuild.ts`).
 * Everything else in `args` is copied by structured clone, as Python pickles arguments.
 *
 * @packageDocumentation
 */

import type { Typecode } from "./typecodes";

/** The key under which a shared object gives its descriptor. */
export const ENCODE: unique symbol = Symbol("shared-memory-notebooks.encode");

/** The kinds that travel as their memory alone. */
export type MemoryKind = "Lock" | "RLock" | "Semaphore" | "BoundedSemaphore" | "Event";

/** A `Lock`, `RLock`, `Semaphore`, `BoundedSemaphore` or `Event` on its way: its memory. */
export interface MemoryDescriptor {
  /** Which kind to rebuild. */
  readonly $shared: MemoryKind;
  /** The primitive's memory, shared (not copied) by structured clone. */
  readonly buffer: SharedArrayBuffer;
}

/** A `Condition` on its way: its memory and its lock's descriptor. */
export interface ConditionDescriptor {
  /** Which kind to rebuild. */
  readonly $shared: "Condition";
  /** The condition's memory (its waiters' slots). */
  readonly buffer: SharedArrayBuffer;
  /** Its lock, sent along (the same descriptor where that lock is sent too). */
  readonly lock: Descriptor;
}

/** A `Barrier` on its way: its memory, and the action and default timeout each copy keeps. */
export interface BarrierDescriptor {
  /** Which kind to rebuild. */
  readonly $shared: "Barrier";
  /** The barrier's memory (its state and count word, and its parties). */
  readonly buffer: SharedArrayBuffer;
  /** The action's source text, or `null` for none. */
  readonly action: string | null;
  /** The default timeout of `wait()` in seconds, or `null` for none. */
  readonly timeout: number | null;
}

/** A `Value` or `Array` on its way: typecode, memory, length and lock. */
export interface NumbersDescriptor<K extends "Value" | "Array"> {
  /** Which kind to rebuild. */
  readonly $shared: K;
  /** The typecode of the numbers. */
  readonly typecode: Typecode;
  /** The numbers' memory. */
  readonly buffer: SharedArrayBuffer;
  /** How many numbers (1 for a Value). */
  readonly length: number;
  /** The lock that `getLock()` returns, or `null` for none. */
  readonly lock: Descriptor | null;
}

/** The kinds of queue, and one direction of a pipe (`"Channel"`). */
export type QueueKind = "Queue" | "SimpleQueue" | "JoinableQueue" | "Channel";

/** A queue (or one direction of a pipe) on its way: its memory (cells and ring) and its two locks. */
export interface QueueDescriptor {
  /** Which kind to rebuild. */
  readonly $shared: QueueKind;
  /** The queue's memory: its cells, then the ring of items. */
  readonly buffer: SharedArrayBuffer;
  /** The lock its gets hold. */
  readonly readLock: Descriptor;
  /** The lock its puts hold. */
  readonly writeLock: Descriptor;
}

/** One end of a pipe on its way: the channels it receives from and sends into. */
export interface ConnectionDescriptor {
  /** Which kind to rebuild. */
  readonly $shared: "Connection";
  /** The channel it receives from, or null for an end that only sends. */
  readonly incoming: Descriptor | null;
  /** The channel it sends into, or null for an end that only receives. */
  readonly outgoing: Descriptor | null;
}

/** What a shared object becomes on its way to a worker: one type per kind. */
export type Descriptor =
  | MemoryDescriptor
  | ConditionDescriptor
  | BarrierDescriptor
  | NumbersDescriptor<"Value">
  | NumbersDescriptor<"Array">
  | QueueDescriptor
  | ConnectionDescriptor;

/** The descriptor of kind `K`. */
export type DescriptorOf<K extends Descriptor["$shared"]> = Descriptor extends infer D
  ? D extends { readonly $shared: infer S }
    ? K extends S
      ? D
      : never
    : never
  : never;

/** What {@link encode} has encoded so far in one message: the same object twice is one descriptor. */
export type Encoded = Map<object, unknown>;

/** An object that can be sent to a worker by its memory rather than copied. */
export interface Shareable {
  /**
   * Describes the object so that a worker can rebuild it (see `src/rebuild.ts`).
   *
   * @param seen - what has been encoded so far in this message, for the object's parts.
   */
  [ENCODE](seen: Encoded): Descriptor;
}

/**
 * The descriptor of a shared object, made once per message: sent twice (or as a part of another,
 * such as a Condition's lock), it is the same descriptor, and the worker rebuilds one object.
 */
export function encodeShared(value: Shareable, seen: Encoded): Descriptor {
  const done = seen.get(value);
  if (done !== undefined) return done as Descriptor;
  const descriptor = value[ENCODE](seen);
  seen.set(value, descriptor);
  return descriptor;
}

function isShareable(value: object): value is Shareable {
  return ENCODE in value;
}

/** Whether `value` is a plain object (a dictionary), to be searched member by member. */
export function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  // A null prototype makes a plain dictionary, unless the object is sealed like V8's shared
  // structs (Atomics.Mutex), which structured clone must pass on untouched.
  return proto === Object.prototype || (proto === null && Object.isExtensible(value));
}

/**
 * Replaces every shared object in `value` (searching arrays and plain objects) by its descriptor.
 *
 * @param value - usually a process's `args`.
 * @param path - where `value` sits, for messages, such as `"args"`.
 * @throws TypeError naming the path of a function or symbol, which no worker can receive.
 */
export function encode(value: unknown, path: string, seen: Encoded = new Map()): unknown {
  if (typeof value === "function" || typeof value === "symbol") {
    throw new TypeError(
      `${path} is a ${typeof value}; a worker receives a copy of its arguments, and a ${typeof value} cannot be copied. ` +
        `Pass the data it needs instead (functions can be called inside target).`,
    );
  }
  if (value === null || typeof value !== "object") return value;
  if (isShareable(value)) return encodeShared(value, seen);
  const done = seen.get(value);
  if (done !== undefined) return done; // the same object twice stays one object in the worker
  if (globalThis.Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    value.forEach((item, i) => out.push(encode(item, `${path}[${i}]`, seen)));
    return out;
  }
  if (!isPlain(value)) return value; // Map, Date, typed arrays...: structured clone copies them.
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [key, item] of Object.entries(value)) out[key] = encode(item, `${path}.${key}`, seen);
  return out;
}
