/**
 * Reading what a learner passes to `Pool`: the number of workers, `maxtasksperchild`, and a call's
 * `chunksize` (with Python's default for `map`). Each check throws a `TypeError` or `RangeError`
 * that names the call, the value and what is allowed.
 *
 * @packageDocumentation
 */
import { availableParallelism } from "node:os";
import { describe } from "../errors";
import { checkCount, optionsObject } from "../options";
import { targetSource } from "../target";
import { encode } from "../transfer";

/** Options of a new `Pool`, as Python's `Pool(processes, initializer, initargs, maxtasksperchild)`. */
export interface PoolOptions {
  /** How many workers; default: as many as the machine has cores (Python's `os.cpu_count()`). */
  readonly processes?: number;
  /**
   * How many tasks a worker runs before it is replaced by a fresh one; left out (or `null`): a
   * worker lives as long as the pool. A chunk of a `map` counts as one task, as in Python.
   */
  readonly maxtasksperchild?: number | null;
  /**
   * A function each worker calls once, with `initargs`, when it starts and before its first task,
   * as Python's `initializer`: to set up what every task of that worker uses (a shared `Lock` or
   * `Value` kept in a global, a module loaded once). A fresh worker (after `maxtasksperchild`, or in
   * place of one that died) calls it too. It runs from its source text, like a task's function.
   */
  readonly initializer?: ((...args: never[]) => unknown) | null;
  /** The arguments of `initializer` (Python's `initargs`): shared objects travel by memory, the rest as copies. */
  readonly initargs?: readonly unknown[];
}

/** Options of `map`, `starmap`, `imap` and `imapUnordered`. */
export interface MapOptions {
  /**
   * How many items go to a worker as one task. `map`'s default is Python's: the items divided into
   * about four chunks per worker; `imap`'s is 1.
   */
  readonly chunksize?: number;
}

/** The checked options of a new pool. */
export interface PoolSettings {
  /** How many workers. */
  readonly processes: number;
  /** Tasks per worker before it is replaced, or `Infinity`. */
  readonly maxtasksperchild: number;
  /** The initializer, as checked source text and encoded arguments, or `null`. */
  readonly initializer: PoolInitializer | null;
}

/** A pool's initializer on its way to each worker. */
export interface PoolInitializer {
  /** Its source text, checked by `targetSource`. */
  readonly source: string;
  /** Its name, for messages (`""` if it has none). */
  readonly label: string;
  /** Its encoded arguments. */
  readonly args: unknown[];
}

/**
 * Reads `new Pool(processes, options)`, `new Pool(options)` or `new Pool()`.
 *
 * @throws TypeError or RangeError naming the bad value.
 */
export function poolSettings(first: unknown, second: unknown): PoolSettings {
  let options: PoolOptions;
  if (typeof first === "object" && first !== null) {
    if (second !== undefined) throw new TypeError(`Pool(): pass either new Pool(2, { maxtasksperchild: 10 }) or new Pool({ processes: 2, maxtasksperchild: 10 }), not two objects.`);
    options = first as PoolOptions;
  } else {
    options = optionsObject(second, "Pool()") as PoolOptions;
    if (first !== undefined && first !== null) options = { ...options, processes: first as number };
  }
  const { processes, maxtasksperchild, initializer, initargs } = options;
  if (processes !== undefined && typeof processes !== "number") {
    throw new TypeError(`Pool(): processes must be a whole number of workers, such as 2, not ${describe(processes)}.`);
  }
  return {
    processes: processes === undefined ? availableParallelism() : checkCount(processes, "Pool(): processes (the number of workers)", 1),
    maxtasksperchild:
      maxtasksperchild === undefined || maxtasksperchild === null ? Infinity : checkCount(maxtasksperchild, "Pool(): maxtasksperchild", 1),
    initializer: initializerOf(initializer, initargs),
  };
}

/** Checks `initializer` and `initargs` and makes them ready to travel. */
function initializerOf(initializer: unknown, initargs: unknown): PoolInitializer | null {
  if (initializer === undefined || initializer === null) {
    if (initargs !== undefined) throw new TypeError(`Pool(): initargs were given without an initializer: pass { initializer: setup, initargs: [...] }.`);
    return null;
  }
  const source = targetSource(initializer, "Pool()", "initializer");
  if (initargs !== undefined && !Array.isArray(initargs)) {
    throw new TypeError(`Pool(): initargs must be an array of arguments for the initializer, such as [lock], not ${describe(initargs)}.`);
  }
  return { source, label: (initializer as { name: string }).name, args: encode(initargs ?? [], "Pool(): initargs") as unknown[] };
}

/**
 * The chunksize of a call: the one given (checked), or, for `map` and `starmap` over `length`
 * items, Python's default (the items in about four chunks per worker); 1 for `imap`.
 *
 * @param options - what the learner passed.
 * @param where - the call, for messages.
 * @param length - the number of items, when known (`map`), else `null` (`imap`).
 * @param workers - the pool's size.
 */
export function chunksizeOf(options: unknown, where: string, length: number | null, workers: number): number {
  const { chunksize } = optionsObject(options, where) as MapOptions;
  if (chunksize !== undefined) return checkCount(chunksize, `${where}: chunksize`, 1);
  if (length === null) return 1;
  return Math.max(1, Math.ceil(length / (workers * 4)));
}
