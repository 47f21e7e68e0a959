/**
 * One direction of a `Pipe`: a channel with no item limit whose two ends can be closed, and whose
 * reader may be polling as well as receiving.
 *
 * @packageDocumentation
 */
import type { Lock } from "../lock";
import { Channel, freshCells, freshLocks, isChannelLocks, rebuiltParts, READER_CLOSED, type ChannelLocks, WRITER_CLOSED, type GetResult, type PutResult, type RingOptions } from "./channel";
import type { QueueKind } from "../transfer";
import type { Outgoing } from "./codec";

const KIND = "Channel";

/** @internal One direction of a pipe: what a `Connection` sends into or receives from. */
export class PipeChannel extends Channel {
  /** Makes a fresh channel (`options.bytes`: its ring). */
  constructor(options?: RingOptions);
  /** Rebuilds one over existing memory; use `fromBuffer`. */
  constructor(locks: ChannelLocks, cells: Int32Array);
  constructor(first?: RingOptions | ChannelLocks, cells?: Int32Array) {
    super(...(isChannelLocks(first) && cells instanceof Int32Array ? [first, cells] as const : [freshLocks(), freshCells(KIND, 0, first as RingOptions | undefined, "Pipe()")] as const));
  }

  /** Rebuilds one over memory another made, with its two locks. */
  static fromBuffer(buffer: SharedArrayBuffer, readLock: Lock, writeLock: Lock): PipeChannel {
    return new PipeChannel(...rebuiltParts(buffer, readLock, writeLock, KIND));
  }

  protected get kind(): QueueKind {
    return KIND;
  }

  /** A pipe's ends can be closed. */
  protected override hasEnds(): true {
    return true;
  }

  /** Sends an item (codec.ts, `outgoing`); see `Channel.send`. */
  put(item: Outgoing, block: boolean, where: string, instead: string): PutResult {
    return this.send(item, block, block ? Infinity : 0, where, instead);
  }

  /** Sends without blocking the thread. */
  putAsync(item: Outgoing, where: string): Promise<PutResult> {
    return this.sendAsync(item, Infinity, where);
  }

  /** Receives; see `Channel.receive`. */
  get(where: string, instead: string): GetResult {
    return this.receive(true, Infinity, where, instead);
  }

  /** Receives without blocking the thread. */
  getAsync(): Promise<GetResult> {
    return this.receiveAsync(Infinity);
  }

  /** Waits at most `ms` for an item or the end; see `Channel.ready`. */
  poll(ms: number, where: string, instead: string): boolean {
    return this.ready(ms, where, instead);
  }

  /** Like {@link PipeChannel.poll}, without blocking the thread. */
  pollAsync(ms: number): Promise<boolean> {
    return this.readyAsync(ms);
  }

  /** Marks the sending end closed: the reader gets EOF once it has received what was sent. */
  closeWriter(): void {
    this.closeEnd(WRITER_CLOSED);
  }

  /** Marks the receiving end closed: a sender gets BrokenPipeError. */
  closeReader(): void {
    this.closeEnd(READER_CLOSED);
  }

  /** Whether the receiving end was closed, in any thread. */
  readerClosed(): boolean {
    return (this.closedEnds() & READER_CLOSED) !== 0;
  }

  /** Whether the sending end was first closed by this thread. */
  writerClosedHere(): boolean {
    return this.closedByThisThread(WRITER_CLOSED);
  }

  /** Whether the receiving end was first closed by this thread. */
  readerClosedHere(): boolean {
    return this.closedByThisThread(READER_CLOSED);
  }

  /** Shows the state. */
  toString(): string {
    return `<Channel(items=${this.items()}, closed=${this.closedEnds()})>`;
  }
}
