/**
 * Shared helpers for the library's tests: checking an error's class and message, waiting on the
 * main thread for a flag a worker sets, joining a process without ever hanging, and capturing what
 * workers print.
 */
import * as assert from "node:assert/strict";
import * as mp from "../../dist";

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * A validator for `assert.throws`/`assert.rejects`: the error must be an instance of `cls` and its
 * message must contain every string (or match every RegExp) in `parts`.
 */
export function fails(cls: ErrorClass, ...parts: (string | RegExp)[]): (error: unknown) => true {
  return (error: unknown) => {
    assert.ok(error instanceof cls, `expected a ${cls.name}, got ${String(error)}`);
    for (const part of parts) {
      if (typeof part === "string") {
        assert.ok(error.message.includes(part), `the message ${JSON.stringify(error.message)} does not mention ${JSON.stringify(part)}`);
      } else {
        assert.match(error.message, part);
      }
    }
    return true;
  };
}

/** Polls `condition` on the main thread (without blocking it) until it holds, or fails after `seconds`. */
export async function until(condition: () => boolean, what: string, seconds = 10): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`gave up after ${seconds} s waiting for ${what}`);
    await mp.sleepAsync(0.002);
  }
}

/**
 * Whether a waiter has announced it sleeps on `lock` (white-box: the SLEEPERS bit of the lock word,
 * see src/lock.ts). Set just before `Atomics.wait`, so polling it replaces "sleep and hope the
 * waiter got there".
 */
export function hasSleepers(lock: mp.Lock): boolean {
  return (Atomics.load(new Int32Array(lock.buffer), 0) & 1) === 1;
}

/** How many threads wait for a place of `sem` (white-box: its WAITERS cell, see src/semaphore.ts). */
export function semaphoreWaiters(sem: mp.Semaphore): number {
  return Atomics.load(new Int32Array(sem.buffer), 1);
}

/**
 * Joins `p` with a timeout, so that a bug fails the test instead of hanging it: on timeout the
 * process is terminated and the TimeoutError is rethrown. Errors from the target (ProcessError)
 * are rethrown as they are.
 */
export async function finish(p: mp.Process<never>, seconds = 10): Promise<void> {
  try {
    await p.join({ timeout: seconds });
  } catch (error) {
    if (error instanceof mp.TimeoutError) await p.terminate();
    throw error;
  }
}

/** Starts a process for `target` with `args` and finishes it (see {@link finish}). */
export async function run<A extends unknown[]>(target: (...args: A) => unknown, args: A, seconds = 10): Promise<mp.Process<A>> {
  const p = new mp.Process<A>({ target, args });
  p.start();
  await finish(p, seconds);
  return p;
}

/**
 * Runs `fn` while everything written to `process.stdout` is captured instead of printed, and
 * returns what `fn` returned and the text written (until `fn` settled).
 *
 * When this file runs under `node --test`, the test runner itself reports through this process's
 * stdout, in frames of V8-serialized data that begin with the byte 0xFF. That byte never occurs in
 * UTF-8 text, so such writes are passed on to the runner untouched and everything else is captured.
 */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ result: T; text: string }> {
  const stdout = process.stdout;
  const original = stdout.write;
  const chunks: string[] = [];
  stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    if (typeof chunk !== "string" && chunk[0] === 0xff) {
      return (original as (...args: unknown[]) => boolean).call(stdout, chunk, ...rest);
    }
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const callback = rest.find((r): r is () => void => typeof r === "function");
    callback?.();
    return true;
  }) as typeof stdout.write;
  try {
    const result = await fn();
    return { result, text: chunks.join("") };
  } finally {
    stdout.write = original;
  }
}
