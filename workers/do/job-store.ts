// One ingestion job's rows in its JOBS object's SQLite: the job (namespace, reservation, spend,
// times) and its documents (the prepared text until done, then only the outcome). A document too
// big for one row (the platform's 2 MB limit) keeps its text in `doc_pieces` instead, one row per
// piece (shared/jobs/document-pieces). Tables are made by `create` alone, so looking up an id that
// was never a job leaves no storage behind; jobs created before `doc_pieces` existed have none.
import { joinPieces, splitForRows } from "../../shared/jobs/document-pieces.js";
import type { PreparedDocument } from "../../shared/rag/ingest.js";
import type { Claim } from "../../shared/jobs/ingest-messages.js";
import type { DocumentOutcome, JobReservation } from "../../shared/jobs/job-types.js";
import type { JobSnapshot } from "../../shared/jobs/job-view.js";
import type { Spend } from "../../shared/util/spend.js";
import { hasTable } from "./sql-tables.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS job (
  k INTEGER PRIMARY KEY CHECK (k = 1), id TEXT NOT NULL, namespace TEXT NOT NULL,
  total INTEGER NOT NULL, created_at INTEGER NOT NULL, started INTEGER NOT NULL DEFAULT 0,
  finished_at INTEGER, tokens INTEGER NOT NULL DEFAULT 0, usd REAL NOT NULL DEFAULT 0,
  reservation TEXT, settled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS docs (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL, body TEXT, state TEXT NOT NULL,
  status TEXT, chunks INTEGER NOT NULL DEFAULT 0, reason TEXT, last_error TEXT
);
CREATE TABLE IF NOT EXISTS doc_pieces (
  seq INTEGER NOT NULL, part INTEGER NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (seq, part)
);
`;

/** A new job's contents: each document prepared, or null when it is already stored unchanged. */
export interface NewJob {
  id: string;
  namespace: string;
  createdAt: number;
  reservation: JobReservation | null;
  docs: Array<{ id: string; doc: PreparedDocument | null }>;
}

/** The job's settlement: what to charge the reservation, once nothing remains. */
export interface Settlement {
  reservation: JobReservation | null;
  spent: Spend;
  settled: boolean;
  finishedAt: number | null;
  createdAt: number;
}

interface JobRow extends Record<string, SqlStorageValue> {
  id: string;
  namespace: string;
  total: number;
  created_at: number;
  started: number;
  finished_at: number | null;
  tokens: number;
  usd: number;
  reservation: string | null;
  settled: number;
}

/** The SQL of one job. Every method is synchronous: each RPC is one atomic step. */
export class JobStore {
  /** Whether `doc_pieces` exists (once it does, it stays). */
  private piecesTable = false;

  constructor(private readonly sql: SqlStorage) {}

  /** Whether this object holds a job. */
  exists(): boolean {
    return this.row() !== null;
  }

  /** Stores a new job; its unchanged documents are done from the start. */
  create(job: NewJob): void {
    this.sql.exec(SCHEMA);
    this.sql.exec(
      "INSERT INTO job (k, id, namespace, total, created_at, reservation) VALUES (1, ?, ?, ?, ?, ?)",
      job.id,
      job.namespace,
      job.docs.length,
      job.createdAt,
      job.reservation ? JSON.stringify(job.reservation) : null,
    );
    for (const [seq, d] of job.docs.entries()) {
      if (d.doc) {
        const body = splitForRows(JSON.stringify(d.doc));
        const whole = typeof body === "string";
        this.sql.exec(
          "INSERT INTO docs (seq, id, body, state) VALUES (?, ?, ?, 'pending')",
          seq,
          d.id,
          whole ? body : null,
        );
        if (!whole) {
          for (const [part, bytes] of body.entries()) {
            this.sql.exec(
              "INSERT INTO doc_pieces (seq, part, bytes) VALUES (?, ?, ?)",
              seq,
              part,
              bytes,
            );
          }
        }
      } else {
        this.sql.exec(
          "INSERT INTO docs (seq, id, state, status) VALUES (?, ?, 'done', 'unchanged')",
          seq,
          d.id,
        );
      }
    }
  }

  /** The pending documents among `seqs` (the job is running from now on). */
  claim(seqs: number[]): Claim | null {
    const job = this.row();
    if (!job) return null;
    if (!job.started) this.sql.exec("UPDATE job SET started = 1");
    const docs: Claim["docs"] = [];
    for (const seq of seqs) {
      const row = this.sql
        .exec<{ body: string | null }>(
          "SELECT body FROM docs WHERE seq = ? AND state = 'pending'",
          seq,
        )
        .toArray()[0];
      if (!row) continue;
      const body = row.body ?? this.joinedPieces(seq);
      if (body) docs.push({ seq, doc: JSON.parse(body) as PreparedDocument });
    }
    return { namespace: job.namespace, docs };
  }

  /** Marks documents done and adds what they cost; true when this finished the job. */
  complete(outcomes: DocumentOutcome[], spent: Spend, now: number): boolean {
    for (const o of outcomes) {
      this.sql.exec(
        "UPDATE docs SET state = 'done', status = ?, chunks = ?, body = NULL WHERE seq = ? AND state = 'pending'",
        o.status,
        o.chunks,
        o.seq,
      );
      this.dropPieces(o.seq);
    }
    this.sql.exec(
      "UPDATE job SET tokens = tokens + ?, usd = usd + ?",
      Math.max(0, Math.ceil(spent.tokens)),
      Math.max(0, spent.usd),
    );
    return this.finishIfDone(now);
  }

  /** Notes the latest failure of pending documents. */
  noteFailure(seqs: number[], reason: string): void {
    for (const seq of seqs) {
      this.sql.exec(
        "UPDATE docs SET last_error = ? WHERE seq = ? AND state = 'pending'",
        reason,
        seq,
      );
    }
  }

  /** Marks pending documents failed (their last noted reason, else `fallback`); true when finished. */
  fail(seqs: number[] | "all", fallback: string, now: number): boolean {
    const set =
      "UPDATE docs SET state = 'failed', reason = coalesce(last_error, ?), body = NULL WHERE state = 'pending'";
    if (seqs === "all") {
      this.sql.exec(set, fallback);
      this.dropPieces("all");
    } else {
      for (const seq of seqs) {
        this.sql.exec(`${set} AND seq = ?`, fallback, seq);
        this.dropPieces(seq);
      }
    }
    return this.finishIfDone(now);
  }

  /** The job's counts, errors and times; null when there is no job. */
  snapshot(): JobSnapshot | null {
    const job = this.row();
    if (!job) return null;
    const counts = this.sql
      .exec<{ state: string; n: number }>("SELECT state, count(*) AS n FROM docs GROUP BY state")
      .toArray();
    const count = (state: string) => counts.find((c) => c.state === state)?.n ?? 0;
    const chunks = this.sql
      .exec<{ n: number | null }>("SELECT sum(chunks) AS n FROM docs WHERE state = 'done'")
      .one();
    const errors = this.sql
      .exec<{ id: string; reason: string | null }>(
        "SELECT id, reason FROM docs WHERE state = 'failed' ORDER BY seq",
      )
      .toArray()
      .map((e) => ({ id: e.id, reason: e.reason ?? "failed" }));
    return {
      id: job.id,
      namespace: job.namespace,
      total: job.total,
      done: count("done"),
      failed: count("failed"),
      started: job.started === 1,
      errors,
      chunks: chunks.n ?? 0,
      embeddingTokens: job.tokens,
      createdAt: job.created_at,
      finishedAt: job.finished_at,
    };
  }

  /** What the job owes its reservation; null when there is no job. */
  settlement(): Settlement | null {
    const job = this.row();
    if (!job) return null;
    return {
      reservation: job.reservation ? (JSON.parse(job.reservation) as JobReservation) : null,
      spent: { tokens: job.tokens, usd: job.usd },
      settled: job.settled === 1,
      finishedAt: job.finished_at,
      createdAt: job.created_at,
    };
  }

  /** Records that the reservation was settled. */
  markSettled(): void {
    this.sql.exec("UPDATE job SET settled = 1");
  }

  /** Records the job finished when no document is pending; true when this call finished it. */
  finishIfDone(now: number): boolean {
    const job = this.row();
    if (!job || job.finished_at !== null) return false;
    const left = this.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM docs WHERE state = 'pending'")
      .one();
    if (left.n > 0) return false;
    this.sql.exec("UPDATE job SET finished_at = ?", now);
    return true;
  }

  /** The text of document `seq` from its pieces; null when it has none. */
  private joinedPieces(seq: number): string | null {
    if (!this.hasPieces()) return null;
    const pieces = this.sql
      .exec<{ bytes: ArrayBuffer }>("SELECT bytes FROM doc_pieces WHERE seq = ? ORDER BY part", seq)
      .toArray()
      .map((r) => new Uint8Array(r.bytes));
    return pieces.length > 0 ? joinPieces(pieces) : null;
  }

  /** Deletes the pieces of a document no longer pending (or of every document). */
  private dropPieces(seq: number | "all"): void {
    if (!this.hasPieces()) return;
    if (seq === "all") this.sql.exec("DELETE FROM doc_pieces");
    else this.sql.exec("DELETE FROM doc_pieces WHERE seq = ?", seq);
  }

  private hasPieces(): boolean {
    if (!this.piecesTable) {
      this.piecesTable = hasTable(this.sql, "doc_pieces");
    }
    return this.piecesTable;
  }

  private row(): JobRow | null {
    if (!hasTable(this.sql, "job")) return null;
    return this.sql.exec<JobRow>("SELECT * FROM job WHERE k = 1").toArray()[0] ?? null;
  }
}
