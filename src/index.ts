/**
 * A small helper library that reads like Python's `multiprocessing`, built on `worker_threads`,
 * `SharedArrayBuffer` and `Atomics`. Import it as a namespace: `import * as mp from "../dist"`.
 * The pictures drawn from measured data are a separate entry, `../dist/display`, which workers never load.
 *
 * @packageDocumentation
 */
export { BlockingCallError, BrokenBarrierError, ConditionError, LockOwnerDiedError, MaybeEncodingError, MpError, PoolStateError, ProcessError, ProcessStateError, ReleaseError, TaskError, TimeoutError } from "./errors";
export { Barrier, type BarrierAction, type BarrierOptions } from "./barrier";
export * from "./condition";
export * from "./event";
export * from "./lock";
export * from "./pool";
export * from "./process";
export * from "./queue";
export * from "./semaphore";
export { Array, SharedArrayBase, SharedValue, Value, type SharedArray, type SharedOptions } from "./shared";
export { sleep, sleepAsync } from "./sleep";
export type { BigIntTypecode, ElementOf, InputOf, NumberTypecode, Typecode } from "./typecodes";
export * from "./explore";
