/**
 * Waiting for a lesson's workers with one deadline for them all, so that a lock that never lets a
 * waiter in ends the cell with a clear error instead of hanging it.
 *
 * @packageDocumentation
 */
import type { Process } from "../process";

/** What {@link runAllWithin} needs of a worker: a {@link Process} of any arguments. */
type Startable = Pick<Process, "start" | "join" | "terminate">;

/**
 * Starts `processes` and waits until every one has ended, at most `seconds` in all. If they are
 * not done by then, terminates them all and throws an Error whose message is `late()`.
 *
 * @param processes - the workers, not started yet.
 * @param seconds - how long all of them together may take.
 * @param late - what to say when they took too long (the timeout becomes its `cause`).
 */
export async function runAllWithin(processes: readonly Startable[], seconds: number, late: () => string): Promise<void> {
  for (const p of processes) p.start();
  const deadline = Date.now() + seconds * 1000;
  try {
    for (const p of processes) await p.join({ timeout: Math.max(0.001, (deadline - Date.now()) / 1000) });
  } catch (error) {
    await Promise.all(processes.map((p) => p.terminate()));
    if ((error as Error).name === "TimeoutError") throw new Error(late(), { cause: error });
    throw error;
  }
}
