// An ingestion job's plain-data shapes: its id, the queue message that refers to one of its
// documents (messages carry references, never text: a queue message is at most 128 KB), and the
// job's record and per-document outcomes as the JOBS object keeps them.
import { z } from "zod";
import type { Spend } from "../util/spend.js";

/** `job_` and 32 lowercase hex digits. */
const JOB_ID = /^job_[0-9a-f]{32}$/;

/** True when `id` has the shape of a job id (anything else is a 404 without a lookup). */
export function isJobId(id: string): boolean {
  return JOB_ID.test(id);
}

/** A new random job id. */
export function newJobId(randomUuid: () => string): string {
  return `job_${randomUuid().replace(/-/g, "")}`;
}

/** One queue message: document number `seq` of job `job`. */
export const JobMessageSchema = z.object({
  job: z.string().regex(JOB_ID),
  seq: z.number().int().min(0),
});
export type JobMessage = z.infer<typeof JobMessageSchema>;

/** An ingestion job as `GET /v1/jobs/:id` answers it (shared/api/responses checks its schema
 * against this). */
export interface IngestJobView {
  object: "ingest.job";
  id: string;
  namespace: string;
  state: "queued" | "running" | "completed" | "completed_with_errors" | "failed";
  total: number;
  done: number;
  failed: number;
  remaining: number;
  errors: Array<{ id: string; reason: string }>;
  chunks: number;
  embedding_tokens: number;
  /** Unix seconds. */
  created_at: number;
  finished_at: number | null;
}

/** The tokens and USD reserved at submission, held until the job settles them. */
export interface JobReservation extends Spend {
  /** The LIMITER reservation's id, on the submitting principal's object. */
  id: string;
  principalId: string;
}

/** What a finished document reports back to its job. */
export interface DocumentOutcome {
  seq: number;
  status: "created" | "updated" | "unchanged";
  chunks: number;
}
