// Merging per-shard search results so quality does not depend on the shard count. Dense scores
// are exact cosines and compare across shards as they are. Lexical scores do not: each shard's
// BM25 uses its own row count, average length and document frequencies. So a shard returns its
// candidates with raw term statistics, and the coordinator re-scores them all with the summed
// statistics: the same BM25 one shard holding everything would compute. Then dense and lexical
// lists are fused by rank (RRF), exactly as with one shard.
import { bm25Score, sumStats, type Bm25Stats } from "./bm25.js";
import { fuseRankings, type FusedHit } from "../rag/fusion.js";

/** A hit with a globally unique id (e.g. `${docId}#${ordinal}`, never a per-shard rowid). */
export interface ShardHit {
  id: string;
  score: number;
}

/** A lexical candidate with what BM25 needs about it. */
export interface LexicalCandidate {
  id: string;
  /** Tokens in the row, all columns. */
  length: number;
  /** Column-weighted frequency of each query phrase in the row, in query order. */
  freq: number[];
}

/**
 * One shard's lexical answer: its candidates (best first by its own BM25; as many as the
 * coordinator asked for) and its collection statistics for the query's phrases.
 */
export interface LexicalShardResult extends Bm25Stats {
  hits: LexicalCandidate[];
}

/** One shard's answer to a hybrid query; a mode that was not run is absent. */
export interface ShardSearchResult {
  dense?: ShardHit[];
  lexical?: LexicalShardResult;
}

/** Options for {@link mergeShardResults}. */
export interface MergeOptions {
  /** Hits wanted after fusion. */
  k: number;
  /** Candidates kept per list before fusion (as one shard would keep); default max(50, 5k). */
  candidates?: number;
  /** RRF constant; default 60. */
  rrfK?: number;
}

/** The `n` best dense hits of all shards by score (ties by id). Duplicate ids keep their best. */
export function mergeDense(lists: ReadonlyArray<readonly ShardHit[]>, n: number): ShardHit[] {
  return best(lists.flat(), n);
}

/**
 * The `n` best lexical hits of all shards, re-scored with BM25 over the shards' summed
 * statistics. With one shard this is that shard's own BM25 ranking.
 */
export function mergeLexical(results: readonly LexicalShardResult[], n: number): ShardHit[] {
  const stats = sumStats(results);
  const scored = results.flatMap((r) =>
    r.hits.map((h) => ({ id: h.id, score: bm25Score(h.freq, h.length, stats) })),
  );
  return best(scored, n);
}

/**
 * Merges every shard's answer into the fused top `k`: dense by exact score, lexical by global
 * BM25, each cut to `candidates`, then RRF. Lists are named "dense" and "lexical" as in one
 * INDEX object, so a shard count of 1 gives the ranking a single object gives.
 */
export function mergeShardResults(
  shards: readonly ShardSearchResult[],
  opts: MergeOptions,
): FusedHit[] {
  const candidates = opts.candidates ?? Math.max(50, opts.k * 5);
  const lists: Array<{ name: string; ids: string[] }> = [];
  const dense = shards.flatMap((s) => (s.dense ? [s.dense] : []));
  if (dense.length > 0) {
    lists.push({ name: "dense", ids: mergeDense(dense, candidates).map((h) => h.id) });
  }
  const lexical = shards.flatMap((s) => (s.lexical ? [s.lexical] : []));
  if (lexical.length > 0) {
    lists.push({ name: "lexical", ids: mergeLexical(lexical, candidates).map((h) => h.id) });
  }
  return fuseRankings(lists, { k: opts.rrfK ?? 60 }).slice(0, Math.max(0, opts.k));
}

function best(hits: readonly ShardHit[], n: number): ShardHit[] {
  const byId = new Map<string, ShardHit>();
  for (const h of hits) {
    const prior = byId.get(h.id);
    if (!prior || h.score > prior.score) byId.set(h.id, h);
  }
  return [...byId.values()]
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, Math.max(0, Math.floor(n)));
}
