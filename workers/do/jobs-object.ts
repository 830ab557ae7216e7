// JOBS Durable Object: one per ingestion job (named by its id), on SQLite storage. It holds the
// job's documents until the queue consumer has ingested them, their outcomes, and the spend
// reserved at submission. When nothing remains, its alarm settles the reservation with the
// LIMITER object (retried by the alarm until it succeeds), so a job can neither overspend nor
// leave its reservation held. A job that is not finished within JOB_DEADLINE_MS fails what
// remains (and settles) before the limiter forgets the reservation; a finished job is deleted
// after JOB_RETENTION_MS.
import { DurableObject } from "cloudflare:workers";
import type { Claim } from "../../shared/jobs/ingest-messages.js";
import type { DocumentOutcome, IngestJobView } from "../../shared/jobs/job-types.js";
import { jobView } from "../../shared/jobs/job-view.js";
import type { Spend } from "../../shared/util/spend.js";
import { countingEnv } from "../do-calls.js";
import { backgroundMetrics } from "../metrics.js";
import { JobStore, type NewJob } from "./job-store.js";

/** A job still running this long after submission fails what remains (the limiter keeps an
 * unsettled reservation for 24 h, and settling must happen before it forgets it). */
export const JOB_DEADLINE_MS = 23 * 3_600_000;
/** How long a finished job can still be read. */
export const JOB_RETENTION_MS = 7 * 24 * 3_600_000;

export class JobsObject extends DurableObject<Env> {
  private readonly store: JobStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new JobStore(ctx.storage.sql);
  }

  /** Creates the job; its view. A job with nothing left to embed is finished at once. */
  async create(job: NewJob): Promise<IngestJobView> {
    if (this.store.exists()) throw new Error(`job ${job.id} exists`);
    const finished = this.ctx.storage.transactionSync(() => {
      this.store.create(job);
      return this.store.finishIfDone(Date.now());
    });
    await this.ctx.storage.setAlarm(finished ? Date.now() : job.createdAt + JOB_DEADLINE_MS);
    return this.viewOrThrow();
  }

  /** The job as `GET /v1/jobs/:id` shows it; null when this object holds no job. */
  view(): IngestJobView | null {
    const snapshot = this.store.snapshot();
    return snapshot ? jobView(snapshot) : null;
  }

  /** The documents among `seqs` still pending, to ingest; null when there is no job. */
  claim(seqs: number[]): Claim | null {
    return this.ctx.storage.transactionSync(() => this.store.claim(seqs));
  }

  /** Records ingested documents and what they were billed. */
  async complete(outcomes: DocumentOutcome[], spent: Spend): Promise<void> {
    const finished = this.ctx.storage.transactionSync(() =>
      this.store.complete(outcomes, spent, Date.now()),
    );
    if (finished) await this.ctx.storage.setAlarm(Date.now());
  }

  /** Notes why documents failed this time (the reason they report if they end up failed). */
  noteFailure(seqs: number[], reason: string): void {
    this.ctx.storage.transactionSync(() => this.store.noteFailure(seqs, reason));
  }

  /** Marks documents failed (dead-lettered, or never queued). */
  async fail(seqs: number[], fallback: string): Promise<void> {
    const finished = this.ctx.storage.transactionSync(() =>
      this.store.fail(seqs, fallback, Date.now()),
    );
    if (finished) await this.ctx.storage.setAlarm(Date.now());
  }

  /** Settles a finished job's reservation; fails an overdue job; deletes an expired one. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    let due = this.store.settlement();
    if (!due) return;
    if (due.finishedAt === null) {
      if (now < due.createdAt + JOB_DEADLINE_MS) {
        await this.ctx.storage.setAlarm(due.createdAt + JOB_DEADLINE_MS);
        return;
      }
      this.ctx.storage.transactionSync(() =>
        this.store.fail("all", "not ingested before the job's deadline", now),
      );
      due = this.store.settlement();
      if (!due) return;
    }
    if (!due.settled) {
      const r = due.reservation;
      // Throws on failure: the alarm is retried. Settling an id twice changes nothing.
      if (r) {
        // Counted in ragway_durable_object_calls_total as the Worker's own calls are.
        const counted = backgroundMetrics(this.env);
        const limiters = countingEnv(this.env, counted.metrics).LIMITER;
        try {
          await limiters.get(limiters.idFromName(r.principalId)).settle({ id: r.id, ...due.spent });
        } finally {
          // A failed call counts too; nothing else may flush this isolate's batch soon.
          await counted.flush();
        }
      }
      this.store.markSettled();
    }
    const expiresAt = (due.finishedAt ?? now) + JOB_RETENTION_MS;
    if (now >= expiresAt) await this.ctx.storage.deleteAll();
    else await this.ctx.storage.setAlarm(expiresAt);
  }

  private viewOrThrow(): IngestJobView {
    const view = this.view();
    if (!view) throw new Error("job missing after create");
    return view;
  }
}
