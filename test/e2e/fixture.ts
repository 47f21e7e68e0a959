/**
 * One Jupyter server and one headless Chromium for a `describe` block of the browser tests:
 * started in `before` (Chromium first: without it, why start Jupyter), both stopped in `after`
 * whatever happened.
 */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { JupyterServer, type App } from "./jupyter-server";
import { launchChromium } from "./notebook-page";

export interface ServerAndBrowser {
  /** The running server (throws if `before` did not start it). */
  readonly server: JupyterServer;
  /** The browser context its pages open in. */
  readonly context: BrowserContext;
}

/** Registers the hooks that start and stop a server of kind `app` and a browser; call in a `describe`. */
export function serverAndBrowser(app: App): ServerAndBrowser {
  let server: JupyterServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  before(async () => {
    ({ browser, context } = await launchChromium());
    server = await JupyterServer.start(app);
  });

  after(async () => {
    await browser?.close();
    const forced = (await server?.stop()) ?? [];
    if (forced.length > 0) console.log(`# ${app}: had to kill ${forced.join("; ")}`);
  });

  return {
    get server() {
      assert.ok(server, `the ${app} server started`);
      return server;
    },
    get context() {
      assert.ok(context, "the browser started");
      return context;
    },
  };
}
