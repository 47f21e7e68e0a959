/**
 * `Pipe` and its `Connection`s: Python's `multiprocessing.Pipe(duplex=True)` — two ends, each
 * sending copies of values to the other (or, one-way, one end that only receives and one that only
 * sends). Each direction is a channel in shared memory (pipe-channel.ts).
 *
 * @packageDocumentation
 */
import { inspect } from "node:util";
import { BlockingCallError, describe } from "../errors";
import { MAY_BLOCK } from "../thread";
import { timeoutMs } from "../options";
import { encodeShared, ENCODE, type ConnectionDescriptor, type Encoded, type Shareable } from "../transfer";
import { outgoing } from "./codec";
import { BrokenPipeError, ClosedError, EOFError, WrongEndError } from "./errors";
import { PipeChannel } from "./pipe-channel";
import { CLOSED_END, EOF, type GetResult, type PutResult, type RingOptions } from "./channel";

/**
 * Added to an `EOFError` or `BrokenPipeError` when this very thread closed the other end: most
 * likely Python's habit of closing the parent's copy of an end once a child has it, which here
 * closes the child's end too.
 */
const CLOSED_HERE =
  " That end was closed in this thread, by close() here. An end is one object shared by every thread, not a copy per process as in Python, " +
  "so closing it anywhere closes it for all: Python code closes its copy of a child's end after start(), but here that closes the child's end too. " +
  "Leave that end open here, and let the worker close it when it is done.";

/**
 * One end of a {@link Pipe}, like Python's `multiprocessing.connection.Connection`: `send` a copy
 * of a value to the other end, `recv` what the other end sent, in order. Pass it to a
 * {@link Process} in `args`; the worker gets the same end.
 *
 * In a worker `recv` waits for a value; on the main thread (a cell) use `await recvAsync()`.
 *
 * Unlike an operating system's pipe, an end is one object in shared memory, not a handle per
 * process: `close()` closes it for every thread (its `send` and `recv` then raise `ClosedError`
 * everywhere), so close an end where it is used, when it is done (the other end's `recv` then
 * raises `EOFError` once it has received everything sent before). So do not close the parent's
 * copy of a child's end after `start()`, as Python code does: that closes the child's end too.
 */
export class Connection implements Shareable {
  private closedHere = false;

  /**
   * @internal Made by {@link Pipe}, or rebuilt in a worker.
   *
   * @param incoming - the channel it receives from, or null for an end that only sends.
   * @param outgoing - the channel it sends into, or null for an end that only receives.
   */
  constructor(
    private readonly incoming: PipeChannel | null,
    private readonly outgoing: PipeChannel | null,
  ) {}

  /** Whether this end can receive (Python's `readable`). */
  get readable(): boolean {
    return this.incoming !== null;
  }

  /** Whether this end can send (Python's `writable`). */
  get writable(): boolean {
    return this.outgoing !== null;
  }

  /** Whether `close()` was called on this end in this thread. */
  get closed(): boolean {
    return this.closedHere;
  }

  private check(call: string, direction: "send" | "receive"): PipeChannel {
    if (this.closedHere) throw new ClosedError(`Connection.${call}: this end of the pipe was closed with close(); it cannot be used any more.`);
    const channel = direction === "send" ? this.outgoing : this.incoming;
    // A send finds its own end closed in the channel, under its lock (a put's first look); a recv or
    // poll is refused here, as a get looks only once there is no item.
    if (direction === "receive" && channel?.readerClosed() === true) throw Connection.closedElsewhere(call, direction);
    if (channel === null) {
      throw new WrongEndError(
        direction === "send"
          ? `Connection.${call}: this end only receives (the first end of Pipe(false)); send from the other end.`
          : `Connection.${call}: this end only sends (the second end of Pipe(false)); receive at the other end.`,
      );
    }
    return channel;
  }

  /** The error for an end that another thread closed (also when it was closed while this call waited). */
  private static closedElsewhere(call: string, direction: "send" | "receive"): ClosedError {
    return new ClosedError(
      `Connection.${call}: this end of the pipe was closed in another thread. An end is one object shared by every thread, not a copy per process as in Python, ` +
        `so close() anywhere closes it for all. Nothing was ${direction === "send" ? "sent" : "received"}. ` +
        "If that thread passed this end to a Process and then closed its copy, as Python code does after start(), it should leave the end open and let the worker close it when it is done.",
    );
  }

  private sent(result: PutResult, call: string): void {
    if (result === "closed") throw Connection.closedElsewhere(call, "send");
    if (result === "broken") {
      const here = this.outgoing?.readerClosedHere() === true;
      throw new BrokenPipeError(`Connection.${call}: the other end of the pipe was closed, so nobody would receive this. Nothing was sent.${here ? CLOSED_HERE : ""}`);
    }
    if (result === "full") throw new BlockingCallError(`Connection.${call} with the pipe's ring full`, "`await conn.sendAsync(obj)`");
  }

  private received(result: GetResult, call: string): unknown {
    if (result === CLOSED_END) throw Connection.closedElsewhere(call, "receive");
    if (result === EOF) {
      const here = this.incoming?.writerClosedHere() === true;
      throw new EOFError(`Connection.${call}: the other end of the pipe was closed and everything it sent has been received: nothing more will come.${here ? CLOSED_HERE : ""}`);
    }
    return result;
  }

  /**
   * Sends a copy of `value` to the other end, like Python's `send(obj)`. It waits only while the
   * pipe's ring is full: in a worker it waits; on the main thread that is refused (use `sendAsync`).
   *
   * @throws TypeError if the value cannot be copied; RangeError if it is bigger than the ring.
   * @throws WrongEndError on an end that only receives; ClosedError after `close()` of this end, in any thread;
   *   BrokenPipeError if the other end was closed.
   */
  send(value: unknown): void {
    const channel = this.check("send()", "send");
    this.sent(channel.put(outgoing(value, "Connection.send()"), MAY_BLOCK, "Connection.send()", "`await conn.sendAsync(obj)`"), "send()");
  }

  /** Like {@link Connection.send}, without blocking the thread. */
  async sendAsync(value: unknown): Promise<void> {
    const channel = this.check("sendAsync()", "send");
    this.sent(await channel.putAsync(outgoing(value, "Connection.sendAsync()", true), "Connection.sendAsync()"), "sendAsync()");
  }

  /**
   * Receives the next value the other end sent, waiting for one, like Python's `recv()`.
   *
   * @throws EOFError if the other end was closed and everything it sent was received.
   * @throws WrongEndError on an end that only sends; ClosedError after `close()` of this end, in any thread.
   * @throws BlockingCallError on the main thread (use {@link Connection.recvAsync}).
   */
  recv(): unknown {
    const channel = this.check("recv()", "receive");
    return this.received(channel.get("Connection.recv()", "`await conn.recvAsync()`"), "recv()");
  }

  /** Like {@link Connection.recv}, without blocking the thread: `await conn.recvAsync()`. */
  async recvAsync(): Promise<unknown> {
    const channel = this.check("recvAsync()", "receive");
    return this.received(await channel.getAsync(), "recvAsync()");
  }

  /**
   * Whether there is something to receive, like Python's `poll(timeout)`: a value, or the end
   * (then `recv` raises `EOFError`).
   *
   * @param timeout - seconds to wait for it: left out, 0 (answer at once); `null`, as long as it takes.
   * @throws BlockingCallError for a wait on the main thread (use {@link Connection.pollAsync}).
   */
  poll(timeout: number | null = 0): boolean {
    const channel = this.check("poll()", "receive");
    return channel.poll(timeoutMs(timeout, "Connection.poll()"), "Connection.poll()", "`await conn.pollAsync(timeout)`");
  }

  /** Like {@link Connection.poll}, without blocking the thread. */
  pollAsync(timeout: number | null = 0): Promise<boolean> {
    const channel = this.check("pollAsync()", "receive");
    return channel.pollAsync(timeoutMs(timeout, "Connection.pollAsync()"));
  }

  /**
   * Closes this end, for every thread (`send` and `recv` on it then raise `ClosedError` everywhere): the other end's `recv` raises `EOFError` once it has
   * received what was sent, and its `send` raises `BrokenPipeError`. Closing twice does nothing.
   */
  close(): void {
    if (this.closedHere) return;
    this.closedHere = true;
    this.outgoing?.closeWriter();
    this.incoming?.closeReader();
  }

  /** @internal How it travels to a worker: its channels. */
  [ENCODE](seen: Encoded): ConnectionDescriptor {
    return {
      $shared: "Connection",
      incoming: this.incoming === null ? null : encodeShared(this.incoming, seen),
      outgoing: this.outgoing === null ? null : encodeShared(this.outgoing, seen),
    };
  }

  /** Shows what it can do: `<Connection(send, recv)>`. */
  toString(): string {
    const can = [this.writable ? "send" : "", this.readable ? "recv" : ""].filter(Boolean).join(", ");
    return `<Connection(${can}${this.closedHere ? ", closed" : ""})>`;
  }

  /** What `console.log` shows. */
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Makes a pipe, like Python's `multiprocessing.Pipe(duplex=True)`: two {@link Connection}s. With
 * `duplex` each end sends to and receives from the other; with `duplex` false the first end only
 * receives and the second only sends.
 *
 * @param duplex - both ways (default) or one way.
 * @param options - `bytes`: the size of each direction's ring (default 1 MiB).
 * @returns `[conn1, conn2]`.
 * @throws TypeError for a `duplex` that is not a boolean.
 */
export function Pipe(duplex = true, options?: RingOptions): [Connection, Connection] {
  if (typeof duplex !== "boolean") throw new TypeError(`Pipe(): duplex must be true or false, not ${describe(duplex)}.`);
  const toFirst = new PipeChannel(options);
  if (!duplex) return [new Connection(toFirst, null), new Connection(null, toFirst)];
  const toSecond = new PipeChannel(options);
  return [new Connection(toFirst, toSecond), new Connection(toSecond, toFirst)];
}
