/**
 * A small helper library that reads like Python's `multiprocessing`, built on `worker_threads`,
 * `SharedArrayBuffer` and `Atomics`. Import it as a namespace: `import * as mp from "../dist"`.
 * The pictures drawn from measured data are a separate entry, `../dist/display`, which workers never load.
 *
 * @packageDocumentation
 */
export { BlockingCallError, BrokenBarrierError, ConditionError, LockOwnerDiedError, MpError, ProcessError, ReleaseError, TimeoutError } from "./errors";
export * from "./barrier";
export * from "./condition";
export * from "./event";
export * from "./lock";
export * from "./process";
export * from "./semaphore";
export * from "./shared";
export { sleep, sleepAsync } from "./thread";
export type { BigIntTypecode, ElementOf, InputOf, NumberTypecode, Typecode } from "./typecodes";
