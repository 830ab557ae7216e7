// Uploading a run's batches: directly (the response lists each document) or as ingestion jobs
// (the response is a job, followed to its end by a JobTracker), tallying every file either way.
// A batch the server refuses as a whole is halved until the offending file stands alone; a server
// from before jobs (it refuses `async`) is uploaded to directly from then on.
import type { IngestClient, JobResult, UploadAnswer, UploadDocument } from "./client.js";
import { JobTracker, type JobProgress } from "./job-tracker.js";
import type { Reporter } from "./progress.js";
import type { Attempted } from "./retry.js";
import type { Tally } from "./summary.js";
import type { FileEntry } from "./walk.js";

/** A file ready to upload. */
export interface Ready {
  file: FileEntry;
  doc: UploadDocument;
  /** The server already had a version of it (an update, not an addition). */
  known: boolean;
}

export interface UploaderOptions {
  /** Whether the next batch goes as an ingestion job (asked per batch). */
  useJobs: () => boolean;
  tally: Tally;
  reporter: Reporter;
  /** Records a failed file. */
  fail: (path: string, message: string) => void;
  /** The tally changed. */
  progress: () => void;
  /** The jobs' documents done, failed and remaining changed. */
  onJobs(progress: JobProgress): void;
  pollMs: number;
  sleep(ms: number): Promise<void>;
}

export interface Uploader {
  /** Uploads one batch; with jobs, resolves once the job is submitted. */
  upload(client: IngestClient, batch: Ready[]): Promise<void>;
  /** Resolves once every submitted job has finished (and been tallied). */
  drain(): Promise<void>;
}

/** An uploader for one run. */
export function createUploader(options: UploaderOptions): Uploader {
  const { tally, reporter, fail, progress } = options;
  // Set once a server refuses `async`: it predates jobs.
  let jobsRefused = false;
  let client: IngestClient | null = null;
  const jobBatches = new Map<string, Ready[]>();

  const finishJob = (job: JobResult, unreadable: string | null): void => {
    const batch = jobBatches.get(job.id) ?? [];
    jobBatches.delete(job.id);
    if (unreadable) {
      for (const r of batch) fail(r.file.relPath, `job ${job.id}: ${unreadable}`);
      return;
    }
    const failed = new Map(job.errors.map((e) => [e.id, e.reason]));
    for (const r of batch) {
      const reason = failed.get(r.doc.id);
      if (reason !== undefined) fail(r.file.relPath, reason);
      else if (r.known) tally.updated++;
      else tally.added++;
    }
    tally.chunks += job.chunks;
    reporter.note(`job ${job.id}: ${job.done} done, ${job.failed} failed`);
    progress();
  };

  const tracker = new JobTracker({
    client: {
      job: (id) =>
        client
          ? client.job(id)
          : Promise.resolve({ ok: false, retryable: false, message: "no server" }),
    },
    pollMs: options.pollMs,
    sleep: (ms) => options.sleep(ms),
    onProgress: (p) => options.onJobs(p),
    onFinished: finishJob,
  });

  const upload = async (to: IngestClient, batch: Ready[]): Promise<void> => {
    client = to;
    tally.requests++;
    const docs = batch.map((r) => r.doc);
    const asJob = !jobsRefused && options.useJobs();
    const result: Attempted<UploadAnswer> = asJob
      ? await to.submitJob(docs)
      : await to.upload(docs);
    if (!result.ok && asJob && result.status === 400 && /\basync\b/.test(result.message)) {
      // A server from before jobs: upload directly from now on.
      jobsRefused = true;
      reporter.note("note: the server does not take ingestion jobs; uploading directly");
      await upload(to, batch);
      return;
    }
    if (!result.ok) {
      // A batch the server refuses as a whole: halve it until the offending file stands alone.
      if (
        !result.retryable &&
        (result.status === 400 || result.status === 413) &&
        batch.length > 1
      ) {
        const half = Math.ceil(batch.length / 2);
        await upload(to, batch.slice(0, half));
        await upload(to, batch.slice(half));
        return;
      }
      for (const r of batch) fail(r.file.relPath, result.message);
      return;
    }
    if (result.value.object === "ingest.job") {
      tally.jobs++;
      jobBatches.set(result.value.id, batch);
      tracker.add(result.value);
      return;
    }
    const byId = new Map(result.value.documents.map((d) => [d.id, d]));
    for (const r of batch) {
      const d = byId.get(r.doc.id);
      if (!d) fail(r.file.relPath, "missing from the server's response");
      else {
        if (d.status === "created") tally.added++;
        else if (d.status === "updated") tally.updated++;
        else tally.unchanged++;
        tally.chunks += d.chunks;
      }
    }
    progress();
  };

  return { upload, drain: () => tracker.drain() };
}
