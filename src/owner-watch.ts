/**
 * The owner-watch list: the locks (and conditions) this thread has sent to workers, so that when
 * one of those workers ends, each can check whether it died holding the lock, or waiting.
 *
 * @packageDocumentation
 */

/** Something that may be holding a lock for a thread and must hear when that thread ends. */
export interface OwnerWatch {
  /**
   * Called in the thread that started `threadId` once that thread has ended.
   *
   * @param threadId - the thread that ended.
   * @param died - true if it did not end by returning from its target (it threw, was terminated
   *   or interrupted).
   */
  ownerEnded(threadId: number, died: boolean): void;
}

const watched = new Set<WeakRef<OwnerWatch>>();
/** The objects in {@link watched}, so that an object sent many times is watched once. */
const watchedObjects = new WeakSet<OwnerWatch>();

/**
 * Keeps an eye on `lock` for the threads this one starts: when one of them ends,
 * {@link threadEnded} lets the lock find out whether its holder was that thread.
 */
export function watchOwner(lock: OwnerWatch): void {
  if (watchedObjects.has(lock)) return;
  watchedObjects.add(lock);
  watched.add(new WeakRef(lock));
}

/** How many objects are watched now (for tests: it must not grow each time a lock is sent). */
export function watchedCount(): number {
  return watched.size;
}

/**
 * Called by the process registry when a worker thread has ended, so no lock waits on it forever.
 *
 * @param threadId - the worker's thread.
 * @param died - whether it died (threw, was terminated) rather than returned from its target.
 */
export function threadEnded(threadId: number, died: boolean): void {
  for (const ref of watched) {
    const lock = ref.deref();
    if (lock === undefined) watched.delete(ref);
    else lock.ownerEnded(threadId, died);
  }
}
