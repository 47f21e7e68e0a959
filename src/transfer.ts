/**
 * How shared objects travel to a worker: a `Value`, `Array` or `Lock` in a process's `args` is turned
 * into a small descriptor holding its `SharedArrayBuffer` (which structured clone shares, not
 * copies), and the worker rebuilds the same kind of object over the same memory. Everything else in
 * `args` is copied by structured clone, as Python pickles arguments.
 *
 * @packageDocumentation
 */

/** The key under which a shared object gives its descriptor. */
export const ENCODE: unique symbol = Symbol("shared-memory-notebooks.encode");

/** What a shared object becomes on its way to a worker: its kind plus the memory it lives in. */
export interface Descriptor {
  /** Which rebuilder to use: `"Value"`, `"Array"`, `"Lock"`, ... */
  readonly $shared: string;
  /** The kind's own fields: buffers, typecodes, nested descriptors. */
  readonly [field: string]: unknown;
}

/** An object that can be sent to a worker by its memory rather than copied. */
export interface Shareable {
  /**
   * Describes the object so that {@link decode} can rebuild it in another thread.
   *
   * @param seen - what {@link encode} has encoded so far in this message, for the object's parts.
   */
  [ENCODE](seen?: Map<object, unknown>): Descriptor;
}

/** Something that may be holding a lock for a thread and must hear when that thread ends. */
export interface OwnerWatch {
  /**
   * Called in the thread that started `threadId` once that thread has ended.
   *
   * @param threadId - the thread that ended.
   * @param died - true if it did not end by returning from its target (it threw, was terminated
   *   or interrupted).
   */
  ownerEnded(threadId: number, died: boolean): void;
}

/** Rebuilds one kind from its descriptor; `part` rebuilds a nested descriptor (a Condition's lock). */
type Rebuild = (descriptor: Descriptor, part: (nested: unknown) => unknown) => unknown;

const rebuilders = new Map<string, Rebuild>();
const watched = new Set<WeakRef<OwnerWatch>>();
/** The objects in {@link watched}, so that an object sent many times is watched once. */
const watchedObjects = new WeakSet<OwnerWatch>();

/** Tells {@link decode} how to rebuild descriptors of `kind`. Each shared class calls it once. */
export function registerShareable(kind: string, rebuild: Rebuild): void {
  rebuilders.set(kind, rebuild);
}

/**
 * Keeps an eye on `lock` for the threads this one starts: when one of them ends,
 * {@link threadEnded} lets the lock find out whether its holder was that thread.
 */
export function watchOwner(lock: OwnerWatch): void {
  if (watchedObjects.has(lock)) return;
  watchedObjects.add(lock);
  watched.add(new WeakRef(lock));
}

/** How many objects are watched now (for tests: it must not grow each time a lock is sent). */
export function watchedCount(): number {
  return watched.size;
}

/**
 * Called by the process registry when a worker thread has ended, so no lock waits on it forever.
 *
 * @param threadId - the worker's thread.
 * @param died - whether it died (threw, was terminated) rather than returned from its target.
 */
export function threadEnded(threadId: number, died: boolean): void {
  for (const ref of watched) {
    const lock = ref.deref();
    if (lock === undefined) watched.delete(ref);
    else lock.ownerEnded(threadId, died);
  }
}

function isShareable(value: object): value is Shareable {
  return ENCODE in value;
}

function isPlain(value: object): boolean {
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
export function encode(value: unknown, path: string, seen = new Map<object, unknown>()): unknown {
  if (typeof value === "function" || typeof value === "symbol") {
    throw new TypeError(
      `${path} is a ${typeof value}; a worker receives a copy of its arguments, and a ${typeof value} cannot be copied. ` +
        `Pass the data it needs instead (functions can be called inside target).`,
    );
  }
  if (value === null || typeof value !== "object") return value;
  const done = seen.get(value);
  if (done !== undefined) return done; // the same object twice stays one object in the worker
  if (isShareable(value)) {
    const descriptor = value[ENCODE](seen);
    seen.set(value, descriptor);
    return descriptor;
  }
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

/** Rebuilds, in a worker, what {@link encode} produced: shared objects over the same memory. */
export function decode(value: unknown, seen = new Map<object, unknown>()): unknown {
  if (value === null || typeof value !== "object") return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (globalThis.Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(decode(item, seen));
    return out;
  }
  if (!isPlain(value)) return value;
  const kind = (value as { $shared?: unknown }).$shared;
  if (typeof kind === "string") {
    const rebuild = rebuilders.get(kind);
    if (rebuild === undefined) throw new TypeError(`Cannot rebuild a shared ${kind}: its module was not loaded.`);
    const rebuilt = rebuild(value as Descriptor, (nested) => decode(nested, seen));
    seen.set(value, rebuilt);
    return rebuilt;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [key, item] of Object.entries(value)) out[key] = decode(item, seen);
  return out;
}
