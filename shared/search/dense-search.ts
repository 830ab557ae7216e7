// Memory-bounded dense search, phase two: the binary index proposes candidates, their float
// vectors are loaded from storage in one batch and re-scored exactly. The loader is synchronous
// on purpose: a Durable Object's SQLite calls are synchronous, and a search with no await in it
// cannot interleave with a write, so the candidates and their floats always come from the same
// state. One call per query (not one per candidate) keeps it to one SQL statement.
import type { AllowHit, BinaryVectorIndex } from "./binary-vector-index.js";

/**
 * Loads the float vectors of `ids` from storage, in the same order; `null` for an id that is
 * gone (or stored under another model). In a Durable Object: one
 * `SELECT rowid, vector FROM chunks WHERE rowid IN (SELECT value FROM json_each(?))`.
 */
export type LoadFloats = (ids: readonly number[]) => ReadonlyArray<Float32Array | null>;

/** An exactly scored hit. */
export interface DenseHit {
  id: number;
  group: string;
  /** Exact cosine similarity with the query. */
  score: number;
}

/** Options for {@link searchDense}. */
export interface DenseSearchOptions {
  /** Candidates re-scored exactly; default {@link defaultRerankDepth}(k). */
  rerank?: number;
  allowed?: AllowHit;
}

/**
 * How many approximate candidates to re-score for `k` results. Measured on clustered 1536-dim
 * data (bench/vectors.ts): 200 gave recall@10 of 0.988 on the hardest set at 10k vectors and
 * 1.000 at 50k and 100k, where 100 gave 0.972; 200 floats of 1536 dims are ~1.2 MB per query.
 */
export function defaultRerankDepth(k: number): number {
  return Math.max(200, 4 * Math.ceil(k));
}

/**
 * The `k` vectors most cosine-similar to `query`, best first (ties by id), scored exactly.
 *
 * @example
 * searchDense(index, query, 50, (ids) => ids.map((id) => floats.get(id) ?? null));
 */
export function searchDense(
  index: BinaryVectorIndex,
  query: Float32Array,
  k: number,
  loadFloats: LoadFloats,
  opts: DenseSearchOptions = {},
): DenseHit[] {
  const limit = Math.floor(k);
  if (!(limit > 0)) return [];
  const depth = Math.max(limit, Math.floor(opts.rerank ?? defaultRerankDepth(limit)));
  const candidates = index.approximate(query, depth, opts.allowed);
  if (candidates.length === 0) return [];
  const floats = loadFloats(candidates.map((c) => c.id));
  let queryNorm = 0;
  for (let d = 0; d < query.length; d++) queryNorm += (query[d] ?? 0) * (query[d] ?? 0);
  const hits: DenseHit[] = [];
  candidates.forEach((candidate, i) => {
    const vector = floats[i];
    if (!vector || vector.length !== query.length) return;
    hits.push({
      id: candidate.id,
      group: candidate.group,
      score: cosineWith(query, queryNorm, vector),
    });
  });
  hits.sort((a, b) => b.score - a.score || a.id - b.id);
  return hits.slice(0, limit);
}

function cosineWith(query: Float32Array, queryNorm: number, v: Float32Array): number {
  let qv = 0;
  let vv = 0;
  for (let d = 0; d < v.length; d++) {
    const y = v[d] ?? 0;
    qv += (query[d] ?? 0) * y;
    vv += y * y;
  }
  return queryNorm === 0 || vv === 0 ? 0 : qv / Math.sqrt(queryNorm * vv);
}
