/**
 * npm run test:e2e: the notebooks as a reader runs them. JupyterLab is started exactly as
 * `npm start` starts it (scripts/start.sh), each notebook is opened in headless Chromium, its
 * saved outputs are cleared and Run → Run All Cells is clicked; then the page must show the
 * expected outputs (expectations.ts), its pictures and no errors. Notebook 01 is run the same way
 * in Jupyter Notebook 7. Screenshots: test/artifacts/<notebook>.png and notebook7-<notebook>.png;
 * server logs: test/artifacts/*.log.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { expectedFor } from "./expectations";
import { serverAndBrowser } from "./fixture";
import { ARTIFACTS, NOTEBOOKS, type App } from "./jupyter-server";
import { CHROMIUM, NotebookPage, type RunReport } from "./notebook-page";

const RUN_TIMEOUT_MS = 150_000;
// E2E_ONLY=03 (a prefix of the file names) runs fewer notebooks, for debugging.
const NOTEBOOK_FILES = readdirSync(NOTEBOOKS)
  .filter((f) => f.endsWith(".ipynb") && f.startsWith(process.env.E2E_ONLY ?? ""))
  .sort();

interface SavedNotebook {
  cells: { cell_type: string; outputs?: { data?: Record<string, unknown> }[] }[];
}

function savedNotebook(file: string): { codeCells: number; svgOutputs: number } {
  const nb = JSON.parse(readFileSync(join(NOTEBOOKS, file), "utf8")) as SavedNotebook;
  const code = nb.cells.filter((c) => c.cell_type === "code");
  const svgOutputs = code.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.["image/svg+xml"] !== undefined).length;
  return { codeCells: code.length, svgOutputs };
}

/** Every check on one notebook's run; the message says what the page showed instead. */
function checkRun(file: string, saved: ReturnType<typeof savedNotebook>, report: RunReport): void {
  const shown = `\n--- output lines ---\n${report.lines.filter((l) => l.trim()).join("\n")}`;
  assert.deepEqual(report.errors, [], `${file}: error output on the page${shown}`);
  // An exercise's check on the stub as stored says "✗ exercise N: ...", and the check on its hidden
  // reference solution says "✓ exercise N: ...": one of each per exercise. Any other ✗ is a failure.
  const failedChecks = report.lines.filter((l) => l.trimStart().startsWith("✗") && !/^\s*✗ exercise \d+: /.test(l));
  assert.deepEqual(failedChecks, [], `${file}: a self-check failed`);
  const exerciseLines = (mark: string) => report.lines.filter((l) => l.trimStart().startsWith(`${mark} exercise `)).length;
  assert.equal(exerciseLines("✓"), exerciseLines("✗"), `${file}: each exercise's stub should get a ✗ and its solution a ✓${shown}`);
  assert.deepEqual(
    report.prompts,
    Array.from({ length: saved.codeCells }, (_, i) => `[${i + 1}]:`),
    `${file}: every code cell should have run once, in order${shown}`,
  );
  for (const pattern of expectedFor(file)?.lines ?? []) {
    assert.ok(report.lines.some((l) => pattern.test(l)), `${file}: no output line matches ${pattern}${shown}`);
  }
  for (const pattern of expectedFor(file)?.prose ?? []) {
    const cells = report.markdown.filter((m) => pattern.test(m.text));
    assert.ok(cells.length > 0, `${file}: no rendered markdown cell reads ${pattern}`);
    assert.deepEqual(cells.map((m) => m.maths), cells.map(() => 0), `${file}: the markdown that reads ${pattern} holds maths elements`);
  }
  const pictures = Math.max(saved.svgOutputs, expectedFor(file)?.pictures ? 1 : 0);
  assert.equal(report.svgBroken, 0, `${file}: ${report.svgBroken} SVG picture(s) did not render`);
  assert.ok(report.svgRendered >= pictures, `${file}: ${report.svgRendered} SVG picture(s) rendered, expected ${pictures}`);
}

/** One server and one browser for a suite (see fixture.ts), each notebook run in turn. */
function suite(app: App, files: string[], screenshotName: (file: string) => string): void {
  const running = serverAndBrowser(app);

  for (const file of files) {
    it(file, { timeout: RUN_TIMEOUT_MS + 90_000 }, async () => {
      const { server, context } = running;
      const began = Date.now();
      const saved = savedNotebook(file); // as the page is about to load it
      const notebook = await NotebookPage.open(context, server, file);
      const openSeconds = (Date.now() - began) / 1000;
      try {
        if (app === "lab") await notebook.collapseLeftSidebar();
        const report = await notebook.runAll(RUN_TIMEOUT_MS);
        const times = [openSeconds, report.kernelSeconds, report.seconds].map((t) => `${t.toFixed(1)} s`);
        console.log(`# ${app} ${file}: page ${times[0]}, kernel ready ${times[1]}, all cells ran in ${times[2]}`);
        await notebook.scrollToOutput(expectedFor(file)?.lines[0]);
        await notebook.screenshot(join(ARTIFACTS, screenshotName(file)));
        checkRun(file, saved, report);
      } catch (error) {
        await notebook.screenshot(join(ARTIFACTS, screenshotName(file))).catch(() => undefined);
        throw error;
      } finally {
        await notebook.close();
        await server.shutdownSessions();
      }
    });
  }
}

const stem = (file: string) => file.replace(/\.ipynb$/, "");

// A learner's machine may have no Chromium: then these tests are reported as skipped, saying how to
// get them. CI (CI=true) installs it, and there a missing browser is a failure.
const skip =
  !existsSync(CHROMIUM) && !process.env.CI
    ? `Chromium is missing (${CHROMIUM}): apt-get install -y --no-install-recommends chromium, then npm run test:e2e`
    : false;

describe("JupyterLab, started by npm start: Run All Cells", { skip }, () => {
  suite("lab", NOTEBOOK_FILES, (file) => `${stem(file)}.png`);
});

describe("Jupyter Notebook 7: Run All Cells", { skip }, () => {
  suite("notebook", NOTEBOOK_FILES.filter((f) => f.startsWith("01-")), (file) => `notebook7-${stem(file)}.png`);
});
