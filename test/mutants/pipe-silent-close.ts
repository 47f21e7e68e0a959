/**
 * MUTANT (deliberately broken, for test/explore-pipe.test.ts): a pipe whose `close()` marks the end
 * closed and wakes nobody. The real one then moves both sequence cells and notifies their sleepers
 * (src/queue/channel.ts, `closeEnd`): a reader that found the pipe empty and sleeps until a send
 * would otherwise sleep through the close for good, which the explorer reports as a deadlock.
 */
import { atomics } from "../../dist/atomics";
import { rebuiltParts } from "../../dist/queue/channel";
import { Connection } from "../../dist/queue/connection";
import { PipeChannel } from "../../dist/queue/pipe-channel";

/** The cell of a channel that holds its closed ends (white-box: src/queue/channel.ts's CLOSED). */
const CLOSED = 50;

/** The broken direction of a pipe. */
export class PipeSilentClose extends PipeChannel {
  /** Sets the end's bit, as the real one does, and stops there. */
  protected override closeEnd(bit: number): void {
    for (;;) {
      const seen = atomics.load(this.cells, CLOSED);
      if ((seen & bit) !== 0 || atomics.compareExchange(this.cells, CLOSED, seen, seen | bit) === seen) return;
    }
  }
}

/** The end `writer` (of a real `mp.Pipe`, one-way or both ways) with the direction it sends into over the broken channel. */
export function broken(writer: Connection): Connection {
  const { incoming, outgoing: channel } = writer as unknown as { incoming: PipeChannel | null; outgoing: PipeChannel };
  return new Connection(incoming, new PipeSilentClose(...rebuiltParts(channel.buffer, channel.readLock, channel.writeLock, "Channel")));
}
