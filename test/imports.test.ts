/**
 * `src/` has no import cycle, counting type-only imports (`import type`, `export ... from`) as well:
 * a cycle of types still ties the files' ideas together. ESLint's cycle rules (import-x/no-cycle)
 * skip type-only imports, so this reads every relative import with the TypeScript compiler's own
 * pre-processor and looks for a cycle in the graph. A fixture with a known type-only cycle proves
 * that the check finds one.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import * as ts from "typescript";

const SRC = resolve(__dirname, "..", "src");

/** The `.ts` files under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The files of `files` that `file` imports (relative imports only; `./x` is `./x.ts` or `./x/index.ts`). */
function importsOf(file: string, files: ReadonlySet<string>): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return importedFiles
    .filter(({ fileName }) => fileName.startsWith("."))
    .map(({ fileName }) => resolve(dirname(file), fileName))
    .map((base) => [`${base}.ts`, join(base, "index.ts"), base].find((path) => files.has(path)))
    .filter((path): path is string => path !== undefined);
}

/** One import cycle among the `.ts` files under `dir` (as paths relative to it, first file repeated last), or `null`. */
function findCycle(dir: string): string[] | null {
  const files = new Set(sources(dir));
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): string[] | null => {
    const at = path.indexOf(file);
    if (at >= 0) return [...path.slice(at), file];
    if (done.has(file)) return null;
    path.push(file);
    for (const next of importsOf(file, files)) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(file);
    return null;
  };
  for (const file of files) {
    const cycle = visit(file);
    if (cycle) return cycle.map((f) => relative(dir, f));
  }
  return null;
}

test("src/ has no import cycle, type-only imports included", () => {
  const cycle = findCycle(SRC);
  assert.equal(cycle, null, `import cycle: ${cycle?.join(" -> ")}`);
});

test("the cycle check finds a cycle made only of type imports and re-exports", () => {
  const dir = mkdtempSync(join(tmpdir(), "cycle-"));
  try {
    writeFileSync(join(dir, "index.ts"), 'export * from "./a";\n');
    writeFileSync(join(dir, "a.ts"), 'import type { B } from "./b";\nexport type A = B[];\n');
    writeFileSync(join(dir, "b.ts"), 'import * as lib from "./index";\nexport type B = lib.A | number;\n');
    writeFileSync(join(dir, "c.ts"), 'import type { A } from "./a";\nexport type C = A;\n');
    assert.deepEqual(findCycle(dir), ["a.ts", "b.ts", "index.ts", "a.ts"]);
    writeFileSync(join(dir, "b.ts"), "export type B = number;\n");
    assert.equal(findCycle(dir), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
