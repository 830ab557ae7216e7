// /v1/query with the local provider: response shape, packing budget, timings, health and stats.
import { describe, expect, it } from "vitest";
import { admin, call, callJson, withoutObjects } from "./helpers.js";

interface QueryBody {
  answer: string;
  sources: Array<{ id: string; title: string; source: string; score: number; text: string }>;
  model: string;
  degraded: boolean;
  from_cache: boolean;
  cache: string;
  usage: {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    cost_usd: number;
  };
  attempts: Array<{ model: string; ok: boolean }>;
  timings: { total_ms: number; retrieval_ms: number; generation_ms: number };
  request_id: string;
  context_tokens: number;
}

const DOCS = [
  {
    id: "kv",
    title: "KV",
    text: "Workers KV is eventually consistent. Writes can take up to 60 seconds to be visible everywhere.\n\nKV allows one write per second per key, so it is never used for counters.",
  },
  {
    id: "do",
    title: "Durable Objects",
    text: "A Durable Object is a single-threaded actor with strongly consistent SQLite storage.\n\nEach principal gets its own limiter object, so limits are exact.",
  },
];

describe("POST /v1/query (local provider)", () => {
  it("answers with the documented shape, grounded in cited sources, at zero cost", async () => {
    await callJson("POST", "/v1/documents", { body: { documents: DOCS } });
    const res = await call("POST", "/v1/query", {
      body: { query: "How long until a KV write is visible everywhere?" },
    });
    expect(res.status).toBe(200);
    const body = await res.json<QueryBody>();
    expect(body.sources[0]?.id).toBe("kv");
    expect(body.answer).toContain("60 seconds");
    expect(body.model).toBe("local-extractive");
    expect(body.degraded).toBe(false);
    expect(body.from_cache).toBe(false);
    expect(body.usage.cost_usd).toBe(0);
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
    expect(body.attempts).toEqual([{ model: "local-extractive", ok: true }]);
    expect(body.timings.total_ms).toBeGreaterThanOrEqual(0);
    expect(body.request_id).toBe(res.headers.get("x-request-id"));
    expect(res.headers.get("x-cache")).toBe("MISS");
  });

  it("keeps the packed context within max_context_tokens", async () => {
    await callJson("POST", "/v1/documents", { body: { documents: DOCS } });
    const { body } = await callJson<QueryBody>("POST", "/v1/query", {
      body: { query: "limiter object KV counters", k: 5, max_context_tokens: 30 },
    });
    expect(body.context_tokens).toBeLessThanOrEqual(30);
  });

  it("says the sources did not fit, without calling a model, when the budget is too small", async () => {
    await callJson("POST", "/v1/documents", { body: { documents: DOCS } });
    const { body } = await callJson<QueryBody>("POST", "/v1/query", {
      body: { query: "Is KV eventually consistent?", max_context_tokens: 1 },
    });
    expect(body.sources).toEqual([]);
    expect(body.context_tokens).toBe(0);
    expect(body.answer).toMatch(/did not fit in the context budget of 1 tokens/);
  });

  it("honours an incoming X-Request-Id", async () => {
    const res = await call("POST", "/v1/query", {
      body: { query: "anything" },
      headers: { "x-request-id": "trace-123" },
    });
    expect(res.headers.get("x-request-id")).toBe("trace-123");
  });

  it("streams the answer as server-sent events when stream is true", async () => {
    await callJson("POST", "/v1/documents", { body: { documents: DOCS } });
    const res = await call("POST", "/v1/query", {
      body: { query: "Is KV eventually consistent?", stream: true },
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    expect(text).toContain("event: sources");
    expect(text).toContain("event: delta");
    expect(text.trim().split("\n\n").at(-1)).toMatch(/^event: done/);
  });
});

describe("GET /health and /v1/stats", () => {
  it("/health reports liveness, version and provider mode, and no index", async () => {
    const { status, body } = await callJson<Record<string, unknown>>("GET", "/health");
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok", provider: "local" });
    expect(body).not.toHaveProperty("index");
  });

  it("/health calls neither INDEX nor LIMITER: it answers with both bindings refusing", async () => {
    const worker = withoutObjects(["INDEX", "LIMITER"]);
    const res = await worker.call("GET", "/health");
    expect(res.status).toBe(200);
    expect(worker.used).toEqual([]);
    expect(JSON.parse(res.text)).toMatchObject({ status: "ok" });
  });

  it("/v1/stats (admin) reports the index's documents, chunks and version", async () => {
    await callJson("POST", "/v1/documents", { body: { documents: DOCS } });
    const { status, body } = await callJson<{ index: Record<string, number> }>("GET", "/v1/stats", {
      headers: admin,
    });
    expect(status).toBe(200);
    expect(body.index).toMatchObject({ documents: 2 });
    expect(body.index.version).toBeGreaterThan(0);
    expect(body.index.chunks).toBeGreaterThanOrEqual(2);
  });

  it("counts requests in the global stats after the flush", async () => {
    await call("GET", "/health");
    await call("GET", "/health");
    // Flushes run in waitUntil; poll briefly for them to land.
    let count = 0;
    for (let i = 0; i < 50 && count < 2; i++) {
      const { body } = await callJson<{
        counters: Record<string, Array<{ labels: Record<string, string>; value: number }>>;
      }>("GET", "/v1/stats", { headers: admin });
      count =
        body.counters.ragway_requests_total?.find(
          (s) => s.labels.route === "/health" && s.labels.status === "200",
        )?.value ?? 0;
      if (count < 2) await new Promise((r) => setTimeout(r, 20));
    }
    expect(count).toBeGreaterThanOrEqual(2);
  });
});
