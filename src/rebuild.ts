/**
 * The other end of `src/transfer.ts`: in a worker, rebuilds each descriptor into the same kind of
 * object over the same memory. One table names every kind and how it is rebuilt.
 *
 * @packageDocumentation
 */
import { Barrier, rebuildBarrier } from "./barrier";
import { Condition } from "./condition";
import { Event } from "./event";
import { Lock, RLock } from "./lock";
import { BoundedSemaphore, Semaphore } from "./semaphore";
import { rebuildArray, rebuildValue } from "./shared";
import { Connection } from "./queue/connection";
import { JoinableQueue } from "./queue/joinable-queue";
import { PipeChannel } from "./queue/pipe-channel";
import { Queue } from "./queue/queue";
import { SimpleQueue } from "./queue/simple-queue";
import { isPlain, type Descriptor, type DescriptorOf } from "./transfer";

/** Rebuilds a descriptor nested in another (a Condition's lock, a Value's lock). */
type Part = (nested: Descriptor | null) => unknown;

/** How each kind is rebuilt. */
const REBUILD: { readonly [K in Descriptor["$shared"]]: (descriptor: DescriptorOf<K>, part: Part) => unknown } = {
  Lock: (d) => Lock.fromBuffer(d.buffer),
  RLock: (d) => RLock.fromBuffer(d.buffer),
  Semaphore: (d) => Semaphore.fromBuffer(d.buffer),
  BoundedSemaphore: (d) => BoundedSemaphore.fromBuffer(d.buffer),
  Event: (d) => Event.fromBuffer(d.buffer),
  Condition: (d, part) => Condition.fromBuffer(d.buffer, part(d.lock) as Lock),
  Barrier: (d): Barrier => rebuildBarrier(d),
  Value: (d, part) => rebuildValue(d, part(d.lock) as Lock | null),
  Array: (d, part) => rebuildArray(d, part(d.lock) as Lock | null),
  Queue: (d, part) => Queue.fromBuffer(d.buffer, part(d.readLock) as Lock, part(d.writeLock) as Lock),
  SimpleQueue: (d, part) => SimpleQueue.fromBuffer(d.buffer, part(d.readLock) as Lock, part(d.writeLock) as Lock),
  JoinableQueue: (d, part) => JoinableQueue.fromBuffer(d.buffer, part(d.readLock) as Lock, part(d.writeLock) as Lock),
  Channel: (d, part) => PipeChannel.fromBuffer(d.buffer, part(d.readLock) as Lock, part(d.writeLock) as Lock),
  Connection: (d, part) => new Connection(part(d.incoming) as PipeChannel | null, part(d.outgoing) as PipeChannel | null),
};

function isDescriptor(value: object): value is Descriptor {
  const kind = (value as { $shared?: unknown }).$shared;
  return typeof kind === "string" && Object.prototype.hasOwnProperty.call(REBUILD, kind);
}

/** Rebuilds one descriptor with its kind's entry of the table. */
function rebuild<K extends Descriptor["$shared"]>(descriptor: DescriptorOf<K>, part: Part): unknown {
  return (REBUILD[descriptor.$shared as K] as (d: DescriptorOf<K>, part: Part) => unknown)(descriptor, part);
}

/**
 * Rebuilds, in a worker, what `encode` produced: shared objects over the same memory, the rest as
 * they came. A descriptor that arrives twice (the same object sent twice) becomes one object.
 *
 * @param value - what arrived, usually a process's encoded `args`.
 * @throws TypeError for a descriptor of a kind this library does not know.
 */
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
  if (isDescriptor(value)) {
    const rebuilt = rebuild(value, (nested) => decode(nested, seen));
    seen.set(value, rebuilt);
    return rebuilt;
  }
  if (typeof (value as { $shared?: unknown }).$shared === "string") {
    throw new TypeError(`Cannot rebuild a shared ${String((value as { $shared: unknown }).$shared)}: this library has no such kind.`);
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [key, item] of Object.entries(value)) out[key] = decode(item, seen);
  return out;
}
