/**
 * A Jupyter server for one end-to-end suite: started on a free loopback port with a random token,
 * ready once it answers on /api, and stopped with every process it started (its kernels too),
 * also when a test fails or the test process exits early.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export const REPO = resolve(__dirname, "..", "..");
export const ARTIFACTS = join(REPO, "test", "artifacts");
export const NOTEBOOKS = join(REPO, "notebooks");

/**
 * Settings for the test servers only (their own JUPYTER_CONFIG_DIR): no autosave, so that running
 * the notebooks in the browser never writes them back into the repo, and no "Jupyter news?"
 * prompt over the screenshots.
 */
const USER_SETTINGS: Record<string, object> = {
  "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": { autosave: false },
  "@jupyterlab/apputils-extension/notification.jupyterlab-settings": { fetchNews: "false", checkForUpdates: false },
};

/** A port that was free on 127.0.0.1 a moment ago (the server is told not to try others). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => (port ? resolvePort(port) : reject(new Error("no free port"))));
    });
  });
}

interface Proc {
  pid: number;
  ppid: number;
  state: string; // "Z": a zombie, as good as gone
  start: string; // start time in clock ticks: tells a process from a later one with the same pid
  cmd: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3, state
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    return { pid, ppid: Number(fields[1]), state: fields[0] ?? "", start: fields[19] ?? "", cmd };
  } catch {
    return undefined; // gone
  }
}

/** `root` and all its descendants now (kernels run in sessions of their own, but stay children). */
function processTree(root: number): Proc[] {
  const all = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map((d) => readProc(Number(d)));
  const tree: Proc[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    for (const p of all) {
      if (p && (p.pid === pid || p.ppid === pid) && !tree.some((t) => t.pid === p.pid)) {
        tree.push(p);
        if (p.pid !== pid) todo.push(p.pid);
      }
    }
  }
  return tree;
}

function alive(p: Proc): boolean {
  const now = readProc(p.pid);
  return now !== undefined && now.start === p.start && now.state !== "Z";
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type App = "lab" | "notebook";

/** Servers not stopped yet, for the last-resort cleanup when the test process is ended early. */
const running = new Set<JupyterServer>();
let signalsHandled = false;

/**
 * On SIGINT/SIGTERM/SIGHUP (Ctrl-C, the test runner giving up) Node would end without running
 * `exit` handlers: kill the servers' processes first, then exit (which lets Playwright kill its
 * browsers in its own `exit` handler).
 */
function handleSignals(): void {
  if (signalsHandled) return;
  signalsHandled = true;
  const codes: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
  for (const [sig, code] of Object.entries(codes)) {
    process.once(sig as NodeJS.Signals, () => {
      for (const server of running) server.killNow();
      process.exit(code);
    });
  }
}

export class JupyterServer {
  readonly url: string;
  private readonly exited: Promise<void>;
  private exitInfo: string | undefined;
  private known: Proc[] = [];
  private stopped = false;
  private readonly onExit = () => this.killNow();

  private constructor(
    readonly app: App,
    readonly token: string,
    port: number,
    private readonly child: ChildProcess,
    readonly logFile: string,
    private readonly tempDir: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.exited = new Promise((r) =>
      child.once("exit", (code, sig) => {
        this.exitInfo = sig ? `signal ${sig}` : `exit code ${code}`;
        r();
      }),
    );
    process.once("exit", this.onExit);
    running.add(this);
    handleSignals();
  }

  /**
   * "lab": `bash scripts/start.sh`, exactly what `npm start` runs (setup, then JupyterLab on
   * notebooks/00-start-here.ipynb). "notebook": Jupyter Notebook 7 on notebook 01, same flags.
   * Either way plus `--port=<free> --no-browser --IdentityProvider.token=<random>`.
   */
  static async start(app: App, readyTimeoutMs = 120_000): Promise<JupyterServer> {
    const port = await freeLoopbackPort();
    const token = randomBytes(24).toString("hex");
    const extra = [`--port=${port}`, "--ServerApp.port_retries=0", "--no-browser", `--IdentityProvider.token=${token}`];
    const [command, args] =
      app === "lab"
        ? ["bash", [join(REPO, "scripts", "start.sh"), ...extra]]
        : [
            join(REPO, ".venv", "bin", "jupyter"),
            ["notebook", "notebooks/01-isolated-memory.ipynb", "--ServerApp.ip=127.0.0.1",
              ...(process.getuid?.() === 0 ? ["--allow-root"] : []), ...extra],
          ];
    const tempDir = mkdtempSync(join(tmpdir(), `e2e-jupyter-${app}-`));
    mkdirSync(join(tempDir, "config"));
    // Checkpoints (JupyterLab makes one when it opens a notebook) go here, not into notebooks/.
    const serverConfig = { FileCheckpoints: { checkpoint_dir: join(tempDir, "checkpoints") } };
    writeFileSync(join(tempDir, "config", "jupyter_server_config.json"), JSON.stringify(serverConfig));
    for (const [file, settings] of Object.entries(USER_SETTINGS)) {
      const path = join(tempDir, "config", "lab", "user-settings", file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify(settings));
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    const logFile = join(ARTIFACTS, `${app === "lab" ? "jupyterlab" : "notebook7"}.log`);
    const log = openSync(logFile, "w");
    const child = spawn(command, args, {
      cwd: REPO,
      detached: true, // its own process group, stopped as one
      stdio: ["ignore", log, log],
      env: {
        ...process.env,
        // A profile as after git clone: its own config, runtime and data folders. The data folder
        // holds the notebook trust database (nbsignatures.db): a fresh one trusts no notebook.
        JUPYTER_CONFIG_DIR: join(tempDir, "config"),
        JUPYTER_RUNTIME_DIR: join(tempDir, "runtime"),
        JUPYTER_DATA_DIR: join(tempDir, "data"),
      },
    });
    closeSync(log);
    const server = new JupyterServer(app, token, port, child, logFile, tempDir);
    try {
      await server.waitReady(readyTimeoutMs);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** The server's log so far, last lines (for failure messages). */
  logTail(lines = 30): string {
    const text = existsSync(this.logFile) ? readFileSync(this.logFile, "utf8") : "";
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exitInfo) {
        throw new Error(`${this.app} server ended (${this.exitInfo}) before answering on /api:\n${this.logTail()}`);
      }
      try {
        // /api answers anyone; /api/status only with our token: this is our server.
        if ((await fetch(`${this.url}/api`)).ok && (await this.api("GET", "/api/status")).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    throw new Error(`${this.app} server did not answer on ${this.url}/api within ${timeoutMs / 1000} s:\n${this.logTail()}`);
  }

  api(method: string, path: string): Promise<Response> {
    return fetch(`${this.url}${path}`, { method, headers: { Authorization: `token ${this.token}` } });
  }

  async json<T>(path: string): Promise<T> {
    const response = await this.api("GET", path);
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  }

  /** A browser URL for `path` below the server, logged in with the token. */
  pageUrl(path: string): string {
    return `${this.url}${path}${path.includes("?") ? "&" : "?"}token=${this.token}`;
  }

  /** Shuts down every kernel session of the server (after a notebook's test: keep one kernel at a time). */
  async shutdownSessions(): Promise<void> {
    const sessions = await this.json<{ id: string }[]>("/api/sessions");
    await Promise.all(sessions.map((s) => this.api("DELETE", `/api/sessions/${s.id}`)));
  }

  private remember(): void {
    if (this.child.pid === undefined) return;
    for (const p of processTree(this.child.pid)) {
      if (!this.known.some((k) => k.pid === p.pid && k.start === p.start)) this.known.push(p);
    }
  }

  /** Last resort when the test process ends early: SIGKILL the group and every process it started. */
  killNow(): void {
    if (this.stopped || this.child.pid === undefined) return;
    this.stopped = true;
    running.delete(this);
    this.remember();
    signal(-this.child.pid, "SIGKILL");
    for (const p of this.known) if (alive(p)) signal(p.pid, "SIGKILL");
    rmSync(this.tempDir, { recursive: true, force: true });
  }

  /**
   * Stops the server the way Ctrl-C does (SIGTERM: it shuts its kernels down), then makes sure:
   * SIGKILL for the group after 15 s, and for any process of its tree still alive after that.
   * Returns what had to be killed; throws if anything survives.
   */
  async stop(): Promise<string[]> {
    if (this.stopped) return [];
    const forced: string[] = [];
    const pid = this.child.pid;
    if (pid !== undefined) {
      this.remember();
      if (!this.exitInfo) signal(-pid, "SIGTERM");
      const timedOut = await Promise.race([this.exited.then(() => false), sleep(15_000).then(() => true)]);
      if (timedOut) {
        forced.push(`server ${pid}`);
        signal(-pid, "SIGKILL");
        await Promise.race([this.exited, sleep(5_000)]);
      }
      for (let i = 0; i < 40 && this.known.some(alive); i++) await sleep(250);
      for (const p of this.known.filter(alive)) {
        forced.push(`${p.pid} ${p.cmd}`);
        signal(p.pid, "SIGKILL");
      }
      await sleep(200);
      const survivors = this.known.filter(alive);
      if (survivors.length > 0) {
        throw new Error(`processes survived SIGKILL: ${survivors.map((p) => `${p.pid} ${p.cmd}`).join("; ")}`);
      }
    }
    this.stopped = true;
    running.delete(this);
    process.removeListener("exit", this.onExit);
    rmSync(this.tempDir, { recursive: true, force: true });
    return forced;
  }
}
