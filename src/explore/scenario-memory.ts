/**
 * The shared memory of an explored scenario: every `SharedArrayBuffer` reachable from its encoded
 * arguments, found in the same order on both sides (so a buffer's index names it in the scheduler's
 * protocol), with a name for traces, a snapshot taken before the first run and restored before each
 * run (stateless model checking re-runs every schedule from the same start). The memory is that of
 * the library's shared objects (`Value`, `Lock`, ...) and of raw typed arrays over a
 * `SharedArrayBuffer` (`new Int32Array(new SharedArrayBuffer(12))`), which a thread sees through a
 * scheduled view (raw-memory.ts).
 *
 * @packageDocumentation
 */
import { view, type AnyTypedArray, type Typecode } from "../typecodes";

/** One buffer of the scenario, as the scheduler sees it. */
export interface ScenarioBuffer {
  /** The memory. */
  readonly buffer: SharedArrayBuffer;
  /** The object's kind: `"Value"`, `"Lock"`, ..., or `"raw"` for raw typed arrays. */
  readonly kind: string;
  /** Where it sits in the arguments, as a name for traces: `"b"`, `"args[1].lock"`. */
  readonly name: string;
  /** The view its elements are read through (Int32 cells for the primitives, the first raw typed array). */
  readonly elements: AnyTypedArray;
  /** For raw memory: each typed array over it in the arguments, with its name (`flags`). */
  readonly views: Array<{ readonly name: string; readonly view: AnyTypedArray }>;
}

/** Whether `value` is a typed array (not a DataView) over a `SharedArrayBuffer`: raw shared memory. */
export function isRawView(value: unknown): value is AnyTypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && value.buffer instanceof SharedArrayBuffer;
}

/**
 * Finds the buffers of the shared objects and raw typed arrays in `encoded` (what `encode(args)`
 * made), in a fixed order: depth first, each buffer once.
 *
 * @param encoded - the encoded arguments.
 * @param names - names for the top-level arguments (default `args[i]`).
 * @throws TypeError for shared memory a thread could touch unseen: a `SharedArrayBuffer` or a
 *   `DataView` over one (pass a typed array over it instead).
 */
export function scenarioBuffers(encoded: readonly unknown[], names: readonly string[] = []): ScenarioBuffer[] {
  const found: ScenarioBuffer[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown, name: string): void => {
    if (value === null || typeof value !== "object" || seen.has(value)) return;
    seen.add(value);
    if (isRawView(value)) {
      const known = found.find((b) => b.buffer === value.buffer);
      if (known === undefined) found.push({ buffer: value.buffer as SharedArrayBuffer, kind: "raw", name, elements: value, views: [{ name, view: value }] });
      else known.views.push({ name, view: value });
      return;
    }
    if (value instanceof SharedArrayBuffer || (value instanceof DataView && value.buffer instanceof SharedArrayBuffer)) {
      const what = value instanceof DataView ? "a DataView over a SharedArrayBuffer" : "a SharedArrayBuffer";
      throw new TypeError(
        `${name} is ${what}: the explorer cannot see a thread's reads and writes through it. ` +
          `Pass a typed array over the memory instead (such as new Int32Array(buffer)): its elements and Atomics calls are steps.`,
      );
    }
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
      found.push({ buffer, kind, name, elements, views: [] });
    }
    const descriptor = typeof kind === "string";
    for (const [key, item] of Object.entries(fields)) if (!descriptor || key !== "buffer") walk(item, `${name}.${key}`);
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
 * How a trace names the cell at byte `byte` of a buffer: `b.value` for a Value, `lock[0]` for a
 * shared object's cell, `flags[2]` for element 2 of the raw typed array `flags`.
 */
export function cellName(buffer: ScenarioBuffer, byte: number): string {
  if (buffer.kind === "Value") return `${buffer.name}.value`;
  const named = buffer.views.find(({ view }) => byte >= view.byteOffset && byte < view.byteOffset + view.byteLength) ?? { name: buffer.name, view: buffer.elements };
  return `${named.name}[${(byte - named.view.byteOffset) / named.view.BYTES_PER_ELEMENT}]`;
}
