// The INDEX object's document and chunk counts, kept in `meta` by every write inside its own
// transaction. `COUNT(*)` visits every row (and SQLite storage bills rows read), so counting on
// each read made every `/metrics` scrape, stats call and namespace liveness check read the whole
// index; these are two rows whatever the index holds. An object written before the counts were
// kept counts once, on first need, and keeps them from then on.
import { readMeta, setMeta } from "./meta.js";

/** Documents and chunks in this object. */
export interface IndexCounts {
  documents: number;
  chunks: number;
}

/** The counts (counted once and stored when this object has none yet). Inside a write's
 * transaction, call it before the write changes any row. */
export function readCounts(sql: SqlStorage): IndexCounts {
  const meta = readMeta(sql, "doc_count", "chunk_count");
  const documents = meta.get("doc_count");
  const chunks = meta.get("chunk_count");
  if (documents !== undefined && chunks !== undefined) {
    return { documents: Number(documents), chunks: Number(chunks) };
  }
  const counted = {
    documents: sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM documents").one().n,
    chunks: sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM chunks").one().n,
  };
  writeCounts(sql, counted);
  return counted;
}

/** Stores the counts. Call inside the write's transaction, with what it read before writing
 * ({@link readCounts}) moved by what it wrote. */
export function writeCounts(sql: SqlStorage, counts: IndexCounts): void {
  setMeta(sql, "doc_count", String(counts.documents));
  setMeta(sql, "chunk_count", String(counts.chunks));
}
