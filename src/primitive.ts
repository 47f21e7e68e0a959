/**
 * What every synchronisation object has in common: a few `Int32` cells of shared memory ending with
 * its kind mark, a way to travel to a worker, and a readable display.
 *
 * @packageDocumentation
 */
import { inspect } from "node:util";
import { kindMark } from "./kind-mark";
import { atomics } from "./atomics";
import { watchOwner, type OwnerWatch } from "./owner-watch";
import { ENCODE, type Descriptor, type Encoded, type MemoryKind, type Shareable } from "./transfer";

/**
 * The base of `Semaphore`, `Event`, `Condition` and `Barrier`: shared cells that travel to a
 * worker by memory and are rebuilt there.
 */
export abstract class SharedPrimitive implements Shareable, OwnerWatch {
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
   * @internal How it travels to a worker: its descriptor, and from now on this thread watches the
   * workers it starts, so that one dying does not leave the others asleep (see {@link ownerEnded}).
   *
   * @param seen - what has been encoded so far in the same message.
   */
  [ENCODE](seen: Encoded): Descriptor {
    watchOwner(this);
    return this.describe(seen);
  }

  /** What it travels as: its memory (a Condition and a Barrier add their parts). */
  protected describe(_seen: Encoded): Descriptor {
    return { $shared: this.kind as MemoryKind, buffer: this.buffer };
  }

  /**
   * @internal Called in the thread that started `threadId` once it has ended. A thread that died
   * may have died between changing a cell and the `notify` that should follow (a release, a `set()`,
   * a `notify()`), leaving sleepers asleep for good; so after a death every sleeper on every cell
   * is woken, to look again. (Found by the explorer: `test/explore-lock.test.ts`.)
   */
  ownerEnded(_threadId: number, died: boolean): void {
    if (!died) return;
    for (let i = 0; i < this.cells.length - 1; i++) atomics.notify(this.cells, i);
  }

  /** A one-line description of the state, such as `<Semaphore(value=2)>`. */
  abstract toString(): string;

  /** What `console.log` and a cell's last expression show. */
  [inspect.custom](): string {
    return this.toString();
  }
}
