// Following the ingestion jobs a run submitted: one job is polled at a time, oldest first (the
// server works through them roughly in order, and every poll counts against the key's request
// window), every `pollMs` while it runs and at once for the next when it finishes. Finished jobs
// are handed back with their documents' outcomes; the sums over all jobs are the progress line's.
import type { IngestClient, JobResult } from "./client.js";

/** Done, failed and remaining documents over every job submitted so far. */
export interface JobProgress {
  done: number;
  failed: number;
  remaining: number;
}

export interface JobTrackerOptions {
  client: Pick<IngestClient, "job">;
  pollMs: number;
  sleep(ms: number): Promise<void>;
  /** A job finished (or could no longer be read: `unreadable` says why). */
  onFinished(job: JobResult, unreadable: string | null): void;
  /** Any job's counts changed. */
  onProgress(progress: JobProgress): void;
}

/** Tracks submitted jobs until each has nothing remaining. */
export class JobTracker {
  private readonly latest = new Map<string, JobResult>();
  private readonly open: string[] = [];
  private loop: Promise<void> | null = null;
  private failure: Error | null = null;

  constructor(private readonly options: JobTrackerOptions) {}

  /** Starts following a job, as its submission answered it. */
  add(job: JobResult): void {
    this.latest.set(job.id, job);
    if (job.finished_at !== null) {
      this.options.onFinished(job, null);
    } else {
      this.open.push(job.id);
      this.start();
    }
    this.options.onProgress(this.progress());
  }

  /** The sums of the latest known counts of every job. */
  progress(): JobProgress {
    const sum: JobProgress = { done: 0, failed: 0, remaining: 0 };
    for (const j of this.latest.values()) {
      sum.done += j.done;
      sum.failed += j.failed;
      sum.remaining += j.remaining;
    }
    return sum;
  }

  /** Resolves once every job added (before or while waiting) has finished. */
  async drain(): Promise<void> {
    while (this.open.length > 0 && !this.failure) {
      this.start();
      await this.loop;
    }
    if (this.failure) throw this.failure;
  }

  private start(): void {
    this.loop ??= this.poll()
      .catch((err: unknown) => {
        this.failure = err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        this.loop = null;
      });
  }

  /** Polls the oldest open job until none is open (a job added meanwhile is polled too). */
  private async poll(): Promise<void> {
    for (;;) {
      const id = this.open[0];
      if (id === undefined) return;
      await this.options.sleep(this.options.pollMs);
      const read = await this.options.client.job(id);
      const known = this.latest.get(id);
      if (!read.ok) {
        this.open.shift();
        if (known) this.options.onFinished(known, read.message);
        continue;
      }
      this.latest.set(id, read.value);
      this.options.onProgress(this.progress());
      if (read.value.finished_at !== null) {
        this.open.shift();
        this.options.onFinished(read.value, null);
      }
    }
  }
}
