import { describe, expect, it } from "vitest";
import { MetricsBatch, type MetricEntry } from "../../../shared/metrics/batch.js";
import { historyFrom, sampleOf } from "../../../shared/metrics/stats-history.js";
import { summarize } from "../../../shared/metrics/stats-summary.js";

function traffic(build: (m: MetricsBatch) => void, base: MetricEntry[] = []): MetricEntry[] {
  const b = new MetricsBatch();
  for (const e of base) b.inc(e.name, e.labels, e.value);
  build(b);
  return b.drain();
}

const lookups = (m: MetricsBatch, tier: string, result: string, n: number): void =>
  m.inc("ragway_cache_lookups_total", { cache: "answer", tier, result }, n);

describe("summarize", () => {
  const series = traffic((m) => {
    m.inc("ragway_requests_total", { route: "/v1/query", status: "200" }, 8);
    m.inc("ragway_requests_total", { route: "/v1/query", status: "503" }, 2);
    m.inc("ragway_requests_total", { route: "/v1/stats", status: "200" }, 50);
    for (let i = 0; i < 10; i++) {
      m.observe("ragway_request_duration_seconds", { route: "/v1/query" }, i < 5 ? 0.02 : 0.4);
    }
    for (let i = 0; i < 50; i++) {
      m.observe("ragway_request_duration_seconds", { route: "/v1/stats" }, 20);
    }
    lookups(m, "memory", "hit", 2);
    lookups(m, "memory", "coalesced", 1);
    lookups(m, "kv", "hit", 1);
    lookups(m, "none", "miss", 4);
    lookups(m, "none", "bypass", 2);
    m.inc("ragway_cache_lookups_total", { cache: "embedding", tier: "kv", result: "hit" }, 7);
    m.inc("ragway_cache_saved_usd_total", { cache: "answer" }, 0.25);
    m.inc("ragway_cache_saved_tokens_total", { cache: "answer" }, 900);
    m.inc("ragway_tokens_total", { model: "gpt-4o-mini", direction: "in" }, 1000);
    m.inc("ragway_tokens_total", { model: "gpt-4o-mini", direction: "out" }, 200);
    m.inc("ragway_cost_usd_total", { model: "gpt-4o-mini" }, 0.5);
    m.inc("ragway_upstream_calls_total", { model: "gpt-4o-mini", result: "ok" }, 9);
    m.inc("ragway_upstream_failures_total", { model: "gpt-4o-mini", reason: "timeout" }, 3);
    m.inc("ragway_upstream_retries_total", { model: "gpt-4o-mini" }, 2);
    m.inc("ragway_fallbacks_total", { from_model: "gpt-4o" }, 4);
    m.set("ragway_circuit_state", { model: "gpt-4o" }, 2);
    m.inc("ragway_ratelimit_limited_total", { reason: "rpm", source: "object" }, 4);
    m.inc("ragway_ratelimit_limited_total", { reason: "rpm", source: "memo" }, 1);
    m.inc("ragway_ratelimit_limited_total", { reason: "budget", source: "object" }, 1);
    m.inc("ragway_ratelimit_allowed_total", { check: "request" }, 99);
    m.set("ragway_index_documents", {}, 13);
  });
  const s = summarize(series);

  it("counts traffic without the dashboard's own polling", () => {
    expect(s.requests.total).toBe(10);
    expect(s.requests.errors_5xx).toBe(2);
    expect(s.requests.by_status_class).toEqual({ "2xx": 8, "5xx": 2 });
    expect(s.requests.by_route["/v1/stats"]).toBe(50);
    expect(s.latency_seconds.count).toBe(10);
  });

  it("computes p50 and p95 from the traffic's buckets", () => {
    // five at 0.02 (bucket 0.025), five at 0.4 (bucket 0.5)
    expect(s.latency_seconds.p50).toBeCloseTo(0.025, 10);
    expect(s.latency_seconds.p95).toBeCloseTo(0.25 + 0.25 * (4.5 / 5), 10);
  });

  it("reports hit rates per tier as shares of lookups, bypasses apart", () => {
    const answer = s.caches.answer;
    expect(answer?.lookups).toBe(8);
    expect(answer?.hits).toBe(4);
    expect(answer?.bypasses).toBe(2);
    expect(answer?.hit_rate).toBe(0.5);
    expect(answer?.tiers.memory).toEqual({ hits: 3, hit_rate: 3 / 8 });
    expect(answer?.tiers.kv).toEqual({ hits: 1, hit_rate: 1 / 8 });
    expect(s.caches.embedding?.hits).toBe(7);
    expect(s.saved).toEqual({ tokens: 900, usd: 0.25 });
  });

  it("sums spend, limits and per-model health", () => {
    expect(s.tokens).toEqual({ in: 1000, out: 200 });
    expect(s.cost_usd).toBe(0.5);
    expect(s.rate_limited).toEqual({ total: 6, by_reason: { rpm: 5, budget: 1 } });
    expect(s.models["gpt-4o-mini"]).toMatchObject({
      tokens_in: 1000,
      tokens_out: 200,
      calls: 9,
      failures: 3,
      retries: 2,
      circuit_state: null,
    });
    expect(s.models["gpt-4o"]).toMatchObject({ fallbacks: 4, circuit_state: "open" });
    expect(s.index).toEqual({ documents: 13, chunks: null });
  });

  it("counts answered calls of local models, which make no upstream calls", () => {
    const local = summarize(
      traffic((m) => {
        m.inc("ragway_tokens_total", { model: "local-extractive", direction: "in" }, 4000);
        m.inc("ragway_model_calls_total", { model: "local-extractive" }, 3);
      }),
    );
    expect(local.models["local-extractive"]).toMatchObject({
      tokens_in: 4000,
      answered: 3,
      calls: 0,
    });
  });

  it("has null rates, not NaN, when nothing happened", () => {
    const empty = summarize([]);
    expect(empty.caches.answer?.hit_rate).toBeNull();
    expect(empty.latency_seconds.p50).toBeNull();
    expect(empty.requests.total).toBe(0);
  });
});

describe("history", () => {
  it("turns consecutive samples into rates and windowed percentiles", () => {
    const first = traffic((m) => {
      m.inc("ragway_requests_total", { route: "/v1/query", status: "200" }, 100);
      for (let i = 0; i < 100; i++) {
        m.observe("ragway_request_duration_seconds", { route: "/v1/query" }, 2);
      }
      lookups(m, "memory", "hit", 10);
      lookups(m, "none", "miss", 90);
      m.inc("ragway_cost_usd_total", { model: "m" }, 1);
    });
    const second = traffic((m) => {
      m.inc("ragway_requests_total", { route: "/v1/query", status: "200" }, 50);
      m.inc("ragway_requests_total", { route: "/v1/query", status: "500" }, 10);
      for (let i = 0; i < 60; i++) {
        m.observe("ragway_request_duration_seconds", { route: "/v1/query" }, 0.004);
      }
      lookups(m, "memory", "hit", 30);
      lookups(m, "kv", "hit", 15);
      lookups(m, "none", "miss", 15);
      m.inc("ragway_cost_usd_total", { model: "m" }, 0.25);
      m.inc("ragway_cache_saved_usd_total", { cache: "answer" }, 0.75);
    }, first);
    const points = historyFrom([sampleOf(first, 10_000), sampleOf(second, 15_000)]);
    expect(points).toHaveLength(1);
    const p = points[0];
    expect(p?.t).toBe(15_000);
    expect(p?.seconds).toBe(5);
    expect(p?.request_rate).toBe(12);
    expect(p?.error_rate).toBeCloseTo(10 / 60, 10);
    // Only the window's observations count: all at 4 ms, none of the earlier 2 s ones.
    expect(p?.p95_seconds).toBeLessThanOrEqual(0.005);
    expect(p?.cache_hit_rate).toBe(0.75);
    expect(p?.cache_hit_rate_by_tier).toEqual({ memory: 0.5, kv: 0.25 });
    expect(p?.cost_usd).toBeCloseTo(0.25, 10);
    expect(p?.saved_usd).toBeCloseTo(0.75, 10);
  });

  it("treats a counter reset as zero and skips samples out of order", () => {
    const big = traffic((m) => m.inc("ragway_requests_total", { route: "/a", status: "200" }, 9));
    const small = traffic((m) => m.inc("ragway_requests_total", { route: "/a", status: "200" }, 1));
    const points = historyFrom([sampleOf(big, 1000), sampleOf(small, 2000), sampleOf(big, 1500)]);
    expect(points).toHaveLength(1);
    expect(points[0]?.request_rate).toBe(0);
    expect(points[0]?.p50_seconds).toBeNull();
    expect(points[0]?.cache_hit_rate).toBeNull();
  });
});
