import { describe, expect, it } from "vitest";
import { cacheStats } from "../../../shared/cache/cache-stats.js";
import type { MetricEntry } from "../../../shared/metrics/batch.js";

const lookup = (cache: string, tier: string, result: string, value: number): MetricEntry => ({
  name: "ragway_cache_lookups_total",
  labels: { cache, tier, result },
  value,
});

describe("cacheStats", () => {
  it("computes per-tier hit rates as shares of all non-bypass lookups", () => {
    const stats = cacheStats([
      lookup("answer", "memory", "hit", 50),
      lookup("answer", "edge", "hit", 10),
      lookup("answer", "kv", "hit", 5),
      lookup("answer", "semantic", "hit", 5),
      lookup("answer", "memory", "coalesced", 10),
      lookup("answer", "none", "miss", 20),
      lookup("answer", "none", "bypass", 7),
      lookup("embedding", "memory", "hit", 3),
      lookup("embedding", "none", "miss", 1),
      { name: "ragway_cache_saved_tokens_total", labels: { cache: "answer" }, value: 1000 },
      { name: "ragway_cache_saved_tokens_total", labels: { cache: "embedding" }, value: 20 },
      { name: "ragway_cache_saved_usd_total", labels: { cache: "answer" }, value: 0.5 },
      {
        name: "ragway_cache_errors_total",
        labels: { cache: "answer", tier: "kv", op: "get" },
        value: 2,
      },
      { name: "ragway_requests_total", labels: { route: "/v1/query", status: "200" }, value: 107 },
    ]);
    expect(stats.answer.lookups).toBe(100);
    expect(stats.answer.bypasses).toBe(7);
    expect(stats.answer.hit_rate).toEqual({
      memory: 0.5,
      edge: 0.1,
      kv: 0.05,
      semantic: 0.05,
      coalesced: 0.1,
      total: 0.8,
    });
    expect(stats.embedding.hit_rate).toEqual({ memory: 0.75, kv: 0, total: 0.75 });
    expect(stats.saved).toEqual({ tokens: 1020, usd: 0.5 });
    expect(stats.answer.saved.tokens).toBe(1000);
    expect(stats.errors).toBe(2);
  });

  it("reports zero rates, not NaN, before any lookup", () => {
    const stats = cacheStats([]);
    expect(stats.answer.hit_rate.total).toBe(0);
    expect(stats.embedding.lookups).toBe(0);
  });
});
