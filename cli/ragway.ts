// The `ragway` command line: dispatches subcommands. Run through bin/ragway.js (tsx), so the
// TypeScript sources run as they are, with no build step.
import { readFileSync } from "node:fs";
import { ingestCommand } from "./ingest/command.js";

const USAGE = `usage: ragway <command> [options]

commands:
  ingest <paths...>   upload .md, .txt, .html and .pdf files to a ragway gateway
                      (ragway ingest --help for its options)

  -v, --version       print the version`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version?: string;
  };
  return pkg.version ?? "0.0.0";
}

/** Runs the command line; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "ingest":
      return ingestCommand(rest, {
        stdout: process.stdout,
        stderr: process.stderr,
        env: process.env,
        cwd: process.cwd(),
        version: version(),
      });
    case "-v":
    case "--version":
      process.stdout.write(`${version()}\n`);
      return 0;
    case undefined:
    case "-h":
    case "--help":
    case "help":
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`ragway: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `ragway: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
