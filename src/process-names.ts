/**
 * The names of running and ended processes, by worker thread id, in shared memory that every worker
 * sees, so that any thread can name a worker the way the learner knows it ("Process-3", or the name
 * they gave it) rather than by its thread id: a worker that finds a lock abandoned names the process
 * that died holding it, as the interrupt message does.
 *
 * A table of {@link SLOTS} slots, indexed by thread id modulo {@link SLOTS}: each slot holds the
 * thread id plus one (0 = empty) and up to {@link NAME_UNITS} UTF-16 units of the name. A later
 * thread that lands on the same slot overwrites it; a reader checks the id, so it never gets
 * another thread's name, only none.
 *
 * @packageDocumentation
 */

/** How many threads the table remembers at once. */
const SLOTS = 256;
/** The longest name kept, in UTF-16 units (a longer one is cut, with "…"). */
const NAME_UNITS = 60;
/** Per slot: the thread id plus one, then the name's length, then the name. */
const SLOT_BYTES = 4 + 4 + NAME_UNITS * 2;

let table: SharedArrayBuffer = new SharedArrayBuffer(SLOTS * SLOT_BYTES);

/** The table, to send with a new worker (see `src/protocol.ts`). */
export function processNamesTable(): SharedArrayBuffer {
  return table;
}

/**
 * In a worker, before its target runs: use the table of the thread that started it.
 *
 * @param shared - the table that came with the worker's start message.
 */
export function useProcessNamesTable(shared: SharedArrayBuffer): void {
  table = shared;
}

/**
 * Records that worker thread `threadId` runs the process called `name`.
 *
 * @param threadId - the worker's thread id.
 * @param name - the process's name.
 */
export function recordProcessName(threadId: number, name: string): void {
  const slot = threadId % SLOTS;
  const head = new Int32Array(table, slot * SLOT_BYTES, 2);
  const kept = name.length > NAME_UNITS ? `${name.slice(0, NAME_UNITS - 1)}…` : name;
  Atomics.store(head, 0, 0);
  const units = new Uint16Array(table, slot * SLOT_BYTES + 8, NAME_UNITS);
  for (let i = 0; i < kept.length; i++) Atomics.store(units, i, kept.charCodeAt(i));
  Atomics.store(head, 1, kept.length);
  Atomics.store(head, 0, threadId + 1);
}

/**
 * The name of the process that worker thread `threadId` runs (or ran), or `null` if the table
 * does not know it (a thread not started by `Process`, or one whose slot was taken since).
 *
 * @param threadId - a worker's thread id.
 */
export function processNameOf(threadId: number): string | null {
  const slot = threadId % SLOTS;
  const head = new Int32Array(table, slot * SLOT_BYTES, 2);
  if (Atomics.load(head, 0) !== threadId + 1) return null;
  const length = Atomics.load(head, 1);
  const units = new Uint16Array(table, slot * SLOT_BYTES + 8, NAME_UNITS);
  let name = "";
  for (let i = 0; i < length; i++) name += String.fromCharCode(Atomics.load(units, i));
  return Atomics.load(head, 0) === threadId + 1 ? name : null;
}
