/// <reference lib="dom" />
/**
 * npm run test:e2e, the stored pictures as a reader meets them right after `git clone`: every
 * committed notebook opened WITHOUT running a cell, in JupyterLab (started as `npm start` starts
 * it) and in Jupyter Notebook 7, each server with a fresh config, data and runtime folder, so that
 * no notebook is trusted; and each notebook's `jupyter nbconvert --to html` page. Every picture
 * output stored in the notebook must be on the page as an image that decoded to a real size and,
 * scrolled into view, is seen whole (inside the window and covered by nothing). Untrusted, Jupyter
 * must show the PNG (it refuses untrusted SVG): that the PNG is what shows also proves that the
 * fresh profile trusted nothing. Screenshots of each picture: test/artifacts/picture-<where>-<notebook>-<n>.png.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { serverAndBrowser } from "./fixture";
import { ARTIFACTS, NOTEBOOKS, REPO, type App } from "./jupyter-server";
import { CHROMIUM, NotebookPage, launchChromium } from "./notebook-page";

const NOTEBOOK_FILES = readdirSync(NOTEBOOKS)
  .filter((f) => f.endsWith(".ipynb") && f.startsWith(process.env.E2E_ONLY ?? ""))
  .sort();
const stem = (file: string) => file.replace(/\.ipynb$/, "");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A picture output as stored: the size its PNG is to be shown at (half the PNG's pixels). */
interface StoredPicture {
  cell: number;
  width: number;
  height: number;
}

interface SavedOutput {
  data?: Record<string, unknown>;
  metadata?: { "image/png"?: { width?: number; height?: number } };
}

/** Every output of `file` that holds a picture (PNG or SVG), in order. */
function storedPictures(file: string): StoredPicture[] {
  const nb = JSON.parse(readFileSync(join(NOTEBOOKS, file), "utf8")) as { cells: { outputs?: SavedOutput[] }[] };
  return nb.cells.flatMap((cell, i) =>
    (cell.outputs ?? [])
      .filter((o) => o.data?.["image/png"] !== undefined || o.data?.["image/svg+xml"] !== undefined)
      .map((o) => ({ cell: i, width: o.metadata?.["image/png"]?.width ?? 0, height: o.metadata?.["image/png"]?.height ?? 0 })),
  );
}

/** What the page shows of one picture image, scrolled to the middle of the window. */
interface SeenPicture {
  type: string;
  naturalWidth: number;
  naturalHeight: number;
  box: { width: number; height: number };
  inWindow: boolean;
  uncovered: boolean;
}

const PICTURES = ".jp-OutputArea-output img";

/**
 * Checks every picture image of the page against the stored pictures and takes a screenshot of
 * each; `type` is the image type the page must show ("png" untrusted, "svg+xml" in nbconvert's HTML).
 */
async function checkPictures(page: Page, file: string, stored: StoredPicture[], type: string, where: string): Promise<void> {
  // Outputs render a moment after the cells: wait until all are there (or time runs out).
  const images = page.locator(PICTURES);
  for (let waited = 0; (await images.count()) < stored.length && waited < 30_000; waited += 250) await sleep(250);
  const untrusted = await page.locator(".jp-OutputArea-output", { hasText: /untrusted/i }).count();
  assert.equal(untrusted, 0, `${where} ${file}: an output says it cannot show an untrusted picture`);
  assert.equal(await images.count(), stored.length, `${where} ${file}: pictures on the page vs. picture outputs stored`);
  for (let i = 0; i < stored.length; i++) {
    const seen = await images.nth(i).evaluate(async (img: HTMLImageElement): Promise<SeenPicture> => {
      await img.decode().catch(() => undefined); // a broken image stays at 0 × 0, checked below
      img.scrollIntoView({ block: "center", inline: "nearest" });
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const r = img.getBoundingClientRect();
      const corners = [[r.left + 2, r.top + 2], [r.right - 3, r.top + 2], [r.left + 2, r.bottom - 3], [r.right - 3, r.bottom - 3]];
      return {
        type: /^data:image\/([\w+.-]+)/.exec(img.src)?.[1] ?? img.src.slice(0, 40),
        naturalWidth: img.naturalWidth,
        naturalHeight: img.naturalHeight,
        box: { width: r.width, height: r.height },
        inWindow: r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth,
        uncovered: corners.every(([x, y]) => document.elementFromPoint(x, y) === img),
      };
    });
    const what = `${where} ${file}: picture ${i + 1} (cell ${stored[i].cell}): ${JSON.stringify(seen)}`;
    assert.equal(seen.type, type, what);
    assert.ok(seen.naturalWidth > 0 && seen.naturalHeight > 0 && seen.box.width > 0 && seen.box.height > 0, `not rendered: ${what}`);
    if (type === "png") assert.deepEqual([seen.naturalWidth, seen.naturalHeight], [2 * stored[i].width, 2 * stored[i].height], `not the 2x PNG: ${what}`);
    assert.ok(seen.inWindow && seen.uncovered, `not seen whole: ${what}`);
    await images.nth(i).screenshot({ path: join(ARTIFACTS, `picture-${where}-${stem(file)}-${i + 1}.png`) });
  }
}

/** One Jupyter server (fresh profile) and one browser (see fixture.ts): each notebook opened, nothing run. */
function unrunSuite(app: App, where: string): void {
  const running = serverAndBrowser(app);

  for (const file of NOTEBOOK_FILES) {
    it(file, { timeout: 120_000 }, async () => {
      const { server, context } = running;
      const notebook = await NotebookPage.open(context, server, file);
      try {
        if (app === "lab") await notebook.collapseLeftSidebar();
        await checkPictures(notebook.page, file, storedPictures(file), "png", where);
      } finally {
        await notebook.close();
        await server.shutdownSessions();
      }
    });
  }
}

const skip =
  !existsSync(CHROMIUM) && !process.env.CI
    ? `Chromium is missing (${CHROMIUM}): apt-get install -y --no-install-recommends chromium, then npm run test:e2e`
    : false;

describe("JupyterLab, a fresh clone: every stored picture shows before any cell runs", { skip }, () => {
  unrunSuite("lab", "lab");
});

describe("Jupyter Notebook 7, a fresh clone: every stored picture shows before any cell runs", { skip }, () => {
  unrunSuite("notebook", "notebook7");
});

describe("jupyter nbconvert --to html: every stored picture shows in the page", { skip }, () => {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let out = "";

  before(async () => {
    out = mkdtempSync(join(tmpdir(), "e2e-nbconvert-"));
    const files = NOTEBOOK_FILES.map((f) => join(NOTEBOOKS, f));
    const run = spawnSync(join(REPO, ".venv", "bin", "jupyter"), ["nbconvert", "--to", "html", "--output-dir", out, ...files], { encoding: "utf8" });
    assert.equal(run.status, 0, `nbconvert failed:\n${run.stderr}`);
    ({ browser, context } = await launchChromium());
    // The page links scripts on CDNs (require.js, MathJax) that the pictures do not need: no network.
    await context.route(/^https?:/, (route) => route.abort());
  });

  after(async () => {
    await browser?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  for (const file of NOTEBOOK_FILES) {
    it(file, { timeout: 60_000 }, async () => {
      assert.ok(context, "browser started");
      const page = await context.newPage();
      try {
        await page.goto(pathToFileURL(join(out, `${stem(file)}.html`)).href, { waitUntil: "domcontentloaded", timeout: 30_000 });
        // nbconvert writes the richest type, the SVG, as an <img> of it.
        await checkPictures(page, file, storedPictures(file), "svg+xml", "html");
      } finally {
        await page.close();
      }
    });
  }
});
