// The public view of an ingestion job from its counts: the state follows from what remains and
// what failed, so it can never disagree with the numbers beside it.
import type { IngestJobView } from "./job-types.js";

/** What a job's view is computed from. */
export interface JobSnapshot {
  id: string;
  namespace: string;
  total: number;
  done: number;
  failed: number;
  /** A document was claimed by a consumer (or finished) at least once. */
  started: boolean;
  errors: Array<{ id: string; reason: string }>;
  /** Chunks written by the documents done. */
  chunks: number;
  embeddingTokens: number;
  createdAt: number;
  finishedAt: number | null;
}

/** The job's state: queued or running while documents remain, then how it ended. */
export function jobState(s: Pick<JobSnapshot, "total" | "done" | "failed" | "started">) {
  const remaining = s.total - s.done - s.failed;
  if (remaining > 0) return s.started || s.done + s.failed > 0 ? "running" : "queued";
  if (s.failed === 0) return "completed";
  return s.done === 0 ? "failed" : "completed_with_errors";
}

/** The `ingest.job` object. Times are epoch ms in, Unix seconds out. */
export function jobView(s: JobSnapshot): IngestJobView {
  return {
    object: "ingest.job",
    id: s.id,
    namespace: s.namespace,
    state: jobState(s),
    total: s.total,
    done: s.done,
    failed: s.failed,
    remaining: Math.max(0, s.total - s.done - s.failed),
    errors: s.errors,
    chunks: s.chunks,
    embedding_tokens: s.embeddingTokens,
    created_at: Math.floor(s.createdAt / 1000),
    finished_at: s.finishedAt === null ? null : Math.floor(s.finishedAt / 1000),
  };
}
