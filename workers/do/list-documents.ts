// One page of the INDEX object's documents for GET /v1/documents: keyset pagination in id order
// (a page costs the rows it returns, however deep it is), an id prefix and exact metadata matches,
// all in one SQL statement over the documents table. Texts and chunks are never read.
import type { Metadata } from "../../shared/rag/types.js";

/** What to list: documents after `after` (an id), at most `limit`, matching every filter. */
export interface ListDocumentsParams {
  limit: number;
  /** Exclusive lower bound: the last id of the previous page. */
  after?: string;
  /** Only ids that start with this. */
  prefix?: string;
  /**
   * Metadata that must match exactly, compared as text: `"3"` matches the number 3 and `"true"`
   * the boolean true, since query strings carry text only.
   */
  metadata?: Record<string, string>;
}

/** A listed document: everything but its text. */
export interface ListedDocument {
  id: string;
  title: string;
  source: string;
  metadata: Metadata;
  chunks: number;
  updated_at: string;
}

/** A page of documents and whether more follow it. */
export interface DocumentPage {
  documents: ListedDocument[];
  hasMore: boolean;
}

// The metadata filter travels as one JSON parameter (no bound-parameter limit): a document
// qualifies when no filter entry lacks an equal metadata entry.
const LIST_SQL = `
SELECT id, title, source, metadata, chunk_count, updated_at FROM documents AS d
WHERE id > ? AND id >= ? AND substr(id, 1, length(?)) = ?
  AND NOT EXISTS (
    SELECT 1 FROM json_each(?) AS f
    WHERE NOT EXISTS (
      SELECT 1 FROM json_each(d.metadata) AS m
      WHERE m.key = f.key
        AND (CASE m.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
             ELSE CAST(m.value AS TEXT) END) = f.value
    )
  )
ORDER BY id LIMIT ?`;

/**
 * Lists one page of documents in id order (SQLite's binary collation, the same order the cursor
 * compares in). Reads `limit + 1` rows to know whether another page follows.
 */
export function listDocumentPage(sql: SqlStorage, params: ListDocumentsParams): DocumentPage {
  const prefix = params.prefix ?? "";
  const rows = sql
    .exec<{
      id: string;
      title: string;
      source: string;
      metadata: string;
      chunk_count: number;
      updated_at: number;
    }>(
      LIST_SQL,
      params.after ?? "",
      prefix,
      prefix,
      prefix,
      JSON.stringify(params.metadata ?? {}),
      params.limit + 1,
    )
    .toArray();
  const documents = rows.slice(0, params.limit).map((row) => ({
    id: row.id,
    title: row.title,
    source: row.source,
    metadata: JSON.parse(row.metadata) as Metadata,
    chunks: row.chunk_count,
    updated_at: new Date(row.updated_at).toISOString(),
  }));
  return { documents, hasMore: rows.length > params.limit };
}
