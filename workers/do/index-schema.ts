// The INDEX object's SQLite schema: documents, their chunks (vectors as float32 BLOBs), the FTS5
// table over chunk text and titles, the meta table (version, seeded flag, namespace state) and
// the purge epochs, and an fts5vocab view of the FTS5 table (per-term row counts for the sharded
// BM25 merge).
// Every statement is idempotent: it runs in the object's constructor on every start.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT NOT NULL, metadata TEXT NOT NULL,
  text TEXT NOT NULL, content_hash TEXT NOT NULL, embedding_model TEXT NOT NULL,
  chunk_count INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
  rowid INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
  text TEXT NOT NULL, tokens INTEGER NOT NULL, vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS cache_epochs (
  scope TEXT NOT NULL, tier TEXT NOT NULL, epoch INTEGER NOT NULL, PRIMARY KEY (scope, tier)
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(text, title, tokenize = 'porter unicode61');
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, row);
`;

/** Creates whatever tables are missing. */
export function applyIndexSchema(sql: SqlStorage): void {
  sql.exec(SCHEMA);
}
