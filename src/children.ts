/**
 * The registry of what this thread has running in workers — each `Process`, and each `Pool` with its
 * workers — so that none is left running unseen: the host hears when the first starts and the last
 * ends (the tslab host ends them all on an interrupt), and `terminateAll()` can reach them.
 *
 * @packageDocumentation
 */
import { host } from "./host";

/** Something running in workers that can be ended at once: a `Process`, or a `Pool` and its workers. */
export interface Child {
  /** Its name, for messages, such as `"Process-1"` or `"Pool-1"`. */
  readonly name: string;
  /** Ends its workers now, wherever they are. */
  terminate(): Promise<void>;
}

const live = new Set<Child>();

/**
 * Tells the host, from the event loop, whether workers run now (the tslab host listens for
 * interrupts while they do). Never called directly during a cell's synchronous code: see
 * `src/tslab-host.ts`.
 */
function updateHost(): void {
  host().workersRunning(live.size > 0, () => {
    const names = [...live].map((c) => c.name);
    return { names, ended: endChildren().then(() => undefined) };
  });
}

/** Adds `child` to the running ones (from when its workers start). */
export function track(child: Child): void {
  live.add(child);
  setImmediate(updateHost);
}

/** Takes `child` out of the running ones (once its workers have ended). */
export function untrack(child: Child): void {
  live.delete(child);
  setImmediate(updateHost);
}

/** What runs now, oldest first. */
export function liveChildren(): Child[] {
  return [...live];
}

/**
 * Ends everything that runs now.
 *
 * @returns how many children it ended (a pool counts once).
 */
export async function endChildren(): Promise<number> {
  const running = liveChildren();
  await Promise.all(running.map((c) => c.terminate()));
  return running.length;
}
