/**
 * What every synchronisation object has in common: a few `Int32` cells of shared memory ending with
 * its kind mark, a way to travel to a worker, and a readable display.
 *
 * @packageDocumentation
 */
import { inspect } from "node:util";
import { kindMark } from "./kind-mark";
import { ENCODE, type Descriptor, type Encoded, type MemoryKind, type Shareable } from "./transfer";

/**
 * The base of `Semaphore`, `Event`, `Condition` and `Barrier`: shared cells that travel to a
 * worker by memory and are rebuilt there.
 */
export abstract class SharedPrimitive implements Shareable {
  /** The object's shared memory: the same bytes in every thread that has it. */
  readonly buffer: SharedArrayBuffer;
  /** The same memory as 32-bit integers. */
  protected readonly cells: Int32Array;

  /**
   * @param cells - the memory to rebuild over (checked by `fromBuffer`), or how many cells fresh
   *   memory needs: it gets one more, holding the kind mark (see {@link kindMark}).
   */
  protected constructor(cells: Int32Array | number) {
    if (typeof cells === "number") {
      const fresh = new Int32Array(new SharedArrayBuffer((cells + 1) * 4));
      // `kind` is a getter on the subclass's prototype, so it is there before any constructor runs.
      fresh[cells] = kindMark((this as unknown as { readonly kind: string }).kind);
      cells = fresh;
    }
    this.cells = cells;
    this.buffer = cells.buffer as SharedArrayBuffer;
  }

  /**
   * The kind of object, such as `"Lock"`: in messages, and on the trip to a worker, where the same
   * kind is rebuilt (a subclass travels as its library class: its own code cannot travel).
   */
  protected abstract get kind(): Descriptor["$shared"];

  /**
   * @internal How it travels to a worker: as its memory (a Condition and a Barrier add their parts).
   *
   * @param seen - what has been encoded so far in the same message.
   */
  [ENCODE](_seen: Encoded): Descriptor {
    return { $shared: this.kind as MemoryKind, buffer: this.buffer };
  }

  /** A one-line description of the state, such as `<Semaphore(value=2)>`. */
  abstract toString(): string;

  /** What `console.log` and a cell's last expression show. */
  [inspect.custom](): string {
    return this.toString();
  }
}
