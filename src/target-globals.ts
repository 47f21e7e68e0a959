/**
 * What a target sees in a worker besides JavaScript's globals: `mp` (this library), `require()`
 * resolving from the working folder, and what the host adds (tslab's `exports.mp`). Both kinds of
 * worker set them up here: a Process's (`worker-main.ts`) and one under `explore`
 * (`explore/worker.ts`).
 *
 * @packageDocumentation
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { host, useHost, type HostName } from "./host";
import * as mp from "./index";

/**
 * Takes the parent's host and gives this worker the globals a target may use.
 *
 * @param hostName - the parent's host, as the start message says.
 */
export function giveTargetGlobals(hostName: HostName): void {
  useHost(hostName);
  const globals = globalThis as Record<string, unknown>;
  globals.mp = mp;
  // require() resolves from the working folder, as it would in the notebook or script there.
  globals.require = createRequire(join(process.cwd(), "worker-target.js"));
  Object.assign(globals, host().workerGlobals(mp));
}
