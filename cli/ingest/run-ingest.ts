// The ingest run: walk the paths, then per window of files hash them, ask the server which are
// unchanged (lookup), extract only the rest, and upload them in batches with a few requests in
// flight; a large run uploads each batch as an ingestion job and follows the jobs to the end.
// Ids come from paths and the file hash rides in metadata, so a re-run after any interruption
// sends exactly what the server does not have yet (what a job already stored is skipped).
import { createHash } from "node:crypto";
import type { IngestClient, UploadDocument } from "./client.js";
import type { JobProgress } from "./job-tracker.js";
import { createUploader, type Ready } from "./uploader.js";
import { BatchPacker, documentBytes, type BatchLimits } from "./batches.js";
import { documentIdFor } from "./document-id.js";
import { extractDocument } from "./extract.js";
import { createPool } from "./pool.js";
import type { Reporter } from "./progress.js";
import { filesDone, type Tally } from "./summary.js";
import { errorMessage, walkPaths, type FileEntry } from "./walk.js";

export interface IngestOptions {
  paths: string[];
  /** Ids and sources are paths relative to this folder. */
  base: string;
  /** Prepended to every id, e.g. "handbook/". */
  prefix: string;
  /** Extra metadata on every document (part of the unchanged check). */
  metadata: Record<string, string>;
  concurrency: number;
  limits: BatchLimits;
  /** Send every file even when the server already has it. */
  force: boolean;
  dryRun: boolean;
  /** Upload batches as ingestion jobs: always, never, or (auto) when many files need sending. */
  jobs: "auto" | "always" | "never";
}

/** `jobs: "auto"` uses jobs once more files than this need sending (one synchronous call's limit). */
export const JOB_RUN_FILES = 100;

export interface IngestDeps {
  /** Null only for a dry run without a server to ask. */
  client: IngestClient | null;
  reporter: Reporter;
  tally: Tally;
  readFile(path: string): Promise<Uint8Array>;
  /** Where a dry run prints its plan (stdout). */
  print(line: string): void;
  /** Waits between polls of a job (default: real time). */
  sleep?(ms: number): Promise<void>;
  /** How often a running job is polled (default 2 s). */
  pollMs?: number;
}

interface Pending {
  file: FileEntry;
  id: string;
  metadata: Record<string, string>;
  known: boolean;
}

/** Files hashed, looked up and extracted per window (one lookup call each, ≤ 1,000 ids). */
const WINDOW = 250;
/** Files read at once; PDFs are parsed at most this many at a time too. */
const READ_CONCURRENCY = 4;

/** Runs the ingest; the outcome accumulates in `deps.tally` (readable even if interrupted). */
export async function runIngest(options: IngestOptions, deps: IngestDeps): Promise<void> {
  const { tally, reporter } = deps;
  const walked = await walkPaths(options.paths, options.base);
  tally.ignored += walked.ignored.length;
  const total = walked.files.length + walked.failures.length;
  let jobs: JobProgress | undefined;
  const progress = (): void =>
    reporter.update({
      done: filesDone(tally),
      total,
      chunks: tally.chunks,
      ...(jobs ? { jobs } : {}),
    });
  const fail = (path: string, message: string): void => {
    tally.failed.push({ path, message });
    reporter.note(`✗ ${path}: ${message}`);
    progress();
  };
  for (const f of walked.failures) fail(f.path, f.message);
  if (walked.files.length === 0) reporter.note("no .md, .txt, .html or .pdf files found");
  progress();

  const pool = createPool(options.concurrency);
  const packer = new BatchPacker<Ready>(options.limits);
  let lookupMissing = false;
  let planned = { requests: 0, bytes: 0 };
  // Files found to need sending so far: past JOB_RUN_FILES, `jobs: "auto"` uploads as jobs.
  let toSendTotal = 0;
  const uploader = createUploader({
    useJobs: () =>
      options.jobs === "always" || (options.jobs === "auto" && toSendTotal > JOB_RUN_FILES),
    tally,
    reporter,
    fail,
    progress,
    onJobs: (p) => {
      jobs = p;
      progress();
    },
    pollMs: deps.pollMs ?? 2000,
    sleep: (ms) =>
      deps.sleep ? deps.sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms)),
  });

  const send = async (batch: Ready[]): Promise<void> => {
    if (options.dryRun || !deps.client) {
      planned = {
        requests: planned.requests + 1,
        bytes: planned.bytes + batch.reduce((n, r) => n + documentBytes(r.doc), 0),
      };
      return;
    }
    const client = deps.client;
    await pool.submit(() => uploader.upload(client, batch));
  };

  for (let start = 0; start < walked.files.length; start += WINDOW) {
    const window = walked.files.slice(start, start + WINDOW);
    const hashed = await mapLimit(
      window,
      READ_CONCURRENCY,
      async (file): Promise<Pending | null> => {
        try {
          const sha = createHash("sha256")
            .update(await deps.readFile(file.path))
            .digest("hex");
          const metadata = { ...options.metadata, content_sha256: sha, file_type: file.kind };
          return { file, id: documentIdFor(file.relPath, options.prefix), metadata, known: false };
        } catch (err) {
          fail(file.relPath, errorMessage(err));
          return null;
        }
      },
    );
    const pending = hashed.filter((p): p is Pending => p !== null);
    if (pending.length === 0) continue;

    let toSend = pending;
    if (deps.client && !options.force && !lookupMissing) {
      tally.requests++;
      const found = await deps.client.lookup(pending.map((p) => p.id));
      if (!found.ok && refusesTheRun(found)) {
        // The key or the namespace is refused: every other file would be too. Say it once.
        tally.stopped = found.message;
        reporter.note(`✗ ${found.message}`);
        const counted = new Set(tally.failed.map((f) => f.path));
        for (const f of walked.files.slice(start)) {
          if (!counted.has(f.relPath)) {
            tally.failed.push({ path: f.relPath, message: "not sent: the run stopped" });
          }
        }
        break;
      }
      if (!found.ok && found.status === 404) {
        lookupMissing = true;
        reporter.note(
          "note: the server has no lookup route; sending every file (it still skips unchanged ones)",
        );
      } else if (!found.ok) {
        for (const p of pending) fail(p.file.relPath, `lookup failed: ${found.message}`);
        continue;
      } else {
        const stored = new Map(found.value.documents.map((d) => [d.id, d]));
        toSend = [];
        for (const p of pending) {
          const prior = stored.get(p.id);
          p.known = prior !== undefined;
          const same =
            prior !== undefined &&
            prior.embedding_model === found.value.embedding_model &&
            sameMetadata(prior.metadata, p.metadata);
          if (same) tally.unchanged++;
          else toSend.push(p);
        }
        progress();
      }
    }

    toSendTotal += toSend.length;
    const ready = await mapLimit(toSend, READ_CONCURRENCY, async (p): Promise<Ready | null> => {
      let bytes: Uint8Array;
      try {
        bytes = await deps.readFile(p.file.path);
      } catch (err) {
        fail(p.file.relPath, errorMessage(err));
        return null;
      }
      const extracted = await extractDocument(p.file.relPath, p.file.kind, bytes);
      if (!extracted.ok) {
        if (extracted.reason === "empty") {
          tally.empty++;
          reporter.note(`- ${p.file.relPath}: skipped, no text`);
          progress();
        } else fail(p.file.relPath, extracted.message);
        return null;
      }
      const doc: UploadDocument = {
        id: p.id,
        text: extracted.text,
        title: extracted.title,
        source: p.file.relPath,
        metadata: p.metadata,
      };
      if (options.dryRun) {
        if (p.known) tally.updated++;
        else tally.added++;
        deps.print(
          `${p.known ? "update" : "add   "} ${p.file.relPath} -> ${p.id} (${extracted.text.length} chars)`,
        );
        progress();
      }
      return { file: p.file, doc, known: p.known };
    });

    for (const r of ready) {
      if (!r) continue;
      const batch = packer.add(r);
      if (batch) await send(batch);
    }
  }
  const last = packer.flush();
  if (last) await send(last);
  await pool.drain();
  await uploader.drain();
  if (options.dryRun && planned.requests > 0) {
    const mb = (planned.bytes / 1024 / 1024).toFixed(2);
    deps.print(`would send ${planned.requests} upload request(s), ${mb} MB of documents`);
  }
  reporter.finish({
    done: filesDone(tally),
    total,
    chunks: tally.chunks,
    ...(jobs ? { jobs } : {}),
  });
}

/** True when the stored metadata is exactly what this run would send. */
function sameMetadata(
  stored: Record<string, string | number | boolean>,
  wanted: Record<string, string>,
): boolean {
  const keys = Object.keys(wanted);
  return Object.keys(stored).length === keys.length && keys.every((k) => stored[k] === wanted[k]);
}

/** Maps with at most `limit` calls in flight, results in input order. */
async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * A refusal no retry or smaller batch can change: the key is unknown or revoked (401), lacks the
 * scope or namespace (403), or the namespace does not exist.
 */
function refusesTheRun(result: { status?: number; message: string }): boolean {
  return (
    result.status === 401 ||
    result.status === 403 ||
    (result.status === 404 && result.message.includes("namespace_not_found"))
  );
}
