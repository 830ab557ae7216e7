// Recent history for the dashboard's charts: the METRICS object keeps a small ring of cumulative
// totals sampled over time; consecutive samples turn into rates, windowed percentiles and hit
// rates. Counters only grow, so a negative difference means a reset and counts as zero.
import type { MetricEntry } from "./batch.js";
import { bucketsFromLabels, histogramQuantile } from "./quantile.js";
import { sumOf, summarize, trafficLatencyBuckets } from "./stats-summary.js";

/** Cumulative totals at one instant (milliseconds since the epoch). */
export interface StatsSample {
  t: number;
  requests: number;
  errors_5xx: number;
  latency_buckets: Record<string, number>;
  /** Answer-cache lookups that could hit, and hits per tier. */
  cache_lookups: number;
  cache_hits: Record<string, number>;
  tokens: number;
  cost_usd: number;
  saved_tokens: number;
  saved_usd: number;
  rate_limited: number;
  fallbacks: number;
  upstream_failures: number;
}

/** One chart point: what happened between two samples. */
export interface HistoryPoint {
  t: number;
  seconds: number;
  request_rate: number;
  error_rate: number | null;
  p50_seconds: number | null;
  p95_seconds: number | null;
  cache_hit_rate: number | null;
  cache_hit_rate_by_tier: Record<string, number | null>;
  tokens: number;
  cost_usd: number;
  saved_tokens: number;
  saved_usd: number;
  rate_limited: number;
  fallbacks: number;
  upstream_failures: number;
}

/** How often the METRICS object records a sample, and how many it keeps (30 minutes' worth). */
export const SAMPLE_INTERVAL_MS = 5000;
export const MAX_SAMPLES = 360;

/** The totals of the current series, for the history ring. */
export function sampleOf(series: readonly MetricEntry[], t: number): StatsSample {
  const s = summarize(series);
  const answer = s.caches.answer;
  const cacheHits: Record<string, number> = {};
  for (const [tier, v] of Object.entries(answer?.tiers ?? {})) cacheHits[tier] = v.hits;
  return {
    t,
    requests: s.requests.total,
    errors_5xx: s.requests.errors_5xx,
    latency_buckets: trafficLatencyBuckets(series),
    cache_lookups: answer?.lookups ?? 0,
    cache_hits: cacheHits,
    tokens: s.tokens.in + s.tokens.out,
    cost_usd: s.cost_usd,
    saved_tokens: s.saved.tokens,
    saved_usd: s.saved.usd,
    rate_limited: s.rate_limited.total,
    fallbacks: sumOf(series, "ragway_fallbacks_total"),
    upstream_failures: sumOf(series, "ragway_upstream_failures_total"),
  };
}

const delta = (a: number, b: number): number => Math.max(0, b - a);

/** Chart points from consecutive samples (oldest first); samples out of order are skipped. */
export function historyFrom(samples: readonly StatsSample[]): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    if (!a || !b || b.t <= a.t) continue;
    const seconds = (b.t - a.t) / 1000;
    const requests = delta(a.requests, b.requests);
    const bucketDelta: Record<string, number> = {};
    for (const [le, n] of Object.entries(b.latency_buckets)) {
      bucketDelta[le] = delta(a.latency_buckets[le] ?? 0, n);
    }
    const buckets = bucketsFromLabels(bucketDelta);
    const lookups = delta(a.cache_lookups, b.cache_lookups);
    const byTier: Record<string, number | null> = {};
    let hits = 0;
    for (const [tier, n] of Object.entries(b.cache_hits)) {
      const d = delta(a.cache_hits[tier] ?? 0, n);
      hits += d;
      byTier[tier] = lookups > 0 ? d / lookups : null;
    }
    points.push({
      t: b.t,
      seconds,
      request_rate: requests / seconds,
      error_rate: requests > 0 ? delta(a.errors_5xx, b.errors_5xx) / requests : null,
      p50_seconds: histogramQuantile(0.5, buckets),
      p95_seconds: histogramQuantile(0.95, buckets),
      cache_hit_rate: lookups > 0 ? hits / lookups : null,
      cache_hit_rate_by_tier: byTier,
      tokens: delta(a.tokens, b.tokens),
      cost_usd: delta(a.cost_usd, b.cost_usd),
      saved_tokens: delta(a.saved_tokens, b.saved_tokens),
      saved_usd: delta(a.saved_usd, b.saved_usd),
      rate_limited: delta(a.rate_limited, b.rate_limited),
      fallbacks: delta(a.fallbacks, b.fallbacks),
      upstream_failures: delta(a.upstream_failures, b.upstream_failures),
    });
  }
  return points;
}
