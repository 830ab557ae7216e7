// The operator's summary of the global series (what /v1/stats returns and the dashboard draws):
// request counts, latency percentiles, cache hit rates per tier, spend and savings, limits,
// per-model upstream health. Pure: it reads series, so /metrics and /v1/stats never disagree.
import type { MetricEntry } from "./batch.js";
import type { Labels } from "./metrics.js";
import { bucketsFromLabels, histogramQuantile } from "./quantile.js";

/** Routes that observe the gateway rather than use it: left out of traffic and latency, so the
 * dashboard's own polling does not show up as load. */
export const OBSERVABILITY_ROUTES: ReadonlySet<string> = new Set(["/metrics", "/v1/stats"]);

export type CircuitState = "closed" | "half_open" | "open";

export interface CacheSummary {
  /** Lookups that could hit (bypasses excluded). */
  lookups: number;
  hits: number;
  misses: number;
  bypasses: number;
  hit_rate: number | null;
  /** Hits per tier, and each tier's share of lookups (the shares add up to `hit_rate`). */
  tiers: Record<string, { hits: number; hit_rate: number | null }>;
}

export interface ModelSummary {
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  /** Answered calls, local models included. */
  answered: number;
  /** Upstream calls (after retries), ok or not: local models make none. */
  calls: number;
  failures: number;
  retries: number;
  fallbacks: number;
  circuit_state: CircuitState | null;
}

export interface StatsSummary {
  requests: {
    total: number;
    errors_5xx: number;
    by_status_class: Record<string, number>;
    by_route: Record<string, number>;
  };
  latency_seconds: { p50: number | null; p95: number | null; count: number };
  caches: Record<string, CacheSummary>;
  saved: { tokens: number; usd: number };
  tokens: { in: number; out: number };
  cost_usd: number;
  rate_limited: { total: number; by_reason: Record<string, number> };
  degraded_answers: number;
  models: Record<string, ModelSummary>;
  index: { documents: number | null; chunks: number | null };
}

type Pred = (labels: Labels) => boolean;
const all: Pred = () => true;

/** Sum of a series name's values whose labels satisfy `pred`. */
export function sumOf(series: readonly MetricEntry[], name: string, pred: Pred = all): number {
  let total = 0;
  for (const s of series) if (s.name === name && pred(s.labels)) total += s.value;
  return total;
}

/** Sums a series name grouped by one label's value (missing label -> `fallback`). */
export function sumBy(
  series: readonly MetricEntry[],
  name: string,
  label: string,
  pred: Pred = all,
  fallback = "",
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of series) {
    if (s.name !== name || !pred(s.labels)) continue;
    const key = s.labels[label] ?? fallback;
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

const isTraffic: Pred = (l) => !OBSERVABILITY_ROUTES.has(l.route ?? "");

/** Cumulative latency buckets (by `le`) over traffic routes. */
export function trafficLatencyBuckets(series: readonly MetricEntry[]): Record<string, number> {
  return sumBy(series, "ragway_request_duration_seconds_bucket", "le", isTraffic);
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

function cacheSummary(series: readonly MetricEntry[], cache: string): CacheSummary {
  const mine: Pred = (l) => (l.cache ?? "answer") === cache;
  // A request that waited for an identical in-flight computation was served from memory.
  const isHit = (l: Labels): boolean => l.result === "hit" || l.result === "coalesced";
  const hits = sumOf(series, "ragway_cache_lookups_total", (l) => mine(l) && isHit(l));
  const misses = sumOf(series, "ragway_cache_lookups_total", (l) => mine(l) && l.result === "miss");
  const bypasses = sumOf(
    series,
    "ragway_cache_lookups_total",
    (l) => mine(l) && l.result === "bypass",
  );
  const lookups = hits + misses;
  const tierHits = sumBy(
    series,
    "ragway_cache_lookups_total",
    "tier",
    (l) => mine(l) && isHit(l),
    "unknown",
  );
  const tiers: CacheSummary["tiers"] = {};
  for (const [tier, n] of Object.entries(tierHits)) {
    tiers[tier] = { hits: n, hit_rate: ratio(n, lookups) };
  }
  return { lookups, hits, misses, bypasses, hit_rate: ratio(hits, lookups), tiers };
}

const CIRCUIT: Record<number, CircuitState> = { 0: "closed", 1: "half_open", 2: "open" };

function modelSummaries(series: readonly MetricEntry[]): Record<string, ModelSummary> {
  const models: Record<string, ModelSummary> = {};
  const get = (model: string): ModelSummary =>
    (models[model] ??= {
      tokens_in: 0,
      tokens_out: 0,
      cost_usd: 0,
      answered: 0,
      calls: 0,
      failures: 0,
      retries: 0,
      fallbacks: 0,
      circuit_state: null,
    });
  for (const s of series) {
    const model = s.name === "ragway_fallbacks_total" ? s.labels.from_model : s.labels.model;
    if (model === undefined) continue;
    switch (s.name) {
      case "ragway_tokens_total":
        if (s.labels.direction === "out") get(model).tokens_out += s.value;
        else get(model).tokens_in += s.value;
        break;
      case "ragway_cost_usd_total":
        get(model).cost_usd += s.value;
        break;
      case "ragway_model_calls_total":
        get(model).answered += s.value;
        break;
      case "ragway_upstream_calls_total":
        get(model).calls += s.value;
        break;
      case "ragway_upstream_failures_total":
        get(model).failures += s.value;
        break;
      case "ragway_upstream_retries_total":
        get(model).retries += s.value;
        break;
      case "ragway_fallbacks_total":
        get(model).fallbacks += s.value;
        break;
      case "ragway_circuit_state":
        get(model).circuit_state = CIRCUIT[s.value] ?? null;
        break;
    }
  }
  return models;
}

function gauge(series: readonly MetricEntry[], name: string): number | null {
  const found = series.find((s) => s.name === name);
  return found ? found.value : null;
}

/** Summarizes the global series. */
export function summarize(series: readonly MetricEntry[]): StatsSummary {
  const byStatus = sumBy(series, "ragway_requests_total", "status", isTraffic);
  const byStatusClass: Record<string, number> = {};
  for (const [status, n] of Object.entries(byStatus)) {
    const cls = `${status.charAt(0)}xx`;
    byStatusClass[cls] = (byStatusClass[cls] ?? 0) + n;
  }
  const buckets = bucketsFromLabels(trafficLatencyBuckets(series));
  const cacheNames = new Set(["answer"]);
  for (const s of series) {
    if (s.name === "ragway_cache_lookups_total") cacheNames.add(s.labels.cache ?? "answer");
  }
  const caches: Record<string, CacheSummary> = {};
  for (const name of [...cacheNames].sort()) caches[name] = cacheSummary(series, name);
  const limitedByReason = sumBy(series, "ragway_ratelimit_limited_total", "reason", all, "unknown");
  return {
    requests: {
      total: sumOf(series, "ragway_requests_total", isTraffic),
      errors_5xx: byStatusClass["5xx"] ?? 0,
      by_status_class: byStatusClass,
      by_route: sumBy(series, "ragway_requests_total", "route"),
    },
    latency_seconds: {
      p50: histogramQuantile(0.5, buckets),
      p95: histogramQuantile(0.95, buckets),
      count: sumOf(series, "ragway_request_duration_seconds_count", isTraffic),
    },
    caches,
    saved: {
      tokens: sumOf(series, "ragway_cache_saved_tokens_total"),
      usd: sumOf(series, "ragway_cache_saved_usd_total"),
    },
    tokens: {
      in: sumOf(series, "ragway_tokens_total", (l) => l.direction !== "out"),
      out: sumOf(series, "ragway_tokens_total", (l) => l.direction === "out"),
    },
    cost_usd: sumOf(series, "ragway_cost_usd_total"),
    rate_limited: {
      total: Object.values(limitedByReason).reduce((a, b) => a + b, 0),
      by_reason: limitedByReason,
    },
    degraded_answers: sumOf(series, "ragway_degraded_answers_total"),
    models: modelSummaries(series),
    index: {
      documents: gauge(series, "ragway_index_documents"),
      chunks: gauge(series, "ragway_index_chunks"),
    },
  };
}
