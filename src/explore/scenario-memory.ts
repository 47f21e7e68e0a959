/**
 * The shared memory of an explored scenario: every `SharedArrayBuffer` reachable from its encoded
 * arguments, found in the same order on both sides (so a buffer's index names it in the scheduler's
 * protocol), with a name for traces, a snapshot taken before the first run and restored before each
 * run (stateless model checking re-runs every schedule from the same start).
 *
 * @packageDocumentation
 */
import { view, type AnyTypedArray, type Typecode } from "../typecodes";

/** One buffer of the scenario, as the scheduler sees it. */
export interface ScenarioBuffer {
  /** The memory. */
  readonly buffer: SharedArrayBuffer;
  /** The object's kind: `"Value"`, `"Lock"`, ... */
  readonly kind: string;
  /** Where it sits in the arguments, as a name for traces: `"b"`, `"args[1].lock"`. */
  readonly name: string;
  /** The view its elements are read through (Int32 cells for the primitives). */
  readonly elements: AnyTypedArray;
}

/**
 * Finds the buffers of the shared objects in `encoded` (what `encode(args)` made), in a fixed
 * order: depth first, each buffer once.
 *
 * @param encoded - the encoded arguments.
 * @param names - names for the top-level arguments (default `args[i]`).
 */
export function scenarioBuffers(encoded: readonly unknown[], names: readonly string[] = []): ScenarioBuffer[] {
  const found: ScenarioBuffer[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown, name: string): void => {
    if (value === null || typeof value !== "object" || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${name}[${i}]`));
      return;
    }
    const fields = value as Record<string, unknown>;
    const kind = fields.$shared;
    const buffer = fields.buffer;
    if (typeof kind === "string" && buffer instanceof SharedArrayBuffer && !found.some((b) => b.buffer === buffer)) {
      const typecode = fields.typecode as Typecode | undefined;
      const elements = typecode === undefined ? new Int32Array(buffer) : view(typecode, buffer, fields.length as number);
      found.push({ buffer, kind, name, elements });
    }
    for (const [key, item] of Object.entries(fields)) if (key !== "buffer") walk(item, `${name}.${key}`);
  };
  encoded.forEach((arg, i) => walk(arg, names[i] ?? `args[${i}]`));
  return found;
}

/** A copy of every buffer's bytes. */
export function snapshot(buffers: readonly ScenarioBuffer[]): Uint8Array[] {
  return buffers.map((b) => new Uint8Array(b.buffer).slice());
}

/** Puts the bytes of a {@link snapshot} back. */
export function restore(buffers: readonly ScenarioBuffer[], bytes: readonly Uint8Array[]): void {
  buffers.forEach((b, i) => new Uint8Array(b.buffer).set(bytes[i]));
}

/**
 * How a trace names element `index` of a buffer: `b.value` for a Value, `lock[0]` otherwise.
 */
export function cellName(buffer: ScenarioBuffer, index: number): string {
  return buffer.kind === "Value" ? `${buffer.name}.value` : `${buffer.name}[${index}]`;
}
