/**
 * The `Atomics.Mutex` rows, in a Node process of their own started with `--harmony-struct` (the
 * flag must be on the node command line). Kept apart because that flag turns on V8's shared heap,
 * with which Node 20 crashes or deadlocks when workers start or end during garbage collection:
 * this process starts its workers once (as many as its first argument says), and every run reuses
 * them (see harness.ts).
 *
 * Protocol, over the IPC channel of `child_process.fork`: the child sends `{ ready: true }` or
 * `{ skipped }`; then for every `{ workers, n, warmup }` it receives, it answers `{ seconds }` or
 * `{ error }` (and exits, so the parent starts a fresh one for the next run).
 *
 * @packageDocumentation
 */
import { AtomicsMutex, v8Mutex } from "./bodies";
import { counter, WorkerPool } from "./harness";
import type { MutexReply, MutexRequest } from "./mutex";

function send(reply: MutexReply, then?: () => void): void {
  process.send?.(reply, then);
}

async function main(): Promise<void> {
  const Mutex = AtomicsMutex;
  if (Mutex === undefined) {
    send({ skipped: "skipped: Atomics.Mutex absent (this Node's V8 has no --harmony-struct)" });
    return;
  }
  const size = Number(process.argv[2]);
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`mutex-child: the pool size must be a whole number ≥ 1, not ${process.argv[2]}`);
  const pool = await WorkerPool.start(size);
  process.on("message", (request: MutexRequest) => {
    pool.time(v8Mutex, { count: counter(), mutex: new Mutex() }, request.workers, request.n, request.warmup).then(
      (seconds) => send({ seconds }),
      (error: Error) => send({ error: error.message }, () => process.exit(1)),
    );
  });
  // Ending the workers one by one could meet the same crash: exit with them instead.
  process.on("disconnect", () => process.exit(0));
  send({ ready: true });
}

void main();
