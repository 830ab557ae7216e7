// The dead-letter queue's consumer logic: a message there is a document that kept failing after
// every retry. It is recorded as failed in its job (with the last failure's reason, which the
// main consumer noted), so the job can finish while the rest of its documents are ingested.
import type { JobMessage } from "./job-types.js";

/** The JOBS objects, as the dead-letter consumer uses them. */
export interface DeadLetterPorts {
  /** Marks documents failed with their last noted reason, or `fallback` when none was noted. */
  fail(job: string, seqs: number[], fallback: string): Promise<void>;
}

/** The reason of a document dead-lettered before any failure was noted (its consumer crashed). */
export const DEAD_LETTER_REASON = "failed on every delivery (dead-lettered)";

/** Records every dead-lettered document as failed in its job, one call per job. */
export async function failDeadLetters(
  messages: JobMessage[],
  ports: DeadLetterPorts,
): Promise<void> {
  const byJob = new Map<string, Set<number>>();
  for (const m of messages) {
    const seqs = byJob.get(m.job) ?? new Set<number>();
    seqs.add(m.seq);
    byJob.set(m.job, seqs);
  }
  for (const [job, seqs] of byJob) await ports.fail(job, [...seqs], DEAD_LETTER_REASON);
}
