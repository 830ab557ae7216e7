// Cache statistics for /v1/stats, derived from the global counters: lookups by cache, tier and
// result, and what hits saved. Hit rates are shares of all lookups (bypasses excluded), so the
// per-tier rates add up to the total hit rate.
import type { MetricEntry } from "../metrics/batch.js";

const ANSWER_TIERS = ["memory", "edge", "kv", "semantic"] as const;
const EMBEDDING_TIERS = ["memory", "kv"] as const;

export interface CacheSectionStats {
  lookups: number;
  hits: Record<string, number>;
  misses: number;
  hit_rate: Record<string, number>;
  saved: { tokens: number; usd: number };
}

export interface CacheStats {
  answer: CacheSectionStats & { coalesced: number; bypasses: number };
  embedding: CacheSectionStats;
  saved: { tokens: number; usd: number };
  errors: number;
  corrupt: number;
}

/** Computes the cache section of /v1/stats from a snapshot of the counters. */
export function cacheStats(series: readonly MetricEntry[]): CacheStats {
  const sum = (name: string, match: Record<string, string> = {}): number =>
    series
      .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
      .reduce((n, s) => n + s.value, 0);
  const lookups = (cache: string, tier: string, result: string): number =>
    sum("ragway_cache_lookups_total", { cache, tier, result });

  const section = (cache: "answer" | "embedding", tiers: readonly string[], extraHits: number) => {
    const hits: Record<string, number> = {};
    for (const tier of tiers) hits[tier] = lookups(cache, tier, "hit");
    const misses = lookups(cache, "none", "miss");
    const hitTotal = Object.values(hits).reduce((a, b) => a + b, 0) + extraHits;
    const total = hitTotal + misses;
    const rate = (n: number): number => (total === 0 ? 0 : round(n / total));
    const hit_rate: Record<string, number> = {};
    for (const tier of tiers) hit_rate[tier] = rate(hits[tier] ?? 0);
    return {
      lookups: total,
      hits,
      misses,
      hit_rate,
      total,
      hitTotal,
      rate,
      saved: {
        tokens: sum("ragway_cache_saved_tokens_total", { cache }),
        usd: round(sum("ragway_cache_saved_usd_total", { cache }), 9),
      },
    };
  };

  const coalesced = lookups("answer", "memory", "coalesced");
  const a = section("answer", ANSWER_TIERS, coalesced);
  const e = section("embedding", EMBEDDING_TIERS, 0);
  return {
    answer: {
      lookups: a.lookups,
      hits: a.hits,
      coalesced,
      misses: a.misses,
      bypasses: lookups("answer", "none", "bypass"),
      hit_rate: { ...a.hit_rate, coalesced: a.rate(coalesced), total: a.rate(a.hitTotal) },
      saved: a.saved,
    },
    embedding: {
      lookups: e.lookups,
      hits: e.hits,
      misses: e.misses,
      hit_rate: { ...e.hit_rate, total: e.rate(e.hitTotal) },
      saved: e.saved,
    },
    saved: {
      tokens: sum("ragway_cache_saved_tokens_total"),
      usd: round(sum("ragway_cache_saved_usd_total"), 9),
    },
    errors: sum("ragway_cache_errors_total"),
    corrupt: sum("ragway_cache_corrupt_total"),
  };
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
