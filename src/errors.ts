/**
 * The errors this library throws, besides the standard `TypeError` and `RangeError` it uses for
 * bad arguments. Each message says what went wrong and what to do about it.
 *
 * @packageDocumentation
 */
import { host } from "./host";
import { processNameOf } from "./process-names";

/** Shows a value in an error message the way a learner would have typed it. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (value === null || typeof value !== "object") return String(value);
  if (globalThis.Array.isArray(value)) return `an array of length ${value.length}`;
  return `an object (${value.constructor?.name ?? "no prototype"})`;
}

/**
 * The base of every error this library defines, so that one `catch (e) { if (e instanceof
 * mp.MpError) … }` tells the library's errors from others. (Bad arguments are the standard
 * `TypeError` and `RangeError`, as in JavaScript's own APIs.)
 */
export class MpError extends Error {
  /**
   * @param message - what went wrong and what to do about it.
   * @param options - `cause`: the error this one wraps, kept as `error.cause`.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    showLearnerFrames(this);
  }
}

/** This library's folder (`dist/`, or `src/` under ts-node), as stack frames spell it. */
const LIBRARY_DIR = `${__dirname}${__dirname.includes("\\") ? "\\" : "/"}`;

/** `stack` less its frames inside this library (any thread's: workers run the same files). */
function withoutLibraryFrames(stack: string): string {
  return stack
    .split("\n")
    .filter((line) => !(/^\s+at /.test(line) && line.includes(LIBRARY_DIR)))
    .join("\n");
}

/**
 * @internal Keeps the library's own workings out of an error's `stack`, so that a learner sees the message
 * and then their own code: the frames inside this library are dropped (the learner's call is the
 * first frame left), and so is the excerpt of library source that Node puts in front of the stack
 * when the error leaves `vm.runInThisContext` (how the tslab kernel runs a cell), which would
 * otherwise open the error with a line of `dist/thread.js`. Every `MpError` gets this; a `TypeError`
 * that a learner meets first (a target that cannot travel) gets it where it is thrown.
 *
 * @returns the same error.
 */
export function showLearnerFrames<E extends Error>(error: E): E {
  let stack = withoutLibraryFrames(error.stack ?? "");
  Object.defineProperty(error, "stack", {
    configurable: true,
    enumerable: false,
    get: () => stack,
    set(value: unknown) {
      const text = String(value);
      // Node's decoration is "file:line\n<source line>\n<caret>\n\n" followed by the old stack.
      const decorated = text.endsWith(stack) && text.length > stack.length && text.slice(0, text.length - stack.length).startsWith(LIBRARY_DIR);
      stack = decorated ? stack : text;
    },
  });
  return error;
}

/**
 * A process's `target` threw (or its worker failed to start). `join()` rejects with this error;
 * its `message` and `stack` are the worker's own, so the learner sees where in `target` it failed.
 */
export class ProcessError extends MpError {
  /** The name of the process whose target failed, such as `"Process-1"`. */
  readonly processName: string;
  /** The exit code of the worker (1 when its target threw). */
  readonly exitCode: number;
  /** The name of the error thrown inside the worker, such as `"TypeError"`. */
  readonly remoteName: string;

  /**
   * @param processName - the process whose target failed.
   * @param remote - the name, message and stack of the error as the worker saw it.
   * @param exitCode - the worker's exit code.
   */
  constructor(processName: string, remote: { name: string; message: string; stack?: string }, exitCode: number) {
    super(`${processName} failed: ${remote.name}: ${remote.message}`);
    this.processName = processName;
    this.exitCode = exitCode;
    this.remoteName = remote.name;
    // The worker's stack is the useful one: it points into the learner's target. Frames inside the
    // library (a check of an argument to mp.sleep, say) are its workings, not the learner's code.
    if (remote.stack) this.stack = `ProcessError: ${processName} failed: ${withoutLibraryFrames(remote.stack)}`;
  }
}

/**
 * A `Process` method was called in a state where it cannot work: started twice, joined or ended
 * before it was started (Python raises `AssertionError` or `ValueError` there), or the worker's
 * compiled code is missing.
 */
export class ProcessStateError extends MpError {}

/** `join({ timeout })` ran out of time while the process was still running. */
export class TimeoutError extends MpError {
  /**
   * @param what - what was being waited for, such as `"join() of Process-1"`.
   * @param seconds - how long it waited.
   * @param hint - what the learner can do next.
   */
  constructor(what: string, seconds: number, hint: string) {
    super(`${what} timed out after ${seconds} s. ${hint}`);
  }
}

/**
 * A lock's holder ended (it threw, was terminated, or its worker exited) while it still held
 * the lock. Waiting would never end, so `acquire()` throws this instead. The data the lock
 * protected may be half-updated: check it, and make a new lock before going on.
 */
export class LockOwnerDiedError extends MpError {
  /** The thread id of the worker that died holding the lock. */
  readonly ownerThreadId: number;

  /**
   * @param kind - the kind of lock, such as `"Lock"`.
   * @param ownerThreadId - the thread id of the worker that died holding it.
   */
  constructor(kind: string, ownerThreadId: number) {
    // The process's name, as the learner knows it (and as the interrupt message says it), with its pid.
    const name = processNameOf(ownerThreadId);
    super(
      `This ${kind} was held by ${name === null ? `worker thread ${ownerThreadId}` : `${name} (pid ${ownerThreadId})`}, which ended without releasing it. ` +
        `The data it protects may be half-updated: check it, then make a new ${kind}.`,
    );
    this.ownerThreadId = ownerThreadId;
  }
}

/**
 * A blocking wait was asked for on the main thread (in a notebook, the thread that runs the kernel). `Atomics.wait` there
 * would freeze the whole kernel (no output, no interrupt) until the wait ends, so it is refused.
 */
export class BlockingCallError extends MpError {
  /**
   * @param call - the call that would have blocked, such as `"Lock.acquire()"`.
   * @param instead - what to call instead.
   */
  constructor(call: string, instead: string) {
    super(
      `${call} would block ${host().mainThread}: ` +
        `Atomics.wait there freezes every cell until it ends. Use ${instead} instead, or do the blocking work inside a Process.`,
    );
  }
}

/** A lock, semaphore or similar was released by a thread that may not release it. */
export class ReleaseError extends MpError {}

/**
 * A `Condition` was used without holding its lock, or more threads wait on it than it has room for
 * (Python raises `RuntimeError` for the first).
 */
export class ConditionError extends MpError {}

/**
 * A `Barrier` was broken — a waiter timed out, or `abort()` was called — so the parties will never
 * all arrive. Every thread waiting at it, and every later `wait()`, gets this error.
 */
export class BrokenBarrierError extends MpError {}

/**
 * A `Pool` was used in a state where it cannot work: given a task after `close()` or `terminate()`
 * (Python's "Pool not running"), joined while still running, or asked whether a result succeeded
 * before it was ready (Python raises `ValueError` for each). Also what a task's result rejects with
 * when the pool was terminated (or the cell interrupted) before the task finished.
 */
export class PoolStateError extends MpError {}

/**
 * A task of a `Pool` threw inside its worker (or its worker ended while running it). The call that
 * gave the task (`map`, `apply`, a result's `get`, an `imap` iterator's `next`) rejects with this
 * error; its message and stack are the worker's own, so the learner sees where their function
 * failed. The pool itself goes on, with as many workers as before.
 */
export class TaskError extends MpError {
  /** The name of the pool, such as `"Pool-1"`. */
  readonly poolName: string;
  /** The name of the error thrown inside the worker, such as `"TypeError"`. */
  readonly remoteName: string;

  /**
   * @param poolName - the pool whose task failed.
   * @param task - which task, for the message, such as `"square(items[3])"`.
   * @param remote - the name, message and stack of the error as the worker saw it.
   */
  constructor(poolName: string, task: string, remote: { name: string; message: string; stack?: string }) {
    super(`${poolName}: ${task} failed: ${remote.name}: ${remote.message}`);
    this.poolName = poolName;
    this.remoteName = remote.name;
    // The worker's stack is the useful one: it points into the learner's function.
    if (remote.stack) this.stack = `TaskError: ${poolName}: ${task} failed: ${remote.stack}`;
  }
}

/**
 * A `Pool` task returned a value its worker could not send back (a function, for instance, which
 * structured clone cannot copy), like Python's `multiprocessing.pool.MaybeEncodingError`. The
 * result is reported with this error instead of being lost; the worker goes on.
 */
export class MaybeEncodingError extends MpError {}
