// /metrics and /v1/stats: access, format, and counters that move by exactly what happened.
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import worker from "../../workers/index.js";
import { METRIC_FAMILIES } from "../../shared/metrics/registry.js";
import { diffSamples, parseSamples, series } from "../support/prometheus-text.js";
import { admin, call, callJson, callSettled, scraper } from "./helpers.js";
import { finishedJob } from "./job-helpers.js";
import { bearer, createKey } from "./limits-helpers.js";

async function scrape(): Promise<Map<string, number>> {
  const res = await call("GET", "/metrics", { headers: scraper });
  expect(res.status).toBe(200);
  return parseSamples(await res.text());
}

interface Stats {
  requests: { total: number; by_route: Record<string, number> };
  tokens: { in: number; out: number };
  latency_seconds: { p50: number | null; p95: number | null; count: number };
  index: { documents: number; chunks: number };
  degraded_answers: number;
  rate_limited: { total: number; by_reason: Record<string, number> };
  counters: Record<string, Array<{ labels: Record<string, string>; value: number }>>;
  history: unknown[];
  overhead: Record<string, { p50_ms: number | null; p95_ms: number | null; count: number }>;
}

async function stats(): Promise<Stats> {
  const { status, body } = await callJson<Stats>("GET", "/v1/stats", { headers: admin });
  expect(status).toBe(200);
  return body;
}

/** Changes other than histogram buckets and sums (whose values depend on timing). */
function countable(diff: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of diff) {
    if (k.includes("_bucket{") || k.includes("_sum{")) continue;
    // How many calls a request path makes depends on the leases an isolate holds (they expire
    // within a second) and on flush timing: checked on their own below.
    if (k.startsWith("ragway_durable_object_calls_total{")) continue;
    if (k.startsWith("ragway_limiter_call_seconds_count{")) continue;
    out[k] = Math.round(v * 1e9) / 1e9;
  }
  return out;
}

describe("GET /metrics access", () => {
  it("refuses a request without a token, and a wrong token", async () => {
    expect((await call("GET", "/metrics")).status).toBe(401);
    const wrong = await call("GET", "/metrics", { headers: { authorization: "Bearer nope-nope" } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json<{ error: { code: string } }>()).error.code).toBe("unauthorized");
  });

  it("accepts the admin token and the scraper token, in the text format", async () => {
    for (const headers of [admin, scraper]) {
      const res = await call("GET", "/metrics", { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const text = await res.text();
      for (const fam of METRIC_FAMILIES) expect(text).toContain(`# TYPE ${fam.name} ${fam.type}`);
    }
  });

  it("does not let the scraper token open admin routes", async () => {
    expect((await call("GET", "/v1/stats", { headers: scraper })).status).toBe(401);
  });
});

describe("counters after a known sequence of requests", () => {
  it("move by exactly the expected amounts in /metrics and /v1/stats", async () => {
    const before = await scrape();
    const statsBefore = await stats();

    const ingest = await callJson<{ documents: Array<{ chunks: number }> }>(
      "POST",
      "/v1/documents",
      { body: { documents: [{ id: "m-1", text: "The metrics marker is tangerine-heron." }] } },
    );
    expect(ingest.status).toBe(200);
    const chunks = ingest.body.documents[0]?.chunks ?? 0;
    expect(chunks).toBe(1);
    // The same question twice: a miss that computes, then a memory hit that spends nothing.
    const usage = { in: 0, out: 0 };
    let savedTokens = 0;
    for (let i = 0; i < 2; i++) {
      const q = await callJson<{
        model: string;
        cache: string;
        usage: Record<string, number>;
        cache_saved?: { total_tokens: number };
      }>("POST", "/v1/query", { body: { query: "What is the metrics marker?" } });
      expect(q.status).toBe(200);
      expect(q.body.model).toBe("local-extractive");
      expect(q.body.cache).toBe(i === 0 ? "MISS" : "HIT-MEMORY");
      usage.in += q.body.usage.prompt_tokens ?? 0;
      usage.out += q.body.usage.completion_tokens ?? 0;
      savedTokens += q.body.cache_saved?.total_tokens ?? 0;
    }
    expect(savedTokens).toBeGreaterThan(0);
    expect(
      (
        await call("POST", "/v1/query", {
          rawBody: "{",
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(400);
    expect((await call("GET", "/v1/documents/absent")).status).toBe(404);
    expect((await call("GET", "/nowhere")).status).toBe(404);
    // A key allowed one request a minute: its second request is limited.
    const { key } = await createKey({ name: "metrics-limited", rpm: 1 });
    expect((await call("GET", "/v1/models", { headers: bearer(key) })).status).toBe(200);
    expect((await call("GET", "/v1/models", { headers: bearer(key) })).status).toBe(429);

    const after = await scrape();
    const statsAfter = await stats();

    expect(countable(diffSamples(before, after))).toEqual({
      // The first scrape is counted once it has answered, so the second one sees it.
      [series("ragway_requests_total", { route: "/metrics", status: "200" })]: 1,
      [series("ragway_requests_total", { route: "/v1/stats", status: "200" })]: 1,
      [series("ragway_requests_total", { route: "/v1/documents", status: "200" })]: 1,
      [series("ragway_requests_total", { route: "/v1/query", status: "200" })]: 2,
      [series("ragway_requests_total", { route: "/v1/query", status: "400" })]: 1,
      [series("ragway_requests_total", { route: "/v1/documents/:id+", status: "404" })]: 1,
      [series("ragway_requests_total", { route: "unmatched", status: "404" })]: 1,
      [series("ragway_requests_total", { route: "/admin/keys", status: "201" })]: 1,
      [series("ragway_requests_total", { route: "/v1/models", status: "200" })]: 1,
      [series("ragway_requests_total", { route: "/v1/models", status: "429" })]: 1,
      [series("ragway_request_duration_seconds_count", { route: "/admin/keys" })]: 1,
      [series("ragway_request_duration_seconds_count", { route: "/v1/models" })]: 2,
      ragway_keys_created_total: 1,
      [series("ragway_request_duration_seconds_count", { route: "/metrics" })]: 1,
      [series("ragway_request_duration_seconds_count", { route: "/v1/stats" })]: 1,
      [series("ragway_request_duration_seconds_count", { route: "/v1/documents" })]: 1,
      [series("ragway_request_duration_seconds_count", { route: "/v1/query" })]: 3,
      [series("ragway_request_duration_seconds_count", { route: "/v1/documents/:id+" })]: 1,
      [series("ragway_request_duration_seconds_count", { route: "unmatched" })]: 1,
      [series("ragway_documents_ingested_total", { status: "created" })]: 1,
      // One embedding call for the document's chunk and one for the first question; the repeat
      // is answered from the answer cache's memory tier without embedding anything.
      [series("ragway_embedding_calls_total", { provider: "local", result: "ok" })]: 2,
      [series("ragway_embedding_inputs_total", { provider: "local" })]: chunks + 1,
      [series("ragway_cache_lookups_total", { cache: "embedding", result: "miss", tier: "none" })]:
        chunks + 1,
      [series("ragway_cache_lookups_total", { cache: "answer", result: "miss", tier: "none" })]: 1,
      [series("ragway_cache_lookups_total", { cache: "answer", result: "hit", tier: "memory" })]: 1,
      [series("ragway_cache_saved_tokens_total", { cache: "answer" })]: savedTokens,
      [series("ragway_tokens_total", { direction: "in", model: "local-extractive" })]: usage.in,
      [series("ragway_tokens_total", { direction: "out", model: "local-extractive" })]: usage.out,
      // One answered call (the cache hit calls no model), though the local model is no upstream.
      [series("ragway_model_calls_total", { model: "local-extractive" })]: 1,
      ragway_index_documents: 1,
      ragway_index_chunks: chunks,
      [series("ragway_namespace_documents", { namespace: "default" })]: 1,
      [series("ragway_namespace_chunks", { namespace: "default" })]: chunks,
      // What the gateway added to each request, beside its latency.
      [series("ragway_gateway_overhead_seconds_count", { route: "/admin/keys" })]: 1,
      [series("ragway_gateway_overhead_seconds_count", { route: "/metrics" })]: 1,
      [series("ragway_gateway_overhead_seconds_count", { route: "/v1/documents" })]: 1,
      [series("ragway_gateway_overhead_seconds_count", { route: "/v1/documents/:id+" })]: 1,
      [series("ragway_gateway_overhead_seconds_count", { route: "/v1/models" })]: 2,
      [series("ragway_gateway_overhead_seconds_count", { route: "/v1/query" })]: 3,
      [series("ragway_gateway_overhead_seconds_count", { route: "/v1/stats" })]: 1,
      [series("ragway_gateway_overhead_seconds_count", { route: "unmatched" })]: 1,
      [series("ragway_ratelimit_allowed_total", { check: "request" })]: 6,
      [series("ragway_ratelimit_limited_total", { reason: "requests", source: "object" })]: 1,
      [series("ragway_ratelimit_allowed_total", { check: "spend" })]: 2,
      ragway_budget_reserved_tokens_total: expect.any(Number) as number,
    });
    // The key's two requests each made their one acquire call (the second was refused by its
    // object); the anonymous ones made theirs or were admitted under a lease. Every call to an
    // object is counted, by object and method.
    const calls = diffSamples(before, after);
    expect(
      calls.get(series("ragway_limiter_call_seconds_count", { op: "acquire" })),
    ).toBeGreaterThanOrEqual(2);
    expect(
      calls.get(
        series("ragway_durable_object_calls_total", { method: "acquire", object: "LIMITER" }),
      ),
    ).toBe(calls.get(series("ragway_limiter_call_seconds_count", { op: "acquire" })));
    expect(
      calls.get(series("ragway_durable_object_calls_total", { method: "search", object: "INDEX" })),
    ).toBe(1);
    // Reservations hold at least what was then used (the completion cap is an upper bound).
    expect(diffSamples(before, after).get("ragway_budget_reserved_tokens_total")).toBeGreaterThan(
      usage.in + usage.out,
    );
    // Every histogram's +Inf bucket moved with its _count.
    const diff = diffSamples(before, after);
    expect(
      diff.get(
        series("ragway_request_duration_seconds_bucket", { route: "/v1/query", le: "+Inf" }),
      ),
    ).toBe(3);
    expect(after.get("ragway_metrics_rejected_total")).toBe(0);

    // /v1/stats agrees: traffic excludes the observability routes.
    expect(statsAfter.requests.total - statsBefore.requests.total).toBe(9);
    expect(statsAfter.rate_limited.total - statsBefore.rate_limited.total).toBe(1);
    expect(statsAfter.tokens.in - statsBefore.tokens.in).toBe(usage.in);
    expect(statsAfter.tokens.out - statsBefore.tokens.out).toBe(usage.out);
    expect(statsAfter.latency_seconds.count - statsBefore.latency_seconds.count).toBe(9);
    // What the gateway added, per route: one observation per request, in milliseconds.
    const queryOverhead = statsAfter.overhead["/v1/query"];
    expect((queryOverhead?.count ?? 0) - (statsBefore.overhead["/v1/query"]?.count ?? 0)).toBe(3);
    expect(queryOverhead?.p50_ms).toBeGreaterThanOrEqual(0);
    expect(queryOverhead?.p95_ms).toBeGreaterThanOrEqual(queryOverhead?.p50_ms ?? 0);
    expect(statsAfter.index.documents - statsBefore.index.documents).toBe(1);
    expect(
      (statsAfter.requests.by_route["/v1/query"] ?? 0) -
        (statsBefore.requests.by_route["/v1/query"] ?? 0),
    ).toBe(3);
    expect(statsAfter.latency_seconds.p50).toBeGreaterThan(0);
  });
});

describe("the METRICS object", () => {
  it("counts undeclared series as rejected instead of storing them", async () => {
    const stub = env.METRICS.get(env.METRICS.idFromName("global"));
    const result = await stub.ingest([
      { name: "ragway_invented_total", labels: {}, value: 1 },
      { name: "ragway_requests_total", labels: { route: "/x", query: "leak me" }, value: 1 },
      { name: "ragway_requests_total", labels: { route: "/x", status: "200" }, value: 1 },
    ]);
    expect(result).toEqual({ accepted: 1, rejected: 2 });
    const text = await (await call("GET", "/metrics", { headers: scraper })).text();
    expect(text).not.toContain("invented");
    expect(text).not.toContain("leak me");
    expect(parseSamples(text).get("ragway_metrics_rejected_total")).toBeGreaterThanOrEqual(2);
  });

  it("keeps the last value of a gauge", async () => {
    const stub = env.METRICS.get(env.METRICS.idFromName("global"));
    await stub.ingest([
      { name: "ragway_circuit_state", labels: { model: "g" }, value: 2, op: "set" },
    ]);
    await stub.ingest([
      { name: "ragway_circuit_state", labels: { model: "g" }, value: 1, op: "set" },
    ]);
    const samples = await scrape();
    expect(samples.get(series("ragway_circuit_state", { model: "g" }))).toBe(1);
    const s = await callJson<{ models: Record<string, { circuit_state: string }> }>(
      "GET",
      "/v1/stats",
      { headers: admin },
    );
    expect(s.body.models.g?.circuit_state).toBe("half_open");
  });
});

describe("METRICS_ENABLED=false", () => {
  it("records nothing for requests while /metrics still answers", async () => {
    const off = { ...env, METRICS_ENABLED: "false" };
    const before = await scrape();
    for (let i = 0; i < 3; i++) {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request("http://ragway.test/health"), off, ctx);
      expect(res.status).toBe(200);
      await waitOnExecutionContext(ctx);
    }
    const after = await scrape();
    expect(after.get(series("ragway_requests_total", { route: "/health", status: "200" }))).toBe(
      before.get(series("ragway_requests_total", { route: "/health", status: "200" })),
    );
  });
});

describe("calls to an ingestion job's JOBS object", () => {
  it("are counted by method: the submission's create, each progress read's view, the consumer's claim and complete, and the job's settlement with LIMITER", async () => {
    const calls = (m: Map<string, number>, method: string) =>
      m.get(series("ragway_durable_object_calls_total", { method, object: "JOBS" })) ?? 0;
    const before = await scrape();
    const submitted = await callSettled<{ id: string }>("POST", "/v1/documents", {
      body: { async: true, documents: [{ id: "m-job", text: "The job marker is cobalt-wren." }] },
    });
    expect(submitted.status).toBe(202);
    const read = await callSettled("GET", `/v1/jobs/${submitted.body.id}`);
    expect(read.status).toBe(200);
    const after = await scrape();
    expect(calls(after, "create") - calls(before, "create")).toBe(1);
    expect(calls(after, "view") - calls(before, "view")).toBe(1);

    // The queue consumer ingests the job on its own schedule; its calls are counted as it flushes.
    await finishedJob(submitted.body.id);
    await vi.waitFor(
      async () => {
        const now = await scrape();
        expect(calls(now, "claim") - calls(before, "claim")).toBeGreaterThanOrEqual(1);
        expect(calls(now, "complete") - calls(before, "complete")).toBeGreaterThanOrEqual(1);
        // The finished job's alarm settles its reservation: a call of the JOBS object's own.
        const settle = series("ragway_durable_object_calls_total", {
          method: "settle",
          object: "LIMITER",
        });
        expect((now.get(settle) ?? 0) - (before.get(settle) ?? 0)).toBe(1);
      },
      { timeout: 10_000, interval: 100 },
    );
  });
});
