// Reciprocal rank fusion: merges ranked id lists (vector, lexical, ...) into one ranking.
// Uses ranks only, never raw scores, so lists with incomparable score scales fuse safely.

/** One ranked list to fuse; `ids` is best first. */
export interface RankedList {
  name: string;
  ids: readonly string[];
}

/** Options for {@link fuseRankings}. */
export interface FusionOptions {
  /** The RRF damping constant; larger flattens the head of each list. Default 60. */
  k?: number;
  /** Per-list multipliers by list name; missing lists weigh 1. */
  weights?: Record<string, number>;
}

/** A fused hit: its RRF score and its 1-based rank in each list that contained it. */
export interface FusedHit {
  id: string;
  score: number;
  ranks: Record<string, number>;
}

/**
 * Fuses rankings with RRF: `score(id) = Σ weight(list) / (k + rank)`, rank 1-based.
 * Sorted by score desc; ties go to the better best-rank, then to the smaller id, so the order
 * is deterministic. An id repeated within one list counts once, at its first position.
 * Throws a RangeError on a non-positive `k`, a negative/non-finite weight or duplicate list
 * names (all caller bugs).
 *
 * @example
 * fuseRankings([{ name: "vector", ids: ["a", "b"] }, { name: "lexical", ids: ["b"] }]);
 * // [{ id: "b", score: 1/62 + 1/61, ranks: { vector: 2, lexical: 1 } }, { id: "a", ... }]
 */
export function fuseRankings(
  lists: ReadonlyArray<RankedList>,
  opts: FusionOptions = {},
): FusedHit[] {
  const k = opts.k ?? 60;
  if (!(k > 0) || !Number.isFinite(k)) {
    throw new RangeError(`fuseRankings: k must be a positive number, got ${k}`);
  }
  const seenNames = new Set<string>();
  const hits = new Map<string, FusedHit & { bestRank: number }>();

  for (const list of lists) {
    if (seenNames.has(list.name)) {
      throw new RangeError(`fuseRankings: duplicate list name "${list.name}"`);
    }
    seenNames.add(list.name);
    const weight = opts.weights?.[list.name] ?? 1;
    if (!(weight >= 0) || !Number.isFinite(weight)) {
      throw new RangeError(`fuseRankings: weight for "${list.name}" must be >= 0, got ${weight}`);
    }
    list.ids.forEach((id, index) => {
      const rank = index + 1;
      let hit = hits.get(id);
      if (hit === undefined) {
        hit = { id, score: 0, ranks: {}, bestRank: rank };
        hits.set(id, hit);
      }
      if (hit.ranks[list.name] !== undefined) return;
      hit.ranks[list.name] = rank;
      hit.score += weight / (k + rank);
      hit.bestRank = Math.min(hit.bestRank, rank);
    });
  }

  return [...hits.values()]
    .sort(
      (a, b) =>
        scoreOrder(a.score, b.score) ||
        a.bestRank - b.bestRank ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .map(({ id, score, ranks }) => ({ id, score, ranks }));
}

// Sums of the same reciprocals in a different list order can differ in the last bit; treat
// those as ties so the tie-break, not float noise, decides.
const SCORE_EPSILON = 1e-12;

function scoreOrder(a: number, b: number): number {
  return Math.abs(a - b) < SCORE_EPSILON ? 0 : b - a;
}
