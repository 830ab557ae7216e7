// The ingestion queue's consumer logic: a batch of messages (each one document of a job) is
// ingested per job in one go, through the same ingestion as synchronous writes. What to do with
// each message comes back as a verdict (ack, or retry after a delay) for the glue to apply:
// transient failures (rate limits, 5xx, timeouts) retry the messages with the upstream's
// Retry-After or the shared backoff; a failure that does not go away when retried (a 400 on some
// input) is narrowed down document by document, so one poison document cannot hold back the
// rest. Retries of a document that keeps failing end in the dead-letter queue.
import { backoffMs, shouldRetry, type RetryPolicy } from "../llm/retry.js";
import type { Outcome, UpstreamFailure } from "../llm/types.js";
import type { IngestResult, PreparedDocument } from "../rag/ingest.js";
import type { Spend } from "../util/spend.js";
import type { DocumentOutcome } from "./job-types.js";

/** One delivered message: its job, its document, and how often it has been delivered (1 = first). */
export interface QueuedDocument {
  job: string;
  seq: number;
  attempts: number;
}

/** What to do with a message: acknowledge it, or deliver it again after `delayMs`. */
export type Verdict = { ack: true } | { ack: false; delayMs: number };

/** A job's pending documents among those asked for. */
export interface Claim {
  namespace: string;
  docs: Array<{ seq: number; doc: PreparedDocument }>;
}

/** The JOBS objects, as the consumer uses them. */
export interface JobPorts {
  /** The namespace and the documents among `seqs` still pending; null for an unknown job. */
  claim(job: string, seqs: number[]): Promise<Claim | null>;
  /** Records finished documents and what embedding them was billed. */
  complete(job: string, outcomes: DocumentOutcome[], spend: Spend): Promise<void>;
  /** Records why these documents failed this time (reported if they end dead-lettered). */
  noteFailure(job: string, seqs: number[], reason: string): Promise<void>;
}

export interface IngestMessagesDeps {
  jobs: JobPorts;
  /** Ingests prepared documents into a namespace: the synchronous path's own ingestion. */
  ingest(namespace: string, docs: PreparedDocument[]): Promise<Outcome<IngestResult>>;
  /** USD of `tokens` embedding tokens with the deployment's embedding model. */
  usdOf(tokens: number): number;
  policy: Pick<RetryPolicy, "baseMs" | "capMs">;
  random(): number;
}

const ACK: Verdict = { ack: true };

/**
 * Ingests the documents these messages refer to; one verdict per message, in order. Throws only
 * when a port throws (a JOBS or INDEX object unreachable): then every message is retried, and
 * documents a redelivery finds already done are acknowledged without work.
 *
 * @example
 * const verdicts = await runIngestMessages(batch.messages.map(toQueued), deps);
 */
export async function runIngestMessages(
  messages: QueuedDocument[],
  deps: IngestMessagesDeps,
): Promise<Verdict[]> {
  const verdicts: Verdict[] = messages.map(() => ACK);
  const byJob = new Map<string, number[]>();
  for (const [i, m] of messages.entries()) {
    const list = byJob.get(m.job) ?? [];
    list.push(i);
    byJob.set(m.job, list);
  }
  for (const [job, indices] of byJob) {
    const seqs = [...new Set(indices.map((i) => messages[i]?.seq ?? -1))];
    const claim = await deps.jobs.claim(job, seqs);
    // An unknown job (expired and deleted) or documents already done: nothing left to do.
    if (!claim || claim.docs.length === 0) continue;
    const attemptsOf = new Map<number, number>();
    for (const i of indices) {
      const m = messages[i];
      if (m) attemptsOf.set(m.seq, Math.max(attemptsOf.get(m.seq) ?? 0, m.attempts));
    }
    const retried = new Map<number, number>();
    const fail = async (entries: Claim["docs"], failure: UpstreamFailure) => {
      await deps.jobs.noteFailure(
        job,
        entries.map((e) => e.seq),
        failureReason(failure),
      );
      for (const e of entries) retried.set(e.seq, retryDelay(failure, attemptsOf.get(e.seq), deps));
    };

    const failure = await ingestEntries(job, claim, claim.docs, deps);
    if (failure && (shouldRetry(failure) || claim.docs.length === 1)) {
      await fail(claim.docs, failure);
    } else if (failure) {
      // Fails the same way every time: find which documents cause it, and ingest the others.
      for (const entry of claim.docs) {
        const alone = await ingestEntries(job, claim, [entry], deps);
        if (alone) await fail([entry], alone);
      }
    }
    for (const i of indices) {
      const m = messages[i];
      const delayMs = m ? retried.get(m.seq) : undefined;
      if (delayMs !== undefined) verdicts[i] = { ack: false, delayMs };
    }
  }
  return verdicts;
}

/** Ingests `entries` and records them done; the failure when nothing was stored. */
async function ingestEntries(
  job: string,
  claim: Claim,
  entries: Claim["docs"],
  deps: IngestMessagesDeps,
): Promise<UpstreamFailure | null> {
  const result = await deps.ingest(
    claim.namespace,
    entries.map((e) => e.doc),
  );
  if (!result.ok) return result.failure;
  // The result lists documents in the order they were given.
  const outcomes = result.value.documents.flatMap((d, i) => {
    const seq = entries[i]?.seq;
    return seq === undefined ? [] : [{ seq, status: d.status, chunks: d.chunks }];
  });
  const tokens = result.value.embeddingTokens;
  await deps.jobs.complete(job, outcomes, { tokens, usd: deps.usdOf(tokens) });
  return null;
}

/** The upstream's Retry-After when it gave one, else the shared full-jitter backoff. */
function retryDelay(
  failure: UpstreamFailure,
  attempts: number | undefined,
  deps: Pick<IngestMessagesDeps, "policy" | "random">,
): number {
  if (failure.retryAfterMs !== undefined) return failure.retryAfterMs;
  return backoffMs(Math.max(0, (attempts ?? 1) - 1), deps.policy, deps.random);
}

/** A failure as a job reports it: "rate_limited (429): slow down". */
export function failureReason(failure: UpstreamFailure): string {
  const status = failure.status !== undefined ? ` (${failure.status})` : "";
  return `${failure.reason}${status}: ${failure.message}`.slice(0, 500);
}
