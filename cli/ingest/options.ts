// `ragway ingest` arguments: flags and environment (RAGWAY_URL, RAGWAY_API_KEY) parsed and
// validated up front, so a typo is a usage error before any file is read or request sent.
import { parseArgs } from "node:util";
import { z } from "zod";
import { isNamespaceName } from "../../shared/tenancy/namespace-name.js";
import { DEFAULT_LIMITS, SERVER_MAX_DOCUMENTS } from "./batches.js";
import { plainHttpProblem } from "./plain-http.js";
import { JOB_RUN_FILES, type IngestOptions } from "./run-ingest.js";

/** Where `npm run dev` serves the gateway: the URL when neither --url nor RAGWAY_URL is given. */
export const DEFAULT_URL = "http://127.0.0.1:8787";

export const INGEST_USAGE = `usage: ragway ingest <paths...> [--url <endpoint>] [--key <api key>] [options]

Uploads .md, .txt, .html and .pdf files (folders are walked) to a ragway gateway. Ids are the
files' paths; a file the server already has unchanged is skipped, so re-running resumes.

options:
  --url <url>          the gateway, e.g. https://ragway.example.com (env RAGWAY_URL;
                       default ${DEFAULT_URL}, where npm run dev serves it)
  --key <key>          API key sent as a Bearer token (env RAGWAY_API_KEY)
  --insecure           allow sending the key over http:// to a host other than this machine
  --dry-run            show what would be sent; nothing is written
  --base <dir>         ids and sources are paths relative to this folder (default: .)
  --prefix <text>      prepended to every id, e.g. handbook/
  --namespace <name>   the namespace to ingest into (default: the key's first; env RAGWAY_NAMESPACE)
  --metadata k=v       metadata for every document (repeatable)
  --concurrency <n>    upload requests in flight, 1-16 (default 4)
  --batch-size <n>     documents per request, 1-${SERVER_MAX_DOCUMENTS} (default ${SERVER_MAX_DOCUMENTS})
  --retries <n>        retries per request on 429/5xx/network errors (default 5)
  --timeout <seconds>  per-request timeout (default 120)
  --force              send every file, even unchanged ones
  --jobs <mode>        upload batches as ingestion jobs and follow their progress: auto (once
                       more than ${JOB_RUN_FILES} files need sending), always or never (default auto)
  --progress <mode>    auto, bar or plain (default auto: a bar on a terminal)
  -h, --help           this help

exit status: 0 when every file was ingested or skipped, 1 when any failed, 2 on bad usage.`;

export interface CliIngestOptions extends IngestOptions {
  url: string | null;
  key: string | null;
  retries: number;
  timeoutMs: number;
  progress: "auto" | "bar" | "plain";
  /** The namespace to write into; null leaves it to the key (its first namespace). */
  namespace: string | null;
}

export type ParsedArgs =
  | { ok: true; help: true }
  | { ok: true; help: false; options: CliIngestOptions }
  | { ok: false; message: string };

const int = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `--${name} must be a number` })
    .int(`--${name} must be a whole number`)
    .min(min, `--${name} must be at least ${min}`)
    .max(max, `--${name} must be at most ${max}`);

const Schema = z.object({
  paths: z.array(z.string()).min(1, "give at least one file or folder"),
  url: z.url({ protocol: /^https?$/, error: "--url must be an http(s) URL" }).nullable(),
  concurrency: int("concurrency", 1, 16),
  batchSize: int("batch-size", 1, SERVER_MAX_DOCUMENTS),
  retries: int("retries", 0, 20),
  timeoutSeconds: int("timeout", 1, 3600),
  progress: z.enum(["auto", "bar", "plain"], { error: "--progress must be auto, bar or plain" }),
  jobs: z.enum(["auto", "always", "never"], { error: "--jobs must be auto, always or never" }),
  metadata: z.array(z.string().regex(/^[\w.-]{1,64}=.*$/, "--metadata takes key=value")),
});

/** Parses `ragway ingest` arguments (without the command name). */
export function parseIngestArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  cwd: string,
): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        url: { type: "string" },
        key: { type: "string" },
        insecure: { type: "boolean" },
        "dry-run": { type: "boolean" },
        base: { type: "string" },
        prefix: { type: "string" },
        namespace: { type: "string" },
        metadata: { type: "string", multiple: true },
        concurrency: { type: "string" },
        "batch-size": { type: "string" },
        retries: { type: "string" },
        timeout: { type: "string" },
        force: { type: "boolean" },
        progress: { type: "string" },
        jobs: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  const { values, positionals } = parsed;
  if (values.help) return { ok: true, help: true };
  if (positionals.length === 0) return { ok: false, message: "give at least one file or folder" };
  const dryRun = values["dry-run"] ?? false;
  // A dry run asks a server (for "add" vs "update") only when one is named; a real run falls back
  // to the local development server.
  const url = values.url ?? (env.RAGWAY_URL || undefined) ?? (dryRun ? null : DEFAULT_URL);
  const checked = Schema.safeParse({
    paths: positionals,
    url,
    concurrency: values.concurrency ?? 4,
    batchSize: values["batch-size"] ?? SERVER_MAX_DOCUMENTS,
    retries: values.retries ?? 5,
    timeoutSeconds: values.timeout ?? 120,
    progress: values.progress ?? "auto",
    jobs: values.jobs ?? "auto",
    metadata: values.metadata ?? [],
  });
  if (!checked.success) {
    return { ok: false, message: checked.error.issues[0]?.message ?? "invalid arguments" };
  }
  const c = checked.data;
  const key = values.key ?? env.RAGWAY_API_KEY ?? null;
  const cleartext = c.url ? plainHttpProblem(c.url, key, values.insecure ?? false) : null;
  if (cleartext && !dryRun) return { ok: false, message: cleartext };
  const prefix = values.prefix ?? "";
  if (!/^[\w.:/@~+-]*$/.test(prefix)) {
    return { ok: false, message: "--prefix may contain letters, digits and . : / @ ~ + - _ only" };
  }
  const namespace = values.namespace ?? env.RAGWAY_NAMESPACE ?? null;
  if (namespace !== null && !isNamespaceName(namespace)) {
    return { ok: false, message: "--namespace must match [a-z0-9][a-z0-9_-]{0,62}" };
  }
  const metadata: Record<string, string> = {};
  for (const pair of c.metadata) {
    const at = pair.indexOf("=");
    metadata[pair.slice(0, at)] = pair.slice(at + 1);
  }
  for (const reserved of ["content_sha256", "file_type"]) {
    if (reserved in metadata)
      return { ok: false, message: `--metadata ${reserved} is set by the CLI` };
  }
  return {
    ok: true,
    help: false,
    options: {
      paths: c.paths,
      url: c.url,
      key,
      base: values.base ?? cwd,
      prefix,
      metadata,
      concurrency: c.concurrency,
      limits: { maxDocuments: c.batchSize, maxBytes: DEFAULT_LIMITS.maxBytes },
      retries: c.retries,
      timeoutMs: c.timeoutSeconds * 1000,
      force: values.force ?? false,
      dryRun,
      progress: c.progress,
      jobs: c.jobs,
      namespace,
    },
  };
}
