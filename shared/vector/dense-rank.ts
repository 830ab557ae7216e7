// Brute-force dense ranking over vectors packed row by row in one Float32Array (the layout the
// INDEX object keeps in its heap). Dot product, so the vectors must be L2-normalized for it to be
// cosine. Ties break on the lower row id, so equal scores rank the same way on every run.

/** Vectors of `dims` floats each, row `i` at `data[i * dims]`, with one id per row. */
export interface PackedVectors {
  dims: number;
  ids: readonly number[];
  data: Float32Array;
}

/**
 * The ids of the `limit` rows most similar to `query` among those `allowed` admits, best first.
 * @example denseRank(q, { dims: 2, ids: [7, 9], data }, 1, () => true) // [9]
 */
export function denseRank(
  query: Float32Array,
  vectors: PackedVectors,
  limit: number,
  allowed: (row: number) => boolean,
): number[] {
  const { dims, ids, data } = vectors;
  const scored: Array<{ id: number; score: number }> = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id === undefined || !allowed(i)) continue;
    let dot = 0;
    const base = i * dims;
    for (let d = 0; d < dims; d++) dot += (data[base + d] ?? 0) * (query[d] ?? 0);
    scored.push({ id, score: dot });
  }
  scored.sort((a, b) => b.score - a.score || a.id - b.id);
  return scored.slice(0, limit).map((s) => s.id);
}
