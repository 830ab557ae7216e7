// Runs the `ragway` CLI (bin/ragway.js) as a real child process, piped or under a pseudo-terminal
// (util-linux `script`), and collects its output and exit status.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const BIN = resolve("bin/ragway.js");

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Starts the CLI; `tty` runs it under a pseudo-terminal (stdout and stderr arrive merged). */
export function startCli(
  args: string[],
  options: { env?: Record<string, string>; tty?: boolean; columns?: number } = {},
): { child: ChildProcess; done: Promise<CliRun> } {
  // The caller's own RAGWAY_* settings must not leak into a test run.
  const { RAGWAY_API_KEY: _k, RAGWAY_URL: _u, ...inherited } = process.env;
  const env = { ...inherited, NO_COLOR: "1", ...options.env };
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(" ");
  const child = options.tty
    ? spawn(
        "script",
        ["-q", "-e", "-c", `stty cols ${options.columns ?? 120}; exec ${command}`, "/dev/null"],
        { env, stdio: ["pipe", "pipe", "pipe"] },
      )
    : spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolveRun, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolveRun({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs the CLI to completion. */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string>; tty?: boolean } = {},
): Promise<CliRun> {
  return startCli(args, options).done;
}

/** The counts of a summary block printed by `ragway ingest`. */
export function summaryCounts(stdout: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of ["added", "updated", "skipped", "failed", "ignored"]) {
    const m = new RegExp(`^\\s+${name}\\s+(\\d+)`, "m").exec(stdout);
    out[name] = m?.[1] ? Number(m[1]) : 0;
  }
  const unchanged = /(\d+) unchanged/.exec(stdout);
  out.unchanged = unchanged?.[1] ? Number(unchanged[1]) : 0;
  return out;
}
