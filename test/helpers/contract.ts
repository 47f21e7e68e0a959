/**
 * What every shared primitive promises, written once and run for each class (like async-mutex's
 * reusable suites): it travels to a worker and back over the same memory, `fromBuffer` rebuilds it
 * and refuses foreign memory, its blocking call is refused on the main thread while the async twin
 * works there, and its timeouts are checked.
 */
import { describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as mp from "../../dist";
import { fails, run } from "./util";

/** How one class meets the contract. */
export interface PrimitiveSpec<T extends { readonly buffer: SharedArrayBuffer }> {
  /** The class name, as its messages say it. */
  readonly kind: string;
  /** A new instance in a state where the async twin settles at once (a free lock, a set event...). */
  readonly make: () => T;
  /** The class's `fromBuffer`, with any parts it needs taken from `original`. */
  readonly fromBuffer: (buffer: unknown, original: T) => T;
  /** Runs in a worker (a target: only its arguments and globals) and changes the shared state. */
  readonly changeInWorker: (shared: T) => void;
  /** What the main thread reads of the state, before and after the worker's change. */
  readonly observe: (shared: T) => string;
  /** The blocking call, refused on the main thread (made where it would have to wait). */
  readonly blocking: (shared: T) => unknown;
  /** The async twin on the main thread, settling at once on a fresh instance. */
  readonly asyncTwin: (shared: T) => Promise<unknown>;
  /** A call taking `{ timeout }`, to check bad timeouts are refused (on the main thread). */
  readonly withTimeout: (shared: T, timeout: unknown) => unknown;
}

/** Runs the contract's tests for one class. */
export function primitiveContract<T extends { readonly buffer: SharedArrayBuffer }>(spec: PrimitiveSpec<T>): void {
  describe(`${spec.kind} keeps the shared-primitive contract`, () => {
    test("travels to a worker over the same memory: the worker's change is seen here", async () => {
      const shared = spec.make();
      const before = spec.observe(shared);
      await run(spec.changeInWorker, [shared]);
      assert.notEqual(spec.observe(shared), before, "the worker's change did not reach this thread");
    });

    test("fromBuffer() rebuilds it over the same memory, and refuses other memory", async () => {
      const shared = spec.make();
      const twin = spec.fromBuffer(shared.buffer, shared);
      assert.equal(twin.buffer, shared.buffer);
      const before = spec.observe(shared);
      await run(spec.changeInWorker, [twin]);
      assert.notEqual(spec.observe(shared), before);
      const where = `${spec.kind}.fromBuffer()`;
      assert.throws(() => spec.fromBuffer(new SharedArrayBuffer(shared.buffer.byteLength), shared), fails(TypeError, where, "another kind"));
      assert.throws(() => spec.fromBuffer(new SharedArrayBuffer(4), shared), fails(TypeError, where, `${shared.buffer.byteLength} bytes`));
      assert.throws(() => spec.fromBuffer(new ArrayBuffer(shared.buffer.byteLength), shared), fails(TypeError, where));
      assert.throws(() => spec.fromBuffer(undefined, shared), fails(TypeError, where));
    });

    test("the blocking call is refused on the main thread, and its async twin works there", async () => {
      const shared = spec.make();
      assert.throws(() => spec.blocking(shared), fails(mp.BlockingCallError, "main thread", "Async"));
      await spec.asyncTwin(spec.make());
    });

    test("bad timeouts are refused, naming the value", async () => {
      const shared = spec.make();
      const refused = async (timeout: unknown, cls: typeof TypeError | typeof RangeError, part: string) => {
        try {
          await spec.withTimeout(shared, timeout);
        } catch (error) {
          fails(cls, part)(error);
          return;
        }
        assert.fail(`a timeout of ${String(timeout)} was accepted`);
      };
      await refused(-1, RangeError, "-1");
      await refused(NaN, TypeError, "NaN");
      await refused("1", TypeError, '"1"');
    });
  });
}
