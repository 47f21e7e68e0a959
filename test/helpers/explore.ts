/**
 * Helpers for the model-checked tests (test/explore-*.test.ts): printing what an exploration ran,
 * and loading a deliberately broken primitive (test/mutants/) inside the explorer's workers.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import * as ts from "typescript";
import * as mp from "../../dist";

const ROOT = resolve(__dirname, "..", "..");

/**
 * Prints one line about an exploration: how many schedules ran of how many a naive search (every
 * interleaving) would run, whether it was exhaustive, and how long it took.
 */
export function printed(title: string, result: mp.ExploreResult): mp.ExploreResult {
  const scope = result.exhaustive ? "exhaustive" : `not exhaustive: ${result.bound}`;
  const naive = result.naiveSchedules === null ? "unknown" : Number.isSafeInteger(result.naiveSchedules) ? String(result.naiveSchedules) : `about ${result.naiveSchedules.toPrecision(3)}`;
  console.log(`${title}: ${result.schedules} schedules run of ${naive} (naive), ${scope}; ${result.steps} steps, ${result.seconds.toFixed(2)} s`);
  return result;
}

/** Asserts that no schedule failed, showing the first failure's trace if one did. */
export function noFailure(result: mp.ExploreResult): void {
  assert.equal(result.failure, null, String(result));
}

let compiledDir: string | undefined;

/**
 * Compiles test/mutants/`name`.ts to JavaScript a worker can `require()` (workers run without
 * ts-node), with its import of the library's compiled `dist/` made absolute, so that it uses the
 * very `atomics` module the explorer swaps in that worker.
 *
 * @returns the path of the compiled module, to pass to the threads in `args`.
 */
export function compiledMutant(name: string): string {
  compiledDir ??= mkdtempSync(join(tmpdir(), "mutants-"));
  const source = readFileSync(join(ROOT, "test", "mutants", `${name}.ts`), "utf8");
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const file = join(compiledDir, `${basename(name)}.js`);
  writeFileSync(file, outputText.replace(/require\("\.\.\/\.\.\/dist\//g, `require(${JSON.stringify(join(ROOT, "dist"))} + "/`));
  return file;
}

/** Runs a scenario expected to fail with `kind` (a broken copy under test/mutants/), prints the failure and checks that it replays. */
export async function caught<A extends unknown[]>(title: string, scenario: mp.Scenario<A>, kind: mp.Failure["kind"]): Promise<void> {
  const result = printed(title, await mp.explore({ ...scenario, stopAtFirstFailure: true }));
  const failure = result.failure;
  assert.ok(failure !== null, `the explorer missed the bug:\n${result}`);
  console.log(`  found (${failure.kind}): ${failure.message}\n  schedule: ${failure.schedule}`);
  assert.equal(failure.kind, kind, String(result));
  assert.equal((await mp.replay(scenario, failure.schedule)).failure?.kind, kind);
}

/**
 * Whether a queue's own books are at rest after some items went through: as many items and bytes
 * taken as put (white-box: src/queue/channel.ts's cells PUTS, PUT_BYTES, GETS and GET_BYTES).
 */
export function atRest(q: mp.Queue): boolean {
  const cells = new Int32Array(q.buffer, 0, 64);
  return cells[0] > 0 && cells[0] === cells[16] && cells[1] === cells[17];
}
