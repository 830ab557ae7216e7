// BM25 exactly as SQLite FTS5's bm25() computes it, over statistics that may come from several
// shards: a shard's own bm25() uses its own row count, average length and document frequencies,
// so its scores cannot be compared with another shard's; these can, once the statistics are summed.

/** FTS5's constants (fts5_aux.c). */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/** Collection statistics BM25 needs: rows, total tokens (all columns) and per-phrase row counts. */
export interface Bm25Stats {
  rows: number;
  tokens: number;
  /** Rows containing each query phrase, in query order. */
  df: readonly number[];
}

/**
 * FTS5's inverse document frequency: ln((N - n + 0.5) / (n + 0.5)), floored at 1e-6 so a term
 * in more than half the rows still counts a little instead of subtracting.
 */
export function bm25Idf(rows: number, df: number): number {
  const idf = Math.log((rows - df + 0.5) / (df + 0.5));
  return idf <= 0 ? 1e-6 : idf;
}

/**
 * The BM25 score of one row (higher is better; FTS5's bm25() returns its negation).
 * `freq[i]` is phrase i's column-weighted frequency in the row (Σ weight(col) · hits(col)),
 * `length` the row's token count over all columns.
 *
 * @example
 * bm25Score([2, 0], 120, { rows: 1000, tokens: 150_000, df: [10, 300] });
 */
export function bm25Score(freq: readonly number[], length: number, stats: Bm25Stats): number {
  const avg = stats.rows > 0 ? stats.tokens / stats.rows : 0;
  const norm = BM25_K1 * (1 - BM25_B + (avg > 0 ? (BM25_B * length) / avg : 0));
  let score = 0;
  freq.forEach((f, i) => {
    if (!(f > 0)) return;
    score += (bm25Idf(stats.rows, stats.df[i] ?? 0) * (f * (BM25_K1 + 1))) / (f + norm);
  });
  return score;
}

/** Sums shards' statistics into the collection's (phrases aligned by index). */
export function sumStats(parts: readonly Bm25Stats[]): Bm25Stats {
  const phrases = Math.max(0, ...parts.map((p) => p.df.length));
  const df = new Array<number>(phrases).fill(0);
  let rows = 0;
  let tokens = 0;
  for (const p of parts) {
    rows += p.rows;
    tokens += p.tokens;
    p.df.forEach((n, i) => (df[i] = (df[i] ?? 0) + n));
  }
  return { rows, tokens, df };
}
