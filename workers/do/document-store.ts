// Documents and their chunks in the INDEX object's SQLite storage. A write is one synchronous
// transaction that also bumps the index version, so a search never sees half a document and no
// answer is cached under a version that does not match its data. Once a write commits, the heap's
// search state hears exactly what changed (the listener), so it never reloads after a write.
import type { Metadata, StoredDocument } from "../../shared/rag/types.js";
import type { DocumentRecord, DocumentSummary, IndexStats, UpsertResult } from "./index-types.js";
import { readCounts, writeCounts } from "./index-counts.js";
import { bumpVersion, currentVersion } from "./index-version.js";
import type { DocumentWrite, SearchMemory } from "./search-memory.js";

/** The write hooks of the heap's search state (SearchMemory), called after each commit. */
export type WriteListener = Pick<SearchMemory, "documentWritten" | "documentDeleted" | "clear">;

type DocumentRow = {
  id: string;
  title: string;
  source: string;
  metadata: string;
  text: string;
  content_hash: string;
  embedding_model: string;
  chunk_count: number;
  created_at: number;
  updated_at: number;
};

/** Reads and writes documents; each write bumps the version in the same transaction. */
export class DocumentStore {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly listener: WriteListener,
  ) {}

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  /** Content hashes of the given ids (absent ids are omitted): lets callers skip unchanged docs. */
  hashes(ids: string[]): Record<string, { contentHash: string; embeddingModel: string }> {
    const out: Record<string, { contentHash: string; embeddingModel: string }> = {};
    for (const id of ids) {
      const row = this.sql
        .exec<{ content_hash: string; embedding_model: string }>(
          "SELECT content_hash, embedding_model FROM documents WHERE id = ?",
          id,
        )
        .toArray()[0];
      if (row) out[id] = { contentHash: row.content_hash, embeddingModel: row.embedding_model };
    }
    return out;
  }

  /** Summaries of the given ids that exist, in one query (ids travel as one JSON parameter, so
   * the 100-bound-parameter limit does not apply). */
  lookup(ids: string[]): DocumentSummary[] {
    return this.sql
      .exec<Omit<DocumentRow, "title" | "source" | "text" | "created_at">>(
        `SELECT id, content_hash, embedding_model, metadata, chunk_count, updated_at FROM documents
         WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
        JSON.stringify(ids),
      )
      .toArray()
      .map((row) => ({
        id: row.id,
        content_hash: row.content_hash,
        embedding_model: row.embedding_model,
        metadata: JSON.parse(row.metadata) as Metadata,
        chunks: row.chunk_count,
        updated_at: new Date(row.updated_at).toISOString(),
      }));
  }

  /** Inserts or replaces documents and their chunks in one transaction; returns the new version. */
  upsert(docs: StoredDocument[]): UpsertResult {
    const sql = this.sql;
    const now = Date.now();
    const results: UpsertResult["results"] = [];
    const writes: DocumentWrite[] = [];
    const version = this.storage.transactionSync(() => {
      const counts = readCounts(sql);
      for (const doc of docs) {
        const existing = sql
          .exec<{ created_at: number }>("SELECT created_at FROM documents WHERE id = ?", doc.id)
          .toArray()[0];
        const removedRowids = this.deleteChunks(doc.id);
        const chunks: DocumentWrite["chunks"][number][] = [];
        sql.exec(
          `INSERT OR REPLACE INTO documents
           (id, title, source, metadata, text, content_hash, embedding_model, chunk_count, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          doc.id,
          doc.title,
          doc.source,
          JSON.stringify(doc.metadata),
          doc.text,
          doc.contentHash,
          doc.embeddingModel,
          doc.chunks.length,
          existing?.created_at ?? now,
          now,
        );
        for (const chunk of doc.chunks) {
          const row = sql
            .exec<{ rowid: number }>(
              "INSERT INTO chunks (doc_id, ordinal, text, tokens, vector) VALUES (?, ?, ?, ?, ?) RETURNING rowid",
              doc.id,
              chunk.ordinal,
              chunk.text,
              chunk.tokens,
              chunk.vector,
            )
            .one();
          sql.exec(
            "INSERT INTO chunks_fts (rowid, text, title) VALUES (?, ?, ?)",
            row.rowid,
            chunk.text,
            doc.title,
          );
          chunks.push({ rowid: row.rowid, vector: chunk.vector });
        }
        writes.push({ doc, removedRowids, chunks });
        if (!existing) counts.documents++;
        counts.chunks += chunks.length - removedRowids.length;
        results.push({
          id: doc.id,
          status: existing ? "updated" : "created",
          chunks: doc.chunks.length,
        });
      }
      writeCounts(sql, counts);
      return bumpVersion(sql);
    });
    for (const write of writes) this.listener.documentWritten(write);
    return { version, results };
  }

  /** Deletes a document and its chunks; false when it did not exist. */
  delete(id: string): { deleted: boolean; version: number } {
    const sql = this.sql;
    let removedRowids: number[] = [];
    const result = this.storage.transactionSync(() => {
      const found = sql.exec("SELECT 1 FROM documents WHERE id = ?", id).toArray().length > 0;
      if (!found) return { deleted: false, version: currentVersion(sql) };
      const counts = readCounts(sql);
      removedRowids = this.deleteChunks(id);
      sql.exec("DELETE FROM documents WHERE id = ?", id);
      writeCounts(sql, {
        documents: counts.documents - 1,
        chunks: counts.chunks - removedRowids.length,
      });
      return { deleted: true, version: bumpVersion(sql) };
    });
    if (result.deleted) this.listener.documentDeleted(id, removedRowids);
    return result;
  }

  /** Deletes every document and chunk (the version and purge epochs stay); returns the version. */
  clear(): { version: number } {
    const sql = this.sql;
    const version = this.storage.transactionSync(() => {
      sql.exec("DELETE FROM chunks_fts");
      sql.exec("DELETE FROM chunks");
      sql.exec("DELETE FROM documents");
      writeCounts(sql, { documents: 0, chunks: 0 });
      return bumpVersion(sql);
    });
    this.listener.clear();
    return { version };
  }

  /** One document with its text and chunk count, or null. */
  get(id: string): DocumentRecord | null {
    const row = this.sql.exec<DocumentRow>("SELECT * FROM documents WHERE id = ?", id).toArray()[0];
    if (!row) return null;
    return {
      id: row.id,
      title: row.title,
      source: row.source,
      metadata: JSON.parse(row.metadata) as Metadata,
      text: row.text,
      content_hash: row.content_hash,
      embedding_model: row.embedding_model,
      chunks: row.chunk_count,
      created_at: new Date(row.created_at).toISOString(),
      updated_at: new Date(row.updated_at).toISOString(),
    };
  }

  /** Document and chunk counts (kept by the writes: a few rows read), and the version. */
  stats(): IndexStats {
    return { ...readCounts(this.sql), version: currentVersion(this.sql) };
  }

  /** Deletes a document's chunks and their FTS rows; returns the deleted chunks' rowids. */
  private deleteChunks(docId: string): number[] {
    this.sql.exec(
      "DELETE FROM chunks_fts WHERE rowid IN (SELECT rowid FROM chunks WHERE doc_id = ?)",
      docId,
    );
    return this.sql
      .exec<{ rowid: number }>("DELETE FROM chunks WHERE doc_id = ? RETURNING rowid", docId)
      .toArray()
      .map((r) => r.rowid);
  }
}
