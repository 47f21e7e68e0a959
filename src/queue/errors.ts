/**
 * The errors of queues and pipes, named as Python's: `queue.Full` and `queue.Empty`, `EOFError`,
 * `BrokenPipeError`; and two for a handle used wrongly (Python's `ValueError`/`OSError` there).
 *
 * @packageDocumentation
 */
import { MpError } from "../errors";

/**
 * `put({ block: false })`, `putNowait()`, or a `put` whose timeout ran out, found the queue full,
 * like Python's `queue.Full`. Nothing was added.
 */
export class Full extends MpError {}

/**
 * `get({ block: false })`, `getNowait()`, or a `get` whose timeout ran out, found the queue empty,
 * like Python's `queue.Empty`. Nothing was taken.
 */
export class Empty extends MpError {}

/**
 * A queue or a connection was used after `close()`: a queue's in this thread, a connection's end in
 * any thread, as an end is one object that every thread shares (Python raises `ValueError` for a
 * queue, `OSError: handle is closed` for a connection).
 */
export class ClosedError extends MpError {}

/**
 * `recv()` on a connection whose other end was closed, once everything it sent has been received,
 * like Python's `EOFError`: nothing more will ever come.
 */
export class EOFError extends MpError {}

/** `send()` on a connection whose other end was closed, like Python's `BrokenPipeError`: nobody would ever receive it. */
export class BrokenPipeError extends MpError {}

/**
 * An end of a one-way pipe used the wrong way: `send()` on the receiving end of `Pipe(false)`, or
 * `recv()` on its sending end (Python raises `OSError: connection is read-only`/`write-only`).
 */
export class WrongEndError extends MpError {}
