/**
 * The pool: `Pool`, the `AsyncResult` of its `…Async` calls, the iterator of `imap`, and their options.
 *
 * @packageDocumentation
 */
export { AsyncResult, type ResultWaitOptions } from "./async-result";
export { IMapIterator, type NextOptions } from "./imap-iterator";
export { Pool } from "./pool";
export type { MapOptions, PoolOptions } from "./pool-options";
