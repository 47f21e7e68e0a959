/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Driving a notebook through Jupyter's own page in headless Debian Chromium: open it, clear the
 * saved outputs and Run All Cells from the menu bar, like a reader would, then read what the
 * page shows. Works for JupyterLab 4 and Jupyter Notebook 7 (the same Lumino menus and cells).
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import type { JupyterServer } from "./jupyter-server";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox", // as root
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Debian's Chromium, headless, with a fresh profile (Playwright makes a temporary one), and one
 * 1280×900 browser context for a suite's pages: they share the HTTP cache, so that Jupyter's
 * scripts load once.
 */
export async function launchChromium(): Promise<{ browser: Browser; context: BrowserContext }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing (${CHROMIUM}). Install Debian's package: ` +
        "apt-get update && apt-get install -y --no-install-recommends chromium " +
        "(or set CHROMIUM_PATH to another Chromium/Chrome binary)",
    );
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  try {
    return { browser, context: await browser.newContext({ viewport: { width: 1280, height: 900 } }) };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

export interface RunReport {
  /** Input prompts of the code cells, in order, e.g. "[1]:". */
  prompts: string[];
  /** Every line of every output area, in order. */
  lines: string[];
  /** Each rendered markdown cell: its text, and how many maths elements (MathJax, KaTeX) it holds. */
  markdown: { text: string; maths: number }[];
  /** Text of outputs rendered as stderr (tslab's errors) or error tracebacks. */
  errors: string[];
  /** Pictures in output areas: inline `<svg>` plus SVG images that decoded to a real size. */
  svgRendered: number;
  /** SVG outputs that did not render (broken image, or "Cannot display an untrusted SVG"). */
  svgBroken: number;
  /** Waiting for the kernel to be idle, and running all cells. */
  kernelSeconds: number;
  seconds: number;
}

interface KernelSession {
  path: string;
  kernel: { id: string; execution_state: string } | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A pattern that matches exactly `text`, as a whole line. */
export function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
}

export class NotebookPage {
  private constructor(
    readonly page: Page,
    private readonly server: JupyterServer,
    private readonly file: string,
  ) {}

  /** Opens notebooks/<file> in the server's own UI, in a new page (a workspace of its own). */
  static async open(context: BrowserContext, server: JupyterServer, file: string): Promise<NotebookPage> {
    const page = await context.newPage();
    // Both servers serve notebooks/ (start.sh names a notebook in it, so that is the root).
    const path =
      server.app === "lab"
        ? `/lab/workspaces/e2e-${file.replace(/\W/g, "-")}/tree/${encodeURIComponent(file)}`
        : `/notebooks/${encodeURIComponent(file)}`;
    await page.goto(server.pageUrl(path), { timeout: 60_000 });
    await page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first().waitFor({ timeout: 60_000 });
    return new NotebookPage(page, server, file);
  }

  async close(): Promise<void> {
    await this.page.close(); // does not save: autosave is off and nothing asks to
  }

  /** This notebook's kernel as the server reports it (execution_state "idle", "busy", ...). */
  private async kernel(): Promise<{ id: string; execution_state: string } | undefined> {
    const sessions = await this.server.json<KernelSession[]>("/api/sessions");
    const mine = sessions.find((s) => s.path === this.file || s.path.endsWith(`/${this.file}`));
    return mine?.kernel ?? undefined;
  }

  private async kernelState(): Promise<string> {
    return (await this.kernel())?.execution_state ?? "no kernel";
  }

  /**
   * Waits for the notebook's kernel to be idle. tslab 1.0.22 can miss its first kernel_info
   * request when the machine is busy (it binds its sockets in parallel and answers the shell
   * before iopub is bound: "Socket is blocked by a bind or unbind operation" in the server log),
   * and then stays "starting" for good; a reader would restart it, and so does this, once.
   */
  async waitForIdleKernel(timeoutMs: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const deadline = Date.now() + timeoutMs;
      let state = "";
      while (Date.now() < deadline) {
        const dialog = this.page.locator(".jp-Dialog");
        if ((await dialog.count()) > 0) {
          throw new Error(`${this.file}: a dialog is in the way: ${(await dialog.first().innerText()).trim()}`);
        }
        state = await this.kernelState();
        if (state === "idle") return;
        await sleep(250);
      }
      const kernel = await this.kernel();
      if (attempt > 1 || kernel === undefined) {
        throw new Error(`${this.file}: kernel not idle after ${timeoutMs / 1000} s (${state}):\n${this.server.logTail()}`);
      }
      console.log(`# ${this.file}: kernel still "${state}" after ${timeoutMs / 1000} s, restarting it once`);
      await this.server.api("POST", `/api/kernels/${kernel.id}/restart`);
    }
  }

  /** Clicks `item` in the top menu `menu` of the menu bar (Lumino menus, as a reader would). */
  async menu(menu: string, item: string): Promise<void> {
    const { page } = this;
    await page.locator(".lm-MenuBar-item", { has: page.locator(".lm-MenuBar-itemLabel", { hasText: exactly(menu) }) }).click();
    const entry = page.locator(".lm-Menu .lm-Menu-item", {
      has: page.locator(".lm-Menu-itemLabel", { hasText: exactly(item) }),
    });
    await entry.first().waitFor({ timeout: 10_000 });
    if (await entry.first().evaluate((e) => e.classList.contains("lm-mod-disabled"))) {
      throw new Error(`${this.file}: menu ${menu} → ${item} is disabled`);
    }
    await entry.first().click();
  }

  private prompts(): Promise<string[]> {
    return this.page.$$eval(".jp-Notebook .jp-CodeCell .jp-InputPrompt", (els) => els.map((e) => (e.textContent ?? "").trim()));
  }

  /**
   * Edit → Clear Outputs of All Cells (so nothing saved in the file can pass for a result), then
   * Run → Run All Cells; waits until no cell is queued or running ([*]) and the kernel is idle.
   */
  async runAll(timeoutMs: number): Promise<RunReport> {
    const opened = Date.now();
    await this.waitForIdleKernel(45_000);
    const kernelSeconds = (Date.now() - opened) / 1000;
    // The exercises' reference solutions are stored collapsed, and a collapsed cell shows no
    // prompt, so nobody could tell it is still queued or running: show every cell's code first.
    await this.menu("View", "Expand All Code");
    await this.menu("Edit", "Clear Outputs of All Cells");
    const left = await this.page.locator(".jp-OutputArea-output").count();
    const numbered = (await this.prompts()).filter((p) => /\d/.test(p));
    if (left > 0 || numbered.length > 0) {
      throw new Error(`${this.file}: after clearing, ${left} outputs and prompts ${numbered.join(" ")} are left`);
    }
    const start = Date.now();
    await this.menu("Run", "Run All Cells");
    const deadline = start + timeoutMs;
    let settled = 0;
    while (settled < 2) {
      if (Date.now() > deadline) {
        throw new Error(`${this.file}: cells still running after ${timeoutMs / 1000} s: ${(await this.prompts()).join(" ")}`);
      }
      await sleep(300);
      const prompts = await this.prompts();
      const done = !prompts.includes("[*]:") && prompts.some((p) => /\d/.test(p)) && (await this.kernelState()) === "idle";
      settled = done ? settled + 1 : 0;
    }
    const seconds = (Date.now() - start) / 1000;
    return { ...(await this.readOutputs()), prompts: await this.prompts(), kernelSeconds, seconds };
  }

  private async readOutputs(): Promise<Omit<RunReport, "prompts" | "kernelSeconds" | "seconds">> {
    return this.page.evaluate(async () => {
      const outputs = [...document.querySelectorAll<HTMLElement>(".jp-Notebook .jp-OutputArea-output")];
      const lines = outputs.flatMap((o) => (o.textContent ?? "").split("\n"));
      // A "$" pair in markdown is typeset as maths (MathJax in JupyterLab 4, KaTeX with its extension).
      const markdown = [...document.querySelectorAll<HTMLElement>(".jp-Notebook .jp-MarkdownCell .jp-RenderedMarkdown")].map((m) => ({
        text: (m.textContent ?? "").replace(/\s+/g, " "),
        maths: m.querySelectorAll("mjx-container, .MathJax, .katex, math").length,
      }));
      // tslab reports errors on stderr; other kernels as error outputs (tracebacks).
      const error = ["application/vnd.jupyter.stderr", "application/vnd.jupyter.error"].map((m) => `[data-mime-type="${m}"]`).join(", ");
      const errors = outputs.filter((o) => o.matches(error) || o.querySelector(error)).map((o) => o.textContent ?? "");
      // JupyterLab shows image/svg+xml as <img src="data:image/svg+xml,...">; HTML may inline <svg>.
      const images = [...document.querySelectorAll<HTMLImageElement>('.jp-OutputArea-output img[src^="data:image/svg+xml"]')];
      const decoded = await Promise.all(images.map((img) => img.decode().then(() => img.naturalWidth > 0 && img.naturalHeight > 0, () => false)));
      const inline = document.querySelectorAll(".jp-OutputArea-output svg:not(svg svg)").length;
      const untrusted = [...document.querySelectorAll(".jp-RenderedSVG")].filter((e) => /untrusted/i.test(e.textContent ?? "")).length;
      return {
        lines,
        markdown,
        errors,
        svgRendered: decoded.filter(Boolean).length + inline,
        svgBroken: decoded.filter((ok) => !ok).length + untrusted,
      };
    });
  }

  /** Hides JupyterLab's left sidebar (file browser), so the screenshot shows more notebook. */
  async collapseLeftSidebar(): Promise<void> {
    const current = this.page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current");
    if ((await current.count()) > 0) await current.first().click();
  }

  /**
   * Scrolls the output with a line matching `line` to the middle, or else the first picture to
   * the bottom edge (so that a picture is seen whole, with the code above it).
   */
  async scrollToOutput(line: RegExp | undefined): Promise<void> {
    await this.page.evaluate(
      ({ source, flags }) => {
        const outputs = [...document.querySelectorAll<HTMLElement>(".jp-Notebook .jp-OutputArea-output")];
        const re = source === null ? null : new RegExp(source, flags);
        const text = re && outputs.find((o) => (o.textContent ?? "").split("\n").some((l) => re.test(l)));
        if (text) text.scrollIntoView({ block: "center" });
        else outputs.find((o) => o.querySelector("img, svg"))?.scrollIntoView({ block: "end" });
      },
      { source: line?.source ?? null, flags: line?.flags ?? "" },
    );
    await sleep(300);
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path });
  }
}
