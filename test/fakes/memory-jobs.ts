// An in-memory stand-in for the JOBS objects, with the consumer ports' semantics: claim returns
// only pending documents, complete and fail finish them, noteFailure keeps the last reason.
import type { DeadLetterPorts } from "../../shared/jobs/dead-letters.js";
import type { Claim, JobPorts } from "../../shared/jobs/ingest-messages.js";
import type { PreparedDocument } from "../../shared/rag/ingest.js";
import type { Spend } from "../../shared/util/spend.js";

export interface MemoryDoc {
  doc: PreparedDocument;
  state: "pending" | "done" | "failed";
  status?: string;
  lastError?: string;
  reason?: string;
}

/** Jobs by id: `docs[seq]`. */
export class MemoryJobs implements JobPorts, DeadLetterPorts {
  readonly jobs = new Map<string, { namespace: string; docs: MemoryDoc[]; spent: Spend }>();

  add(job: string, namespace: string, docs: PreparedDocument[]): void {
    this.jobs.set(job, {
      namespace,
      docs: docs.map((doc) => ({ doc, state: "pending" })),
      spent: { tokens: 0, usd: 0 },
    });
  }

  async claim(job: string, seqs: number[]): Promise<Claim | null> {
    const j = this.jobs.get(job);
    if (!j) return null;
    const docs = seqs.flatMap((seq) => {
      const d = j.docs[seq];
      return d?.state === "pending" ? [{ seq, doc: d.doc }] : [];
    });
    return { namespace: j.namespace, docs };
  }

  async complete(
    job: string,
    outcomes: Array<{ seq: number; status: string }>,
    spent: Spend,
  ): Promise<void> {
    const j = this.must(job);
    for (const o of outcomes) {
      const d = j.docs[o.seq];
      if (d?.state === "pending") Object.assign(d, { state: "done", status: o.status });
    }
    j.spent = { tokens: j.spent.tokens + spent.tokens, usd: j.spent.usd + spent.usd };
  }

  async noteFailure(job: string, seqs: number[], reason: string): Promise<void> {
    const j = this.must(job);
    for (const seq of seqs) {
      const d = j.docs[seq];
      if (d?.state === "pending") d.lastError = reason;
    }
  }

  async fail(job: string, seqs: number[], fallback: string): Promise<void> {
    const j = this.must(job);
    for (const seq of seqs) {
      const d = j.docs[seq];
      if (d?.state === "pending")
        Object.assign(d, { state: "failed", reason: d.lastError ?? fallback });
    }
  }

  private must(job: string) {
    const j = this.jobs.get(job);
    if (!j) throw new Error(`no job ${job}`);
    return j;
  }
}
