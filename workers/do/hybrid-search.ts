// Hybrid search over the INDEX object's storage: dense (the heap's binary codes propose, the float
// vectors in SQLite re-score the best exactly, by cosine) and lexical (FTS5 BM25), each over the
// candidates the metadata filter admits, fused by reciprocal rank. Each ranker contributes several
// times k candidates, so fusion has room to reorder. No await anywhere: the codes and the floats
// are read from the same state.
import { matchesFilter } from "../../shared/rag/filter.js";
import { ftsQuery } from "../../shared/rag/fts-query.js";
import { fuseRankings } from "../../shared/rag/fusion.js";
import type { RetrievedChunk } from "../../shared/rag/types.js";
import { searchDense } from "../../shared/search/dense-search.js";
import { bytesToFloat32 } from "../../shared/vector/vector.js";
import { chunkFloatLoader } from "./chunk-floats.js";
import type { SearchParams } from "./index-types.js";
import type { SearchMemory } from "./search-memory.js";

/** RRF constant and how many candidates each ranker contributes before fusion. */
const RRF_K = 60;
const MIN_CANDIDATES = 50;

/** The best `params.k` chunks for the query, scored by fused rank. */
export function hybridSearch(
  sql: SqlStorage,
  memory: SearchMemory,
  params: SearchParams,
): RetrievedChunk[] {
  const candidates = Math.max(MIN_CANDIDATES, params.k * 5);
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
  const lists: Array<{ name: string; ids: string[] }> = [];
  if (params.mode !== "lexical" && params.vector) {
    const query = bytesToFloat32(params.vector);
    const index = memory.denseIndex(params.embeddingModel, query.length);
    const ranked = index
      ? searchDense(index, query, candidates, chunkFloatLoader(sql), {
          ...(params.filter ? { allowed } : {}),
        })
      : [];
    lists.push({ name: "dense", ids: ranked.map((hit) => String(hit.id)) });
  }
  if (params.mode !== "dense") {
    lists.push({ name: "lexical", ids: lexicalSearch(sql, params.text, candidates, allowed) });
  }
  const fused = fuseRankings(lists, { k: RRF_K }).slice(0, params.k);
  const chunks: RetrievedChunk[] = [];
  for (const hit of fused) {
    const row = sql
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
  return chunks;
}

/** Chunk rowids by BM25 (text weighs twice the title), filtered, best first. */
function lexicalSearch(
  sql: SqlStorage,
  text: string,
  candidates: number,
  allowed: (docId: string) => boolean,
): string[] {
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
    .map((r) => String(r.rowid));
}
