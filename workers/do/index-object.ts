// INDEX Durable Object: the document store and hybrid search index on SQLite storage.
// One global instance ("main"); writes are single synchronous transactions so a search never sees
// half a document, and every write bumps `version`, which answer caches key on. It also holds the
// answer caches' purge epochs, so one strongly consistent read per lookup (`cacheState`) gives
// both halves of "never stale": the data version and whether the cached copies were purged.
import { DurableObject } from "cloudflare:workers";
import { bytesToFloat32 } from "../../shared/rag/vector.js";
import { fuseRankings } from "../../shared/rag/fusion.js";
import { matchesFilter } from "../../shared/rag/filter.js";
import { ftsQuery } from "../../shared/rag/fts-query.js";
import {
  dropContents,
  markCreated,
  namespaceState,
  type NamespaceInfo,
} from "./namespace-lifecycle.js";
import type {
  Metadata,
  MetadataFilter,
  RetrievedChunk,
  StoredDocument,
} from "../../shared/rag/types.js";

export interface DocumentRecord {
  id: string;
  title: string;
  source: string;
  metadata: Metadata;
  text: string;
  content_hash: string;
  embedding_model: string;
  chunks: number;
  created_at: string;
  updated_at: string;
}

/** What a client needs to decide whether to re-send a document: everything but the text. */
export interface DocumentSummary {
  id: string;
  content_hash: string;
  embedding_model: string;
  metadata: Metadata;
  chunks: number;
  updated_at: string;
}

export type SearchMode = "hybrid" | "dense" | "lexical";

export interface SearchParams {
  text: string;
  vector: ArrayBuffer | null;
  embeddingModel: string;
  k: number;
  filter?: MetadataFilter;
  mode: SearchMode;
}

/** Answer-cache tiers whose entries a purge can make unreachable everywhere at once. */
export type CacheTierName = "memory" | "edge" | "kv";

/** What an answer-cache lookup must key on: the data version and the tiers' purge epochs. */
export interface CacheState {
  version: number;
  epochs: Record<CacheTierName, number>;
  /** The namespace was created through the admin API and not deleted (see namespace-lifecycle). */
  live?: boolean;
}

/** The scope name that stands for every scope in `bumpCacheEpochs`. */
export const ALL_SCOPES = "*";

export interface IndexStats {
  documents: number;
  chunks: number;
  version: number;
}

interface LoadedVectors {
  model: string;
  dims: number;
  rowids: number[];
  docIds: string[];
  data: Float32Array;
}

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
`;

/** RRF constant and how many candidates each ranker contributes before fusion. */
const RRF_K = 60;
const MIN_CANDIDATES = 50;

export class IndexObject extends DurableObject<Env> {
  private vectors: LoadedVectors | null = null;
  private docMeta: Map<string, { title: string; source: string; metadata: Metadata }> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  /** Content hashes of the given ids (absent ids are omitted): lets callers skip unchanged docs. */
  hashes(ids: string[]): Record<string, { contentHash: string; embeddingModel: string }> {
    const out: Record<string, { contentHash: string; embeddingModel: string }> = {};
    for (const id of ids) {
      const row = this.ctx.storage.sql
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
    return this.ctx.storage.sql
      .exec<{
        id: string;
        content_hash: string;
        embedding_model: string;
        metadata: string;
        chunk_count: number;
        updated_at: number;
      }>(
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

  /**
   * Inserts or replaces documents and their chunks in one transaction; returns the new version.
   * With `requireLive`, writes nothing (and says so) unless the namespace is live, so a write
   * racing a namespace's deletion cannot bring documents back into it.
   */
  upsert(
    docs: StoredDocument[],
    options: { requireLive?: boolean } = {},
  ): {
    version: number;
    results: Array<{ id: string; status: "created" | "updated"; chunks: number }>;
    namespaceMissing?: true;
  } {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    if (options.requireLive && !namespaceState(sql).live) {
      return { version: this.currentVersion(), results: [], namespaceMissing: true };
    }
    const results: Array<{ id: string; status: "created" | "updated"; chunks: number }> = [];
    const version = this.ctx.storage.transactionSync(() => {
      for (const doc of docs) {
        const existing = sql
          .exec<{ created_at: number }>("SELECT created_at FROM documents WHERE id = ?", doc.id)
          .toArray()[0];
        this.deleteChunks(doc.id);
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
        }
        results.push({
          id: doc.id,
          status: existing ? "updated" : "created",
          chunks: doc.chunks.length,
        });
      }
      return this.bumpVersion();
    });
    this.invalidate();
    return { version, results };
  }

  /** Deletes a document and its chunks; false when it did not exist. */
  deleteDocument(id: string): { deleted: boolean; version: number } {
    const sql = this.ctx.storage.sql;
    const result = this.ctx.storage.transactionSync(() => {
      const found = sql.exec("SELECT 1 FROM documents WHERE id = ?", id).toArray().length > 0;
      if (!found) return { deleted: false, version: this.currentVersion() };
      this.deleteChunks(id);
      sql.exec("DELETE FROM documents WHERE id = ?", id);
      return { deleted: true, version: this.bumpVersion() };
    });
    if (result.deleted) this.invalidate();
    return result;
  }

  /** One document with its text and chunk count, or null. */
  getDocument(id: string): DocumentRecord | null {
    const row = this.ctx.storage.sql
      .exec<{
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
      }>("SELECT * FROM documents WHERE id = ?", id)
      .toArray()[0];
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

  stats(): IndexStats {
    const sql = this.ctx.storage.sql;
    const documents = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM documents").one().n;
    const chunks = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM chunks").one().n;
    return { documents, chunks, version: this.currentVersion() };
  }

  /**
   * The index version and, per tier, the purge epoch that applies to `scope` (its own purges
   * plus purges of every scope). Cheap: one small indexed read.
   */
  cacheState(scope: string): CacheState {
    const epochs: Record<CacheTierName, number> = { memory: 0, edge: 0, kv: 0 };
    const rows = this.ctx.storage.sql
      .exec<{ tier: string; epoch: number }>(
        "SELECT tier, SUM(epoch) AS epoch FROM cache_epochs WHERE scope IN (?, ?) GROUP BY tier",
        ALL_SCOPES,
        scope,
      )
      .toArray();
    for (const r of rows) {
      if (r.tier === "memory" || r.tier === "edge" || r.tier === "kv") epochs[r.tier] = r.epoch;
    }
    const { live } = namespaceState(this.ctx.storage.sql);
    return { version: this.currentVersion(), epochs, live };
  }

  /**
   * Purges answer caches by bumping the epochs of `scope` (`ALL_SCOPES` for all) in `tiers`:
   * every entry filed under an older epoch becomes unreachable in every isolate and colo.
   */
  bumpCacheEpochs(scope: string, tiers: CacheTierName[]): CacheState {
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      for (const tier of new Set(tiers)) {
        sql.exec(
          `INSERT INTO cache_epochs (scope, tier, epoch) VALUES (?, ?, 1)
           ON CONFLICT(scope, tier) DO UPDATE SET epoch = epoch + 1`,
          scope,
          tier,
        );
      }
    });
    return this.cacheState(scope);
  }

  /** Marks this object's namespace created; false when it already was. */
  createNamespace(): { created: boolean; createdAt: number | null } {
    const sql = this.ctx.storage.sql;
    const created = this.ctx.storage.transactionSync(() => markCreated(sql, Date.now()));
    return { created, createdAt: namespaceState(sql).createdAt };
  }

  /** Deletes every document and marks the namespace deleted; the version moves on. */
  deleteNamespace(): { documents: number; version: number } {
    const sql = this.ctx.storage.sql;
    const result = this.ctx.storage.transactionSync(() => {
      const documents = dropContents(sql);
      return { documents, version: this.bumpVersion() };
    });
    this.invalidate();
    return result;
  }

  /** Whether the namespace is live, when it was created, and its counts. */
  namespaceInfo(): NamespaceInfo {
    return { ...namespaceState(this.ctx.storage.sql), ...this.stats() };
  }

  /** True once: when the index has never been seeded and is empty. */
  claimSeed(): boolean {
    const sql = this.ctx.storage.sql;
    return this.ctx.storage.transactionSync(() => {
      const seeded = sql.exec("SELECT 1 FROM meta WHERE key = 'seeded'").toArray().length > 0;
      if (seeded) return false;
      sql.exec("INSERT INTO meta (key, value) VALUES ('seeded', '1')");
      return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM documents").one().n === 0;
    });
  }

  /** Hybrid search: dense cosine and FTS5 BM25, each over filtered candidates, fused by RRF. */
  search(params: SearchParams): { version: number; chunks: RetrievedChunk[] } {
    const candidates = Math.max(MIN_CANDIDATES, params.k * 5);
    const docMeta = this.loadDocMeta();
    const allowed = (docId: string): boolean => {
      if (!params.filter) return true;
      const meta = docMeta.get(docId);
      return meta !== undefined && matchesFilter(meta.metadata, params.filter);
    };
    const lists: Array<{ name: string; ids: string[] }> = [];
    if (params.mode !== "lexical" && params.vector) {
      lists.push({ name: "dense", ids: this.denseSearch(params, candidates, allowed) });
    }
    if (params.mode !== "dense") {
      lists.push({ name: "lexical", ids: this.lexicalSearch(params.text, candidates, allowed) });
    }
    const fused = fuseRankings(lists, { k: RRF_K }).slice(0, params.k);
    const chunks: RetrievedChunk[] = [];
    for (const hit of fused) {
      const row = this.ctx.storage.sql
        .exec<{
          doc_id: string;
          ordinal: number;
          text: string;
          tokens: number;
        }>("SELECT doc_id, ordinal, text, tokens FROM chunks WHERE rowid = ?", Number(hit.id))
        .toArray()[0];
      const meta = row ? docMeta.get(row.doc_id) : undefined;
      if (!row || !meta) continue;
      chunks.push({
        chunkId: `${row.doc_id}#${row.ordinal}`,
        docId: row.doc_id,
        title: meta.title,
        source: meta.source,
        text: row.text,
        tokens: row.tokens,
        metadata: meta.metadata,
        score: Math.round(hit.score * 1e6) / 1e6,
      });
    }
    return { version: this.currentVersion(), chunks };
  }

  private denseSearch(
    params: SearchParams,
    candidates: number,
    allowed: (docId: string) => boolean,
  ): string[] {
    if (!params.vector) return [];
    const query = bytesToFloat32(params.vector);
    const loaded = this.loadVectors(params.embeddingModel, query.length);
    if (!loaded) return [];
    const scored: Array<{ rowid: number; score: number }> = [];
    const { dims, data } = loaded;
    for (let i = 0; i < loaded.rowids.length; i++) {
      const docId = loaded.docIds[i];
      const rowid = loaded.rowids[i];
      if (docId === undefined || rowid === undefined || !allowed(docId)) continue;
      let dot = 0;
      const base = i * dims;
      for (let d = 0; d < dims; d++) dot += (data[base + d] ?? 0) * (query[d] ?? 0);
      scored.push({ rowid, score: dot });
    }
    scored.sort((a, b) => b.score - a.score || a.rowid - b.rowid);
    return scored.slice(0, candidates).map((s) => String(s.rowid));
  }

  private lexicalSearch(
    text: string,
    candidates: number,
    allowed: (docId: string) => boolean,
  ): string[] {
    const match = ftsQuery(text);
    if (!match) return [];
    const rows = this.ctx.storage.sql
      .exec<{ rowid: number; doc_id: string }>(
        `SELECT chunks_fts.rowid AS rowid, chunks.doc_id AS doc_id
         FROM chunks_fts JOIN chunks ON chunks.rowid = chunks_fts.rowid
         WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, 1.0, 0.5) LIMIT ?`,
        match,
        candidates * 4,
      )
      .toArray();
    return rows
      .filter((r) => allowed(r.doc_id))
      .slice(0, candidates)
      .map((r) => String(r.rowid));
  }

  /** Vectors of one embedding model, held in one contiguous array until the next write. */
  private loadVectors(model: string, dims: number): LoadedVectors | null {
    if (this.vectors && this.vectors.model === model && this.vectors.dims === dims) {
      return this.vectors;
    }
    const rows = this.ctx.storage.sql
      .exec<{ rowid: number; doc_id: string; vector: ArrayBuffer }>(
        `SELECT chunks.rowid AS rowid, chunks.doc_id AS doc_id, chunks.vector AS vector
         FROM chunks JOIN documents ON documents.id = chunks.doc_id
         WHERE documents.embedding_model = ? ORDER BY chunks.rowid`,
        model,
      )
      .toArray();
    const usable = rows.filter((r) => r.vector.byteLength === dims * 4);
    const data = new Float32Array(usable.length * dims);
    usable.forEach((r, i) => data.set(bytesToFloat32(r.vector), i * dims));
    this.vectors = {
      model,
      dims,
      rowids: usable.map((r) => r.rowid),
      docIds: usable.map((r) => r.doc_id),
      data,
    };
    return this.vectors;
  }

  private loadDocMeta(): Map<string, { title: string; source: string; metadata: Metadata }> {
    if (this.docMeta) return this.docMeta;
    const map = new Map<string, { title: string; source: string; metadata: Metadata }>();
    const rows = this.ctx.storage.sql
      .exec<{
        id: string;
        title: string;
        source: string;
        metadata: string;
      }>("SELECT id, title, source, metadata FROM documents")
      .toArray();
    for (const r of rows) {
      map.set(r.id, {
        title: r.title,
        source: r.source,
        metadata: JSON.parse(r.metadata) as Metadata,
      });
    }
    this.docMeta = map;
    return map;
  }

  private deleteChunks(docId: string): void {
    const sql = this.ctx.storage.sql;
    sql.exec(
      "DELETE FROM chunks_fts WHERE rowid IN (SELECT rowid FROM chunks WHERE doc_id = ?)",
      docId,
    );
    sql.exec("DELETE FROM chunks WHERE doc_id = ?", docId);
  }

  private currentVersion(): number {
    const row = this.ctx.storage.sql
      .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'version'")
      .toArray()[0];
    return row ? Number(row.value) : 0;
  }

  private bumpVersion(): number {
    const next = this.currentVersion() + 1;
    this.ctx.storage.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      String(next),
    );
    return next;
  }

  private invalidate(): void {
    this.vectors = null;
    this.docMeta = null;
  }
}
