// Counters around the real mock upstream: a paid answer and an upstream failure move spend,
// tokens and degraded answers by exactly what the responses report.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { diffSamples, parseSamples, series } from "../../support/prometheus-text.js";
import { call, callJson, scraper } from "../helpers.js";
import { upstream } from "./upstream-control.js";

interface QueryBody {
  model: string;
  degraded: boolean;
  usage: { prompt_tokens: number; completion_tokens: number; cost_usd: number };
}

async function scrape(): Promise<Map<string, number>> {
  const res = await call("GET", "/metrics", { headers: scraper });
  expect(res.status).toBe(200);
  return parseSamples(await res.text());
}

describe("metrics around the upstream", () => {
  beforeEach(async () => {
    await upstream(env).reset();
  });

  it("count a paid answer and an upstream failure exactly", async () => {
    await callJson("POST", "/v1/documents", {
      body: { documents: [{ id: "mu-1", text: "Upstream metrics are counted per model." }] },
    });
    const before = await scrape();

    const paid = await callJson<QueryBody>("POST", "/v1/query", {
      body: { query: "How are upstream metrics counted?", model: "gpt-4o-mini" },
    });
    expect(paid.status).toBe(200);
    expect(paid.body.degraded).toBe(false);

    await upstream(env).faults({ errorStatus: 400, failModels: ["gpt-4o-mini"] });
    // use_cache: false, or the repeat would be a cache hit that never reaches the upstream.
    const failed = await callJson<QueryBody>("POST", "/v1/query", {
      body: { query: "How are upstream metrics counted?", model: "gpt-4o-mini", use_cache: false },
    });
    expect(failed.status).toBe(200);
    expect(failed.body.degraded).toBe(true);
    expect(failed.body.model).toBe("local-extractive");

    const diff = diffSamples(before, await scrape());
    const at = (name: string, labels: Record<string, string>): number | undefined =>
      diff.get(series(name, labels));
    expect(at("ragway_requests_total", { route: "/v1/query", status: "200" })).toBe(2);
    expect(at("ragway_degraded_answers_total", { route: "/v1/query" })).toBe(1);
    expect(at("ragway_tokens_total", { model: "gpt-4o-mini", direction: "in" })).toBe(
      paid.body.usage.prompt_tokens,
    );
    expect(at("ragway_tokens_total", { model: "gpt-4o-mini", direction: "out" })).toBe(
      paid.body.usage.completion_tokens,
    );
    expect(at("ragway_cost_usd_total", { model: "gpt-4o-mini" })).toBeCloseTo(
      paid.body.usage.cost_usd,
      12,
    );
    expect(at("ragway_tokens_total", { model: "local-extractive", direction: "in" })).toBe(
      failed.body.usage.prompt_tokens,
    );
    // The question was embedded upstream once; the repeat found its vector in the embedding cache.
    expect(at("ragway_embedding_calls_total", { provider: "openai", result: "ok" })).toBe(1);
    expect(diff.get("ragway_metrics_rejected_total")).toBeUndefined();
  });
});
