/**
 * Where a bench run writes its raw figures: `bench/results/<date><suffix>.json`, or, when a run of
 * the same day already wrote that file, the first of `…-2.json`, `…-3.json`, … that is free, so
 * that no run's figures overwrite an earlier one's (bench/README.md cites them by file name).
 *
 * @packageDocumentation
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/**
 * A free file name in `bench/results/` (made if missing) for a run that began at `began`.
 *
 * @param suffix - what follows the date: `""`, `"-queue"`, `"-pool"`.
 */
export function resultsFile(began: Date, suffix: string): string {
  const dir = join(__dirname, "results");
  mkdirSync(dir, { recursive: true });
  const stem = join(dir, `${began.toISOString().slice(0, 10)}${suffix}`);
  for (let n = 1; ; n++) {
    const file = n === 1 ? `${stem}.json` : `${stem}-${n}.json`;
    if (!existsSync(file)) return file;
  }
}
