/**
 * Passing messages instead of sharing memory: `Queue`, `SimpleQueue`, `JoinableQueue` and `Pipe`,
 * as in Python's `multiprocessing`, with their items in shared memory.
 *
 * @packageDocumentation
 */
export { type BlockOptions } from "./block-options";
export { DEFAULT_RING_BYTES, type RingOptions } from "./channel";
export { Connection, Pipe } from "./connection";
export { BrokenPipeError, ClosedError, Empty, EOFError, Full, WrongEndError } from "./errors";
export { JoinableQueue } from "./joinable-queue";
export { Queue, type AsyncQueueOptions } from "./queue";
export { SimpleQueue } from "./simple-queue";
