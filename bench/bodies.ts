/**
 * What each row of the bench measures, one function per kind of lock. Every body runs inside a
 * parked worker (see harness.ts) and adds one to `shared.count[0]` per iteration, with a plain,
 * non-atomic `++` under the lock, so a lock that lets two workers in at once shows up as a wrong
 * final count. The bodies travel to the workers as source text: they use only their arguments and
 * JavaScript's globals.
 *
 * @packageDocumentation
 */
import type * as mp from "../dist";
import type { Counted } from "./harness";

/** V8's `Atomics.Mutex` (`node --harmony-struct`), which TypeScript does not declare. */
export interface MutexApi {
  /** Makes a mutex that can be sent to workers. */
  new (): object;
  /** Runs `critical` while holding `mutex`, waiting for it if need be. */
  lock(mutex: object, critical: () => void): void;
}

/** `Atomics.Mutex` if this V8 exposes it, else `undefined`. */
export const AtomicsMutex = (Atomics as unknown as { Mutex?: MutexApi }).Mutex;

/** Which hand-written lock a {@link handmade} run takes, or all of them and `mp.Lock` in turn. */
export type Handmade = "spinlock" | "futex" | "futex-nap" | "futex-spin" | "futex-adaptive" | "owned" | "side-by-side";

/** The variants of a side-by-side run, in the order of `shared.ms`. */
export const SIDE_BY_SIDE = ["spinlock", "futex", "owned", "library"] as const;

/**
 * Hand-written locks, to price what `mp.Lock` adds:
 *
 * - `spinlock`, the floor: one `compareExchange` to take it, one `store` to give it back. Nothing
 *   takes and releases a lock in shared memory with less.
 * - `futex`: a copy of the three-state futex mutex that `mp.Lock` is built on (Drepper's "mutex2"),
 *   without the library's spin, owner id and checks: a waiter sleeps at once.
 * - `futex-nap`: the same, but a waiter that a release woke and that, at its one look after the
 *   wake-up, finds the lock taken again naps 1 ms (a timed wait on a cell of its own) before it
 *   marks the lock as slept on again, like `mp.Lock` (src/spin.ts, `napAfterLostWakeUp`; the
 *   library also naps when it saw the lock free but lost the compare-exchange for it, which this
 *   copy, measured before that change, does not). So `futex` and `futex-nap` differ only in that nap.
 * - `futex-spin`: the same with the fixed spin `mp.Lock` had before its adaptive one (src/spin.ts):
 *   up to 64 looks while the lock is held and nobody sleeps, then sleep.
 * - `futex-adaptive`: the same spin loop, as long as the library's own policy says: the compiled
 *   `dist/spin.js` at `shared.spin`, loaded in the worker. So the three futex rows differ only in
 *   how long a waiter spins.
 * - `owned`: the same plus the owner-id stores `mp.Lock` does, and nothing else.
 * - `side-by-side`: one worker runs the three and `shared.lock` (an `mp.Lock`) in turn, in blocks,
 *   so all meet the same core at the same moment; each one's milliseconds go to `shared.ms`.
 *   `n` must be a multiple of 4 × 10.
 */
export function handmade(
  n: number,
  shared: Counted & {
    readonly mode: Handmade;
    readonly cells: Int32Array;
    readonly lock: mp.Lock | null;
    readonly ms: Float64Array | null;
    readonly spin: string | null;
  },
  index: number,
): void {
  class Futex {
    constructor(protected readonly cells: Int32Array) {}

    acquire(): void {
      let seen = Atomics.compareExchange(this.cells, 0, 0, 1);
      if (seen === 0) return;
      if (seen !== 2) seen = Atomics.exchange(this.cells, 0, 2);
      while (seen !== 0) {
        Atomics.wait(this.cells, 0, 2);
        seen = Atomics.exchange(this.cells, 0, 2);
      }
    }

    release(): void {
      if (Atomics.exchange(this.cells, 0, 0) === 2) Atomics.notify(this.cells, 0, 1);
    }
  }
  /** Naps 1 ms after a wake-up whose one look finds the lock taken again, before marking it slept on again. */
  class NappingFutex extends Futex {
    private readonly nap = new Int32Array(new SharedArrayBuffer(4));

    override acquire(): void {
      let seen = Atomics.compareExchange(this.cells, 0, 0, 1);
      if (seen === 0) return;
      if (seen !== 2) seen = Atomics.exchange(this.cells, 0, 2);
      while (seen !== 0) {
        Atomics.wait(this.cells, 0, 2);
        if (Atomics.load(this.cells, 0) !== 0) Atomics.wait(this.nap, 0, 0, 1);
        seen = Atomics.exchange(this.cells, 0, 2);
      }
    }
  }
  /** Spins as `mp.Lock` does (while held, nobody sleeping), for as many looks as `budget()` says. */
  class SpinningFutex extends Futex {
    constructor(
      cells: Int32Array,
      private readonly budget: () => number,
      private readonly outcome: (won: boolean, used: number) => void,
    ) {
      super(cells);
    }

    override acquire(): void {
      if (Atomics.compareExchange(this.cells, 0, 0, 1) === 0) return;
      const looks = this.budget();
      let i = 0;
      for (; i < looks; i++) {
        const seen = Atomics.load(this.cells, 0);
        if (seen === 0) {
          if (Atomics.compareExchange(this.cells, 0, 0, 1) === 0) {
            this.outcome(true, i + 1);
            return;
          }
        } else if (seen !== 1) {
          break;
        }
      }
      this.outcome(false, i);
      super.acquire();
    }
  }
  class OwnedFutex extends Futex {
    override acquire(): void {
      super.acquire();
      this.cells[1] = index + 1;
    }

    override release(): void {
      this.cells[1] = 0;
      super.release();
    }
  }
  const { cells, count } = shared;
  // One loop per variant, so that every call site sees one kind of lock.
  const loops = {
    spinlock(k: number): void {
      for (let i = 0; i < k; i++) {
        while (Atomics.compareExchange(cells, 0, 0, 1) !== 0);
        count[0]++;
        Atomics.store(cells, 0, 0);
      }
    },
    futex(k: number): void {
      const lock = new Futex(cells);
      for (let i = 0; i < k; i++) {
        lock.acquire();
        count[0]++;
        lock.release();
      }
    },
    "futex-nap"(k: number): void {
      const lock = new NappingFutex(cells);
      for (let i = 0; i < k; i++) {
        lock.acquire();
        count[0]++;
        lock.release();
      }
    },
    "futex-spin"(k: number): void {
      const lock = new SpinningFutex(cells, () => 64, () => undefined);
      for (let i = 0; i < k; i++) {
        lock.acquire();
        count[0]++;
        lock.release();
      }
    },
    "futex-adaptive"(k: number): void {
      if (shared.spin === null) throw new Error("handmade: futex-adaptive needs shared.spin, the path of dist/spin.js");
      const policy = require(shared.spin) as typeof import("../dist/spin");
      const lock = new SpinningFutex(cells, policy.spinBudget, policy.spinOutcome);
      for (let i = 0; i < k; i++) {
        lock.acquire();
        count[0]++;
        lock.release();
      }
    },
    owned(k: number): void {
      const lock = new OwnedFutex(cells);
      for (let i = 0; i < k; i++) {
        lock.acquire();
        count[0]++;
        lock.release();
      }
    },
    library(k: number): void {
      const lock = shared.lock;
      if (lock === null) throw new Error("handmade: side-by-side needs shared.lock");
      for (let i = 0; i < k; i++) {
        lock.acquire();
        count[0]++;
        lock.release();
      }
    },
  };
  if (shared.mode !== "side-by-side") {
    loops[shared.mode](n);
    return;
  }
  const order = ["spinlock", "futex", "owned", "library"] as const;
  const rounds = 10;
  const block = n / (order.length * rounds);
  const ms = shared.ms;
  if (ms === null || !Number.isInteger(block)) throw new Error("handmade: side-by-side needs shared.ms and n a multiple of 40");
  for (let r = 0; r < rounds; r++) {
    order.forEach((name, j) => {
      const start = performance.now();
      loops[name](block);
      ms[j] += performance.now() - start;
    });
  }
}

/** The library: `acquire()`, increment, `release()` on an `mp.Lock`, `mp.RLock` or `mp.Semaphore`. */
export function library(n: number, shared: Counted & { readonly lock: mp.Acquirable }): void {
  const { lock, count } = shared;
  for (let i = 0; i < n; i++) {
    lock.acquire();
    count[0]++;
    lock.release();
  }
}

/** V8's own mutex: `Atomics.Mutex.lock(mutex, critical)`, the critical section made once. */
export function v8Mutex(n: number, shared: Counted & { readonly mutex: object }): void {
  const mutexes = (Atomics as unknown as { Mutex: MutexApi }).Mutex;
  const { mutex, count } = shared;
  const increment = (): void => {
    count[0]++;
  };
  for (let i = 0; i < n; i++) mutexes.lock(mutex, increment);
}

/** No lock at all: one `Atomics.add` per increment, the ceiling for a shared counter. */
export function atomicAdd(n: number, shared: Counted): void {
  const { count } = shared;
  for (let i = 0; i < n; i++) Atomics.add(count, 0, 1);
}

/**
 * Two workers hand a turn back and forth through an `mp.Condition`: each waits until it is its
 * turn, passes it on and notifies. `n` turns each; one round trip is two hand-offs.
 */
export function conditionPingPong(n: number, shared: Counted & { readonly cond: mp.Condition; readonly turn: Int32Array }, index: number): void {
  const { cond, turn, count } = shared;
  for (let i = 0; i < n; i++) {
    cond.acquire();
    while (turn[0] !== index) cond.wait();
    turn[0] = 1 - index;
    count[0]++;
    cond.notify();
    cond.release();
  }
}

/** The floor for a hand-off: the same ping-pong with bare `Atomics.wait` and `Atomics.notify`. */
export function waitNotifyPingPong(n: number, shared: Counted & { readonly turn: Int32Array }, index: number): void {
  const { turn, count } = shared;
  for (let i = 0; i < n; i++) {
    for (let seen = Atomics.load(turn, 0); seen !== index; seen = Atomics.load(turn, 0)) Atomics.wait(turn, 0, seen);
    count[0]++;
    Atomics.store(turn, 0, 1 - index);
    Atomics.notify(turn, 0, 1);
  }
}
