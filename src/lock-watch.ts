/**
 * A hook for watching a thread wait for a {@link Lock} (notebook 5 draws it live): what the
 * thread is doing inside a blocking `acquire()` that did not find the lock free at once. Nothing
 * in the library sets it; with no watcher, each change of state costs one comparison, and the
 * fast path (a free lock) none.
 *
 * @packageDocumentation
 */

/**
 * What a thread waiting in `Lock.acquire()` is doing: `"spinning"` (looking at the lock again
 * and again, awake), `"sleeping"` (in `Atomics.wait`, until a release wakes it), `"napping"`
 * (woken, it found the lock taken again, and pauses 1 ms before it sleeps again), or `"done"`
 * (the wait is over: it holds the lock, or gave up).
 */
export type LockWaitState = "spinning" | "sleeping" | "napping" | "done";

/** Told of each change of state of this thread's waits for a lock. */
export type LockWaitWatcher = (state: LockWaitState) => void;

let watcher: LockWaitWatcher | undefined;

/**
 * Tells `watch` (in this thread only) whenever a wait of this thread for a lock changes state;
 * `undefined` stops watching. Call it at the start of a worker's target, and record cheaply (an
 * `Atomics.add` on a shared log): it runs inside `acquire()`.
 *
 * @param watch - the watcher, or `undefined`.
 * @throws TypeError for anything else.
 */
export function watchLockWaits(watch: LockWaitWatcher | undefined): void {
  if (watch !== undefined && typeof watch !== "function") throw new TypeError("watchLockWaits(): pass a function called with each state (\"spinning\", \"sleeping\", \"napping\", \"done\"), or undefined to stop.");
  watcher = watch;
}

/** Called by the lock: the waiting thread is now in `state`. */
export function lockWaitIs(state: LockWaitState): void {
  if (watcher !== undefined) watcher(state);
}
