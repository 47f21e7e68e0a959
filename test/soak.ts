/**
 * Soak test (not part of `npm test`): 8 workers × 1,000,000 locked increments of one shared Value,
 * 20 rounds; every round must end exact. Run with `npm run soak`. Prints each round and a summary.
 */
import * as mp from "../dist";

const WORKERS = Number(process.env.SOAK_WORKERS ?? 8);
const INCREMENTS = Number(process.env.SOAK_INCREMENTS ?? 1_000_000);
const ROUNDS = Number(process.env.SOAK_ROUNDS ?? 20);

/** Runs in each worker: the tutorial's deposit, a million times, under the lock. */
function deposit(counter: mp.Value<"i">, lock: mp.Lock, times: number): void {
  for (let i = 0; i < times; i++) {
    lock.acquire();
    counter.value = counter.value + 1;
    lock.release();
  }
}

async function main(): Promise<void> {
  const counter = mp.Value("i", 0);
  const lock = new mp.Lock();
  const expected = WORKERS * INCREMENTS;
  const rates: number[] = [];
  let failures = 0;
  const began = performance.now();
  for (let round = 1; round <= ROUNDS; round++) {
    counter.value = 0;
    const workers = globalThis.Array.from({ length: WORKERS }, () => new mp.Process({ target: deposit, args: [counter, lock, INCREMENTS] }));
    const t0 = performance.now();
    workers.forEach((p) => p.start());
    await Promise.all(workers.map((p) => p.join({ timeout: 60 })));
    const seconds = (performance.now() - t0) / 1000;
    const exact = counter.value === expected;
    if (!exact) failures++;
    rates.push(expected / seconds);
    console.log(`round ${String(round).padStart(2)}: ${counter.value} of ${expected} ${exact ? "exact" : "WRONG"}, ${(expected / seconds / 1e6).toFixed(1)} M increments/s (worker start-up included)`);
  }
  rates.sort((a, b) => a - b);
  console.log(
    `soak: ${ROUNDS} rounds × ${WORKERS} workers × ${INCREMENTS} locked increments in ${((performance.now() - began) / 1000).toFixed(1)} s; ` +
      `${ROUNDS - failures} exact, ${failures} wrong; median ${(rates[rates.length >> 1] / 1e6).toFixed(1)} M increments/s; live workers left: ${mp.activeChildren().length}`,
  );
  if (failures > 0 || mp.activeChildren().length > 0) process.exitCode = 1;
}

void main();
