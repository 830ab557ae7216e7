// One shard's half of a hybrid search, in the INDEX object: its dense candidates scored exactly
// (cosine, comparable across shards as they are) and its lexical candidates with the raw term
// statistics BM25 needs (FTS5's own row and token counts, per-term row counts from fts5vocab),
// so the coordinator can re-score them over the whole namespace (shared/search/merge-shards).
// Candidates are keyed `${docId}#${ordinal}`, never by rowid, since rowids repeat across shards.
// Every candidate's fields travel with the answer: which of them the merge keeps cannot be known
// in one shard, and a second round trip for the winners would double the query's hops.
// No await anywhere: codes, floats, FTS rows and statistics are read from one state.
import { matchesFilter } from "../../shared/rag/filter.js";
import { ftsQuery } from "../../shared/rag/fts-query.js";
import type { FusedHit } from "../../shared/rag/fusion.js";
import type { RetrievedChunk } from "../../shared/rag/types.js";
import { searchDense } from "../../shared/search/dense-search.js";
import { parseFts5Averages } from "../../shared/search/fts5-averages.js";
import { queryTerms } from "../../shared/search/fts-tokens.js";
import type { ShardSearchResult } from "../../shared/search/merge-shards.js";
import { shardLexicalResult } from "../../shared/search/shard-lexical-result.js";
import { bytesToFloat32 } from "../../shared/vector/vector.js";
import { chunkFloatLoader } from "./chunk-floats.js";
import type { SearchParams } from "./index-types.js";
import type { SearchMemory } from "./search-memory.js";

/** A candidate chunk's fields, without a score (the merge decides it). */
export type ShardChunk = Omit<RetrievedChunk, "score">;

/** One shard's candidates, and the fields of each by its global id. */
export interface ShardCandidates {
  result: ShardSearchResult;
  chunks: Record<string, ShardChunk>;
}

/** Candidates each ranker contributes before fusion, as one object always kept: max(50, 5k). */
export function candidatesFor(k: number): number {
  return Math.max(50, k * 5);
}

/** This shard's dense and lexical candidates for the query (each mode only when asked). */
export function searchShard(
  sql: SqlStorage,
  memory: SearchMemory,
  params: SearchParams,
): ShardCandidates {
  const candidates = candidatesFor(params.k);
  const docMeta = memory.docMetaById();
  // The dense pass asks once per chunk: decide once per document.
  const decided = new Map<string, boolean>();
  const allowed = (docId: string): boolean => {
    const filter = params.filter;
    if (!filter) return true;
    let ok = decided.get(docId);
    if (ok === undefined) {
      const meta = docMeta.get(docId);
      ok = meta !== undefined && matchesFilter(meta.metadata, filter);
      decided.set(docId, ok);
    }
    return ok;
  };
  let dense: Array<{ rowid: number; score: number }> | undefined;
  if (params.mode !== "lexical" && params.vector) {
    const query = bytesToFloat32(params.vector);
    const index = memory.denseIndex(params.embeddingModel, query.length);
    dense = index
      ? searchDense(index, query, candidates, chunkFloatLoader(sql), {
          ...(params.filter ? { allowed } : {}),
        }).map((hit) => ({ rowid: hit.id, score: hit.score }))
      : [];
  }
  const terms = params.mode === "dense" ? null : queryTerms(params.text);
  const lexical = terms ? lexicalCandidates(sql, params.text, candidates, allowed) : undefined;

  const rows = chunkRows(sql, [...(dense ?? []).map((h) => h.rowid), ...(lexical ?? [])]);
  const chunks: Record<string, ShardChunk> = {};
  const keyOf = (rowid: number): string | null => {
    const row = rows.get(rowid);
    const meta = row ? docMeta.get(row.doc_id) : undefined;
    if (!row || !meta) return null;
    const key = `${row.doc_id}#${row.ordinal}`;
    chunks[key] ??= {
      chunkId: key,
      docId: row.doc_id,
      title: meta.title,
      source: meta.source,
      text: row.text,
      tokens: row.tokens,
      metadata: meta.metadata,
    };
    return key;
  };
  const result: ShardSearchResult = {};
  if (dense) {
    result.dense = dense.flatMap((h) => {
      const id = keyOf(h.rowid);
      return id === null ? [] : [{ id, score: h.score }];
    });
  }
  if (terms && lexical) {
    const found = lexical.flatMap((rowid) => {
      const id = keyOf(rowid);
      const chunk = id === null ? undefined : chunks[id];
      return chunk ? [{ id: chunk.chunkId, text: chunk.text, title: chunk.title }] : [];
    });
    result.lexical = shardLexicalResult(terms, found, lexicalStats(sql, terms), memory);
  }
  return { result, chunks };
}

/** The merged ranking as retrieved chunks, scores rounded as the API shows them. */
export function retrievedChunks(
  fused: readonly FusedHit[],
  chunks: (id: string) => ShardChunk | undefined,
): RetrievedChunk[] {
  return fused.flatMap((hit) => {
    const chunk = chunks(hit.id);
    return chunk ? [{ ...chunk, score: Math.round(hit.score * 1e6) / 1e6 }] : [];
  });
}

/** Chunk rowids by this shard's BM25 (text weighs twice the title), filtered, best first. */
function lexicalCandidates(
  sql: SqlStorage,
  text: string,
  candidates: number,
  allowed: (docId: string) => boolean,
): number[] {
  const match = ftsQuery(text);
  if (!match) return [];
  const rows = sql
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
    .map((r) => r.rowid);
}

/** FTS5's own statistics: rows and tokens from its averages record, term row counts from vocab. */
function lexicalStats(
  sql: SqlStorage,
  terms: readonly string[],
): { rows: number; tokens: number; df: Map<string, number> } {
  const block = sql
    .exec<{ block: ArrayBuffer }>("SELECT block FROM chunks_fts_data WHERE id = 1")
    .toArray()[0]?.block;
  const averages = parseFts5Averages(block);
  const df = new Map<string, number>();
  if (terms.length > 0) {
    const rows = sql.exec<{ term: string; doc: number }>(
      "SELECT term, doc FROM chunks_vocab WHERE term IN (SELECT value FROM json_each(?))",
      JSON.stringify([...new Set(terms)]),
    );
    for (const r of rows) df.set(r.term, r.doc);
  }
  return {
    rows: averages.rows,
    tokens: averages.columnTokens.reduce((n, t) => n + t, 0),
    df,
  };
}

type ChunkRow = {
  rowid: number;
  doc_id: string;
  ordinal: number;
  text: string;
  tokens: number;
};

/** The chunks of `rowids`, in one statement (ids as one JSON parameter). */
function chunkRows(sql: SqlStorage, rowids: readonly number[]): Map<number, ChunkRow> {
  const out = new Map<number, ChunkRow>();
  if (rowids.length === 0) return out;
  const rows = sql.exec<ChunkRow>(
    `SELECT rowid, doc_id, ordinal, text, tokens FROM chunks
     WHERE rowid IN (SELECT value FROM json_each(?))`,
    JSON.stringify([...new Set(rowids)]),
  );
  for (const r of rows) out.set(r.rowid, r);
  return out;
}
