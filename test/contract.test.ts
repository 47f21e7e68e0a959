/**
 * The shared-primitive contract (test/helpers/contract.ts), run for every class that lives in
 * shared memory.
 */
import { after } from "node:test";
import * as mp from "../dist";
import { primitiveContract } from "./helpers/contract";

after(() => mp.terminateAll());

for (const Kind of [mp.Lock, mp.RLock]) {
  primitiveContract<mp.Lock>({
    kind: Kind.name,
    make: () => new Kind(),
    fromBuffer: (buffer) => Kind.fromBuffer(buffer as SharedArrayBuffer),
    changeInWorker: (lock) => void lock.acquire(), // returns holding it
    observe: String,
    blocking: (lock) => lock.acquire(),
    asyncTwin: (lock) => lock.acquireAsync(),
    withTimeout: (lock, timeout) => lock.acquireAsync({ timeout: timeout as number }),
  });
}

for (const Kind of [mp.Semaphore, mp.BoundedSemaphore]) {
  primitiveContract<mp.Semaphore>({
    kind: Kind.name,
    make: () => new Kind(1),
    fromBuffer: (buffer) => Kind.fromBuffer(buffer as SharedArrayBuffer),
    changeInWorker: (sem) => void sem.acquire(),
    observe: String,
    blocking: (sem) => sem.acquire(),
    asyncTwin: (sem) => sem.acquireAsync(),
    withTimeout: (sem, timeout) => sem.acquireAsync({ timeout: timeout as number }),
  });
}

primitiveContract<mp.Event>({
  kind: "Event",
  make: () => new mp.Event(),
  fromBuffer: (buffer) => mp.Event.fromBuffer(buffer as SharedArrayBuffer),
  changeInWorker: (event) => event.set(),
  observe: String,
  blocking: (event) => event.wait(),
  asyncTwin: (event) => {
    event.set();
    return event.waitAsync();
  },
  withTimeout: (event, timeout) => event.waitAsync({ timeout: timeout as number }),
});

primitiveContract<mp.Condition>({
  kind: "Condition",
  make: () => new mp.Condition(),
  fromBuffer: (buffer, original) => mp.Condition.fromBuffer(buffer as SharedArrayBuffer, original.lock),
  changeInWorker: (cond) => void cond.acquire(), // ends holding its RLock, which abandons it
  observe: String,
  blocking: (cond) => cond.acquire(),
  asyncTwin: (cond) => cond.acquireAsync(),
  withTimeout: (cond, timeout) => cond.waitAsync({ timeout: timeout as number }),
});

primitiveContract<mp.Barrier>({
  kind: "Barrier",
  make: () => new mp.Barrier(1),
  fromBuffer: (buffer) => mp.Barrier.fromBuffer(buffer as SharedArrayBuffer),
  changeInWorker: (barrier) => barrier.abort(),
  observe: String,
  blocking: (barrier) => barrier.wait(),
  asyncTwin: (barrier) => barrier.waitAsync(),
  withTimeout: (barrier, timeout) => barrier.waitAsync({ timeout: timeout as number }),
});
