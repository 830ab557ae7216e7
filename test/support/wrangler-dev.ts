// Starts `wrangler dev` as a real process on free ports with a throwaway state folder, for e2e
// tests and benchmarks; resolves once /health answers.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface WranglerDev {
  url: string;
  /** The V8 inspector (DevTools protocol) of the Worker, e.g. for a CPU profile; null when
   * started with `inspector: false`. */
  inspectorUrl: string | null;
  /** The process group leader (npx, or npm for `npmScript`): wrangler and workerd run under it. */
  pid: number;
  /** Everything the process printed so far. */
  output(): string;
  /** The process group of wrangler and the runtime it started (for CPU accounting). */
  pgid: number;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** How a dev server is started (see startWranglerDev). */
export type WranglerDevOptions = {
  vars?: Record<string, string>;
  timeoutMs?: number;
  logLevel?: "info" | "log";
  /** Another Worker's wrangler config (a benchmark's baseline); default ./wrangler.toml. */
  config?: string;
  /** false: the same dev server with no V8 inspector attached, as a deployed Worker runs (see
   * worker-without-inspector.ts). `wrangler dev` attaches one, and it makes every console call
   * and subrequest cost CPU. Default true, as `npm run dev` runs. */
  inspector?: boolean;
  /** The checkout to serve (its wrangler.toml, sources and support files); default the current
   * directory. */
  cwd?: string;
  /** Start it through `npm run dev` itself (the README's command, with the ports and state
   * folder added as its arguments), not wrangler's command line. Needs the inspector. */
  npmScript?: boolean;
};

/** Runs `wrangler dev --env dev` (as `npm run dev` does) with `vars` overriding its vars. `logLevel: "log"` also
 * prints the Worker's own console output (the request log lines), which "info" hides. */
export async function startWranglerDev(options: WranglerDevOptions = {}): Promise<WranglerDev> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      // A port freePort found free can be taken before wrangler binds it (another test file's
      // server, a runtime's own socket): start again on new ports.
      const taken = err instanceof Error && err.message.includes("Address already in use");
      if (!taken || attempt >= 3) throw err;
    }
  }
}

async function startOnce(options: WranglerDevOptions): Promise<WranglerDev> {
  const port = await freePort();
  const inspector = await freePort();
  const state = await mkdtemp(join(tmpdir(), "ragway-dev-"));
  const withInspector = options.inspector ?? true;
  if (options.npmScript && !withInspector) throw new Error("npmScript runs with the inspector");
  const logLevel = options.logLevel ?? "info";
  const command = options.npmScript ? ["run", "dev", "--"] : ["wrangler", "dev", "--env", "dev"];
  const args = withInspector
    ? [
        ...command,
        "--port",
        String(port),
        "--inspector-port",
        String(inspector),
        "--persist-to",
        state,
        "--log-level",
        logLevel,
        ...(options.config ? ["--config", options.config] : []),
        ...Object.entries(options.vars ?? {}).flatMap(([key, value]) => [
          "--var",
          `${key}:${value}`,
        ]),
      ]
    : ["tsx", "test/support/worker-without-inspector.ts"];
  const serve = {
    config: options.config ?? "wrangler.toml",
    port,
    persist: state,
    logLevel,
    vars: options.vars ?? {},
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    // What `npm run dev` sets (scripts/dev.mjs): no fetch of wrangler's `Request.cf` placeholder.
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    CI: "true",
    NO_COLOR: "1",
    ...(withInspector ? {} : { RAGWAY_SERVE: JSON.stringify(serve) }),
  };
  if (options.npmScript) {
    // As from a newcomer's shell: what the script sets is its own doing, and no NODE_ENV=test
    // from the test runner (under which miniflare skips that fetch by itself).
    delete env.CLOUDFLARE_CF_FETCH_ENABLED;
    delete env.NODE_ENV;
  }
  const child: ChildProcess = spawn(options.npmScript ? "npm" : "npx", args, {
    cwd: options.cwd ?? process.cwd(),
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
          } catch {
            // already gone
          }
          resolve();
        }, 5000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await rm(state, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok)
        return {
          url,
          inspectorUrl: withInspector ? `http://127.0.0.1:${inspector}` : null,
          pid: child.pid ?? 0,
          pgid: child.pid ?? 0,
          output: () => out,
          stop,
        };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`wrangler dev did not come up on ${url}:\n${out.slice(-3000)}`);
}
