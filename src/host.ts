/**
 * Where the library runs. The core (processes, shared memory, locks) knows nothing of notebooks:
 * the few things that depend on the program around it are asked of the host here — the words its
 * messages use, how a target's free names read, what happens on an interrupt while workers run,
 * which globals a worker gives its target besides `mp` and `require`, and how a picture is shown
 * (or replaced in place) in the program's output.
 *
 * Two hosts exist: {@link plainHost} (a Node script, the default) and the tslab kernel inside
 * Jupyter (`src/tslab-host.ts`), chosen when the program is that kernel. Another host (another
 * kernel) is another file and one more entry in {@link HOSTS}.
 *
 * @packageDocumentation
 */
import { tslabHost } from "./tslab-host";

/**
 * A picture (or anything else) in several types at once, as a Jupyter `display_data` message holds
 * it: the front end shows the richest type it can.
 */
export interface MimeBundle {
  /** The content in each type, keyed by MIME type (`"image/svg+xml"`, `"text/plain"` …). */
  readonly data: Readonly<Record<string, string>>;
  /** Per type, how to show it (for an image, its size in CSS pixels). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Where a {@link Host.display} goes. */
export interface DisplayPlace {
  /**
   * Names the output, so that a later display with the same `id` and `update: true` replaces it in
   * place (even after the cell that made it has finished). None: a new output of its own.
   */
  readonly id?: string;
  /** Replace the output called `id` instead of adding one (needs `id`). */
  readonly update?: boolean;
}

/** What {@link Host.display} did: shown, or why it could not be, in words for the learner. */
export type DisplayOutcome = { readonly shown: true } | { readonly shown: false; readonly why: string };

/** The few things that depend on the program the library runs in. */
export interface Host {
  /** Its name, sent to each worker so that the worker uses the same host. */
  readonly name: HostName;
  /** How messages name the main thread, where blocking is refused. */
  readonly mainThread: string;
  /** How messages name what a target cannot see from a worker. */
  readonly surroundings: string;
  /**
   * The name a learner wrote for a free name of a target's source, given the source after it
   * (tslab reads `x` of an earlier cell as `exports.x`).
   */
  freeName(name: string, after: string): string;
  /**
   * Called from the event loop when the first worker of this thread starts (`true`) and after the
   * last one ended (`false`).
   *
   * @param endAll - starts ending every running worker; returns their names at once, and a promise
   *   that settles when they have ended.
   */
  workersRunning(running: boolean, endAll: () => EndingWorkers): void;
  /** In a worker, before its target runs: the globals to add besides `mp` and `require`. */
  workerGlobals(mp: unknown): Record<string, unknown>;
  /**
   * Shows `bundle` in the program's output: a new output, or (with `place.update`) the one called
   * `place.id` replaced in place. It throws nothing: where there is no output to show it in, it
   * says why, and the caller raises the error.
   */
  display(bundle: MimeBundle, place: DisplayPlace): DisplayOutcome;
}

/** What `endAll` of {@link Host.workersRunning} returns: who is being ended, and when it is done. */
export interface EndingWorkers {
  /** The names of the workers being ended, such as `"Process-3"`. */
  readonly names: string[];
  /** Settles once every one of them has ended. */
  readonly ended: Promise<void>;
}

/** The names of the hosts. */
export type HostName = "plain" | "tslab";

/**
 * A Node program: no interrupt handling of its own (Ctrl-C ends the program and its workers), and no
 * output that shows pictures (its `display` refuses, saying what to do instead).
 */
export const plainHost: Host = {
  name: "plain",
  mainThread: "the main thread",
  surroundings: "the variables, functions or imports around it",
  freeName: (name) => name,
  workersRunning: () => undefined,
  workerGlobals: () => ({}),
  display: () => ({
    shown: false,
    why: "a plain Node program has no output that shows pictures: this works only in a notebook cell run by the tslab kernel. Elsewhere, write picture.svg or picture.png() to a file, or print String(picture).",
  }),
};

/** Every host, by name. */
const HOSTS: Readonly<Record<HostName, Host>> = { plain: plainHost, tslab: tslabHost };

/** The host of this thread: the tslab kernel when that is the program, otherwise a plain one. */
let current: Host = process.argv.slice(1, 2).some((script) => /[\\/]tslab(\.js)?$|[\\/]tslab[\\/]/.test(script)) ? tslabHost : plainHost;

/** The host of this thread. */
export function host(): Host {
  return current;
}

/**
 * Makes `name` the host of this thread: a worker takes its parent's; a test may pick one.
 *
 * @param name - `"plain"` or `"tslab"`.
 * @throws TypeError for any other name.
 */
export function useHost(name: HostName): void {
  const chosen = (HOSTS as Record<string, Host | undefined>)[name];
  if (chosen === undefined) throw new TypeError(`useHost(): no host is called ${JSON.stringify(name)}; the hosts are ${Object.keys(HOSTS).join(" and ")}.`);
  current = chosen;
}
