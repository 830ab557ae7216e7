// `ragway ingest`: wires the run to the real world (fetch, the file system, stdout/stderr, the
// clock, Ctrl-C) and turns the tally into the summary and the exit status.
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { createIngestClient } from "./client.js";
import { INGEST_USAGE, parseIngestArgs } from "./options.js";
import { createReporter, type Output } from "./progress.js";
import { DEFAULT_RETRY } from "./retry.js";
import { runIngest } from "./run-ingest.js";
import { emptyTally, exitCode, formatSummary, type Tally } from "./summary.js";

export interface CommandIo {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  cwd: string;
  version: string;
}

/** Runs `ragway ingest <argv...>`; resolves to the exit status. */
export async function ingestCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = parseIngestArgs(argv, io.env, io.cwd);
  if (!parsed.ok) {
    io.stderr.write(`ragway ingest: ${parsed.message}\n\n${INGEST_USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(`${INGEST_USAGE}\n`);
    return 0;
  }
  const options = parsed.options;
  const started = Date.now();
  const tally: Tally = emptyTally();
  const mode = options.progress === "auto" ? (io.stderr.isTTY ? "bar" : "plain") : options.progress;
  const reporter = createReporter(io.stderr, { now: () => Date.now(), mode });
  const client = options.url
    ? createIngestClient({
        url: options.url,
        ...(options.key ? { key: options.key } : {}),
        ...(options.namespace ? { namespace: options.namespace } : {}),
        fetch: globalThis.fetch,
        timeoutMs: options.timeoutMs,
        now: () => Date.now(),
        userAgent: `ragway-cli/${io.version}`,
        retry: {
          ...DEFAULT_RETRY,
          retries: options.retries,
          sleep: (ms) => sleep(ms),
          random: Math.random,
          onRetry: ({ attempt, delayMs, message }) => {
            tally.retries++;
            reporter.note(
              `retry ${attempt}/${options.retries} in ${(delayMs / 1000).toFixed(1)}s: ${message}`,
            );
          },
        },
      })
    : null;

  const interrupted = (): void => {
    io.stderr.write(
      "\ninterrupted: re-run the same command to finish (unchanged files are skipped; jobs already\nsubmitted keep running on the server, and what they store is skipped too)\n",
    );
    io.stdout.write(`${formatSummary(tally, Date.now() - started, options.dryRun)}\n`);
    process.exit(130);
  };
  if (client && !(options.dryRun && !options.url)) {
    const unreachable = await client.reachable();
    if (unreachable) {
      io.stderr.write(
        `ragway ingest: ${unreachable}\nIs the gateway running? Start it with \`npm run dev\`, or pass --url (or set RAGWAY_URL).\n`,
      );
      return 1;
    }
  }
  process.once("SIGINT", interrupted);
  try {
    if (options.dryRun) io.stderr.write("dry run: nothing will be written\n");
    await runIngest(options, {
      client: options.dryRun && !options.url ? null : client,
      reporter,
      tally,
      readFile: (path) => readFile(path),
      // Both streams on one terminal: print above the bar (note redraws it) instead of through it.
      print: (line) =>
        mode === "bar" && io.stdout.isTTY ? reporter.note(line) : io.stdout.write(`${line}\n`),
    });
  } finally {
    process.removeListener("SIGINT", interrupted);
  }
  io.stdout.write(`${formatSummary(tally, Date.now() - started, options.dryRun)}\n`);
  return exitCode(tally);
}
