/// <reference lib="dom" />
/**
 * The live pictures in the browser (issue 22): in JupyterLab, each notebook cell with a live view
 * is run and its ONE picture output is sampled while the cell runs; it must change at least three
 * times (frames captured and compared, screenshots in test/artifacts/live-*.png). The notebook is
 * then saved, and a second JupyterLab with a fresh profile (so nothing is trusted) opens it again:
 * the PNG it shows must be the final frame. The stepper's puzzle (notebook 7) is solved by typing
 * the steps into a new cell, and the picture must then say that mutual exclusion broke.
 *
 * The cells run in copies of the notebooks (notebooks/e2e-live-*.ipynb, removed afterwards) made
 * of the cells the live views need, so that saving never touches a committed notebook.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { serverAndBrowser } from "./fixture";
import { ARTIFACTS, NOTEBOOKS } from "./jupyter-server";
import { CHROMIUM, NotebookPage } from "./notebook-page";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A copy to run: which committed notebook, which of its cells (by id), and which cell has the live view. */
interface Case {
  readonly file: string;
  readonly from: string;
  readonly cells: readonly string[];
  readonly live: string;
}

const CASES: readonly Case[] = [
  { file: "e2e-live-03-bank.ipynb", from: "03-locks.ipynb", cells: ["live-bank"], live: "live-bank" },
  { file: "e2e-live-05-lock.ipynb", from: "05-more-primitives.ipynb", cells: ["setup", "live-lock"], live: "live-lock" },
  { file: "e2e-live-05-semaphore.ipynb", from: "05-more-primitives.ipynb", cells: ["setup", "live-lock", "live-semaphore"], live: "live-semaphore" },
];
const STEPPER: Case = { file: "e2e-live-07-stepper.ipynb", from: "07-every-interleaving.ipynb", cells: ["setup", "broken", "stepper"], live: "stepper" };

interface NotebookJson {
  cells: { id: string; cell_type: string; outputs?: { output_type: string; data?: Record<string, string | string[]> }[]; execution_count?: number | null }[];
}

/** Writes the copy of `c`: its cells, outputs cleared. */
function writeCopy(c: Case): void {
  const nb = JSON.parse(readFileSync(join(NOTEBOOKS, c.from), "utf8")) as NotebookJson & Record<string, unknown>;
  const cells = c.cells.map((id) => {
    const cell = nb.cells.find((x) => x.id === id);
    assert.ok(cell, `${c.from} has a cell ${id}`);
    return { ...cell, outputs: [], execution_count: null };
  });
  writeFileSync(join(NOTEBOOKS, c.file), `${JSON.stringify({ ...nb, cells }, null, 1)}\n`);
}

/**
 * The saved picture of the live cell of the copy: its SVG and PNG, or none (also while the file is
 * half written: Jupyter's server writes a notebook in place, so a read during a save can find it
 * cut short, which CI once did).
 */
function savedPicture(c: Case): { svg: string; png: string } | undefined {
  let nb: NotebookJson;
  try {
    nb = JSON.parse(readFileSync(join(NOTEBOOKS, c.file), "utf8")) as NotebookJson;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  const cell = nb.cells.find((x) => x.id === c.live);
  const pictures = (cell?.outputs ?? []).filter((o) => o.data?.["image/png"] !== undefined);
  assert.ok(pictures.length <= 1, `${c.file}: the live cell saved ${pictures.length} pictures, not one`);
  if (pictures.length === 0) return undefined;
  const text = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join("") : (v ?? ""));
  return { svg: text(pictures[0].data?.["image/svg+xml"]), png: text(pictures[0].data?.["image/png"]).replace(/\s/g, "") };
}

/** The `src` of every picture in the output of the `index`-th code cell. */
function pictureSources(page: Page, index: number): Promise<string[]> {
  return page.$$eval(".jp-Notebook .jp-CodeCell", (cells, i) => [...(cells[i]?.querySelectorAll<HTMLImageElement>(".jp-OutputArea-output img") ?? [])].map((img) => img.src), index);
}

/** The SVG text in an `<img>`'s data URL. */
function svgOf(src: string): string {
  const m = /^data:image\/svg\+xml(;base64)?,(.*)$/s.exec(src);
  assert.ok(m, `not an SVG image: ${src.slice(0, 60)}`);
  return m[1] ? Buffer.from(m[2], "base64").toString("utf8") : decodeURIComponent(m[2]);
}

/** The `<desc>` of an SVG (the picture's one-line summary). */
function descOf(svg: string): string {
  return /<desc>([\s\S]*?)<\/desc>/.exec(svg)?.[1] ?? "";
}

const skip = !existsSync(CHROMIUM) && !process.env.CI ? `Chromium is missing (${CHROMIUM}): apt-get install -y --no-install-recommends chromium` : false;

/** The last frame each case showed in the first server. */
const lastFrames = new Map<string, string>();

after(() => {
  for (const c of [...CASES, STEPPER]) rmSync(join(NOTEBOOKS, c.file), { force: true });
});

describe("JupyterLab: live pictures change while the cell runs, and the saved notebook keeps the last frame", { skip }, () => {
  const running = serverAndBrowser("lab");

  for (const c of CASES) {
    it(`${c.from}, cell ${c.live}`, { timeout: 240_000 }, async () => {
      writeCopy(c);
      const { server, context } = running;
      const notebook = await NotebookPage.open(context, server, c.file);
      try {
        await notebook.collapseLeftSidebar();
        await notebook.waitForIdleKernel(60_000);
        const index = c.cells.indexOf(c.live);
        await notebook.menu("Run", "Run All Cells");
        // Sample the live output every 50 ms until the cell is done (its prompt gets a number).
        const frames: string[] = [];
        let shots = 0;
        const deadline = Date.now() + 180_000;
        for (;;) {
          const sources = await pictureSources(notebook.page, index);
          assert.ok(sources.length <= 1, `${c.live}: ${sources.length} pictures in one live output`);
          if (sources.length === 1 && sources[0] !== frames[frames.length - 1]) {
            frames.push(sources[0]);
            if (shots < 6) await notebook.page.locator(".jp-Notebook .jp-CodeCell").nth(index).locator(".jp-OutputArea-output img").screenshot({ path: join(ARTIFACTS, `live-${c.live.replace(/^live-/, "")}-frame-${++shots}.png`) }).catch(() => undefined);
          }
          const prompt = await notebook.page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").nth(index).innerText();
          if (/\d/.test(prompt)) break;
          assert.ok(Date.now() < deadline, `${c.live}: still running after 180 s`);
          await sleep(50);
        }
        await sleep(500); // the final frame goes out as the cell ends
        const final = (await pictureSources(notebook.page, index))[0];
        if (final !== undefined && final !== frames[frames.length - 1]) frames.push(final);
        const distinct = new Set(frames.map(svgOf));
        assert.ok(distinct.size >= 4, `${c.live}: the picture changed ${distinct.size - 1} times while the cell ran (at least 3 wanted)`);
        assert.notEqual(descOf(svgOf(frames[0])), descOf(svgOf(frames[frames.length - 1])), `${c.live}: the first and last frames say the same`);
        console.log(`# ${c.live}: ${frames.length} frames seen`);
        lastFrames.set(c.file, svgOf(frames[frames.length - 1]));

        await notebook.menu("File", "Save Notebook");
        let saved = savedPicture(c);
        for (let waited = 0; saved === undefined && waited < 20_000; waited += 250) {
          await sleep(250);
          saved = savedPicture(c);
        }
        assert.ok(saved, `${c.file}: no picture saved`);
        assert.equal(saved.svg, svgOf(frames[frames.length - 1]), `${c.file}: the saved SVG is not the last frame shown`);
      } finally {
        await notebook.close();
        await server.shutdownSessions();
      }
    });
  }

  it("07-every-interleaving.ipynb: the stepper's puzzle, solved by typing the steps", { timeout: 240_000 }, async () => {
    writeCopy(STEPPER);
    const { server, context } = running;
    const notebook = await NotebookPage.open(context, server, STEPPER.file);
    const { page } = notebook;
    try {
      await notebook.collapseLeftSidebar();
      await notebook.waitForIdleKernel(60_000);
      await notebook.menu("Run", "Run All Cells");
      const index = STEPPER.cells.indexOf("stepper");
      const prompt = () => page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").nth(index).innerText();
      for (let waited = 0; !/\d/.test(await prompt()) && waited < 120_000; waited += 250) await sleep(250);
      const desc = async () => descOf(svgOf((await pictureSources(page, index))[0] ?? "data:image/svg+xml,"));
      assert.match(await desc(), /step 1: .*Nothing has gone wrong yet/);

      // A new cell below the last, and the steps typed into it: B reads the flag too, then both take it.
      await page.locator(".jp-Notebook .jp-Cell").last().click();
      await page.keyboard.press("Escape");
      await page.keyboard.press("b");
      const editor = page.locator(".jp-Notebook .jp-Cell").last().locator(".cm-content");
      await editor.click();
      await page.keyboard.insertText('await s.step("B");\nawait s.step("A");\nawait s.step("B");');
      await page.keyboard.press("Shift+Enter");
      const seen = new Set<string>();
      for (let waited = 0; waited < 120_000; waited += 200) {
        const text = await desc();
        seen.add(text);
        if (/Mutual exclusion broke/.test(text)) break;
        await sleep(200);
      }
      const solved = await desc();
      assert.match(solved, /step 4: .*Holding the lock: A and B\..*✗ Mutual exclusion broke at step 4: A and B both held the lock/);
      assert.ok(seen.size >= 2, "the stepper's picture was not redrawn in place");
      await page.locator(".jp-Notebook .jp-CodeCell").nth(index).locator(".jp-OutputArea-output img").screenshot({ path: join(ARTIFACTS, "live-stepper-solved.png") });
      lastFrames.set(STEPPER.file, svgOf((await pictureSources(page, index))[0]));
      await notebook.menu("File", "Save Notebook");
      let said = descOf(savedPicture(STEPPER)?.svg ?? "");
      for (let waited = 0; !/Mutual exclusion broke/.test(said) && waited < 20_000; waited += 250) {
        await sleep(250);
        said = descOf(savedPicture(STEPPER)?.svg ?? "");
      }
      assert.match(said, /Mutual exclusion broke at step 4/);
    } finally {
      await notebook.close();
      await server.shutdownSessions();
    }
  });
});

describe("JupyterLab, a fresh profile (untrusted): the saved notebooks show their final frame", { skip }, () => {
  const running = serverAndBrowser("lab");

  for (const c of [...CASES, STEPPER]) {
    it(c.file, { timeout: 120_000 }, async () => {
      const last = lastFrames.get(c.file);
      assert.ok(last !== undefined && existsSync(join(NOTEBOOKS, c.file)), `${c.file} was not run and saved above`);
      const saved = savedPicture(c);
      assert.ok(saved);
      const { server, context } = running;
      const notebook = await NotebookPage.open(context, server, c.file);
      try {
        const index = c.cells.indexOf(c.live);
        let sources: string[] = [];
        for (let waited = 0; sources.length === 0 && waited < 30_000; waited += 250) {
          sources = await pictureSources(notebook.page, index);
          if (sources.length === 0) await sleep(250);
        }
        assert.equal(sources.length, 1, `${c.file}: pictures in the live cell's output`);
        // Untrusted, JupyterLab refuses the SVG and shows the PNG: the one saved with the last frame.
        const png = /^data:image\/png;base64,(.*)$/s.exec(sources[0])?.[1];
        assert.ok(png !== undefined, `${c.file}: not a PNG: ${sources[0].slice(0, 40)}`);
        assert.equal(png.replace(/\s/g, ""), saved.png, `${c.file}: the PNG shown is not the one saved`);
        assert.equal(saved.svg, last, `${c.file}: the saved frame is not the last one shown while it ran`);
        await notebook.page.locator(".jp-Notebook .jp-CodeCell").nth(index).locator(".jp-OutputArea-output img").screenshot({ path: join(ARTIFACTS, `live-${c.live.replace(/^live-/, "")}-reopened.png`) });
      } finally {
        await notebook.close();
        await server.shutdownSessions();
      }
    });
  }
});
