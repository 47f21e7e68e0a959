/**
 * MUTANT (deliberately broken, for test/explore-pipe.test.ts): a pipe whose reader, having found no
 * item and then the sending end closed, answers EOF at once. The real one looks at the count of
 * items put again (src/queue/channel.ts, `noneSinceClose`): the writer may have counted its last
 * item between the reader's first look and its look at the close. Without the second look that
 * item is never received: the reader's loop ends with one item missing, which the scenario's
 * check reports.
 */
import { rebuiltParts } from "../../dist/queue/channel";
import { Connection } from "../../dist/queue/connection";
import { PipeChannel } from "../../dist/queue/pipe-channel";

/** The broken direction of a pipe. */
export class PipeEarlyEof extends PipeChannel {
  /** The real one looks at the count of items put again; this one does not. */
  protected override noneSinceClose(): boolean {
    return true;
  }
}

/** The receiving end `reader` (of a real `mp.Pipe(false)`), over the broken channel. */
export function broken(reader: Connection): Connection {
  const channel = (reader as unknown as { incoming: PipeChannel }).incoming;
  return new Connection(new PipeEarlyEof(...rebuiltParts(channel.buffer, channel.readLock, channel.writeLock, "Channel")), null);
}
