/**
 * The parent's side of the `Atomics.Mutex` rows, which run in a process of their own (see
 * mutex-child.ts for why): the messages both sides exchange, and the client that starts the child
 * and asks it for one run at a time.
 *
 * @packageDocumentation
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";

/** What the parent asks for: one run with this many workers of `n` iterations each. */
export interface MutexRequest {
  /** Workers (at most the pool's size). */
  readonly workers: number;
  /** Iterations per worker. */
  readonly n: number;
  /** Untimed iterations per worker before the timed ones (see timeParked). */
  readonly warmup: number;
}

/** What the child says: ready, skipped (and why), one run's seconds, or why the run failed. */
export type MutexReply = { readonly ready: true } | { readonly skipped: string } | { readonly seconds: number } | { readonly error: string };

/** A row that cannot be measured here; the reason is shown in its place. */
export class Skipped extends Error {}

/**
 * The `Atomics.Mutex` rows' own process (see mutex-child.ts), started on first use and again after
 * a failed run, or after it ended between two runs (V8's shared heap under `--harmony-struct` is
 * not stable in Node 20; a line on stderr says so, and the next run gets a fresh process).
 */
export class MutexProcess {
  private child: ChildProcess | null = null;
  private stderr = "";
  private asking = false;

  /** @param poolSize - how many workers the child starts once: the most any run asks for. */
  constructor(private readonly poolSize: number) {}

  /** One run: seconds. */
  async run(workers: number, n: number, warmup: number): Promise<number> {
    const child = this.child ?? (await this.start());
    const request: MutexRequest = { workers, n, warmup };
    // If the child has just ended, sending fails; its "exit" then fails the reply below.
    child.send(request, () => undefined);
    this.asking = true;
    try {
      const reply = await this.reply(child);
      if ("seconds" in reply) return reply.seconds;
      throw new Error("error" in reply ? reply.error : `unexpected reply ${JSON.stringify(reply)}`);
    } finally {
      this.asking = false;
    }
  }

  /** Lets the child exit. */
  close(): void {
    this.child?.disconnect();
    this.child = null;
  }

  private async start(): Promise<ChildProcess> {
    this.stderr = "";
    const child = fork(join(__dirname, "mutex-child.ts"), [`${this.poolSize}`], {
      execArgv: ["--harmony-struct", "--require", "ts-node/register"],
      // The parent has type-checked these files already.
      env: { ...process.env, TS_NODE_PROJECT: join(__dirname, "tsconfig.json"), TS_NODE_TRANSPILE_ONLY: "true" },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    child.stderr?.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    const first = await this.reply(child).catch((error: Error) => {
      if (/bad option/.test(error.message)) throw new Skipped(`skipped: this node has no --harmony-struct (${error.message})`);
      throw error;
    });
    if ("skipped" in first) {
      child.disconnect();
      throw new Skipped(first.skipped);
    }
    this.child = child;
    child.once("exit", (code: number | null, signal: string | null) => {
      if (this.child !== child || this.asking) return;
      this.child = null;
      console.error(`  the Atomics.Mutex process ended between runs (${signal ?? `exit ${code}`}): ${this.why()}; the next run starts a new one`);
    });
    return child;
  }

  /** The line of the child's stderr that best says why it ended. */
  private why(): string {
    const line = this.stderr.split("\n").find((l) => /error|assert|bad option/i.test(l)) ?? this.stderr.trim().split("\n")[0];
    return line?.trim() || "no message";
  }

  private reply(child: ChildProcess): Promise<MutexReply> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: MutexReply): void => {
        child.off("exit", onExit);
        resolve(message);
      };
      const onExit = (code: number | null, signal: string | null): void => {
        child.off("message", onMessage);
        this.child = null;
        reject(new Error(`the Atomics.Mutex process ended (${signal ?? `exit ${code}`}): ${this.why()}`));
      };
      child.once("message", onMessage);
      child.once("exit", onExit);
    });
  }
}
