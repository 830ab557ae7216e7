// The request log: one JSON line per request with the documented fields, and never a secret,
// key or Authorization value; query text only with LOG_QUERIES=true.
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index.js";
import { captureConsole } from "./console-lines.js";
import { ADMIN_TOKEN, METRICS_TOKEN, admin, call, scraper } from "./helpers.js";

const consoleLines = captureConsole();
const requestRecords = () => consoleLines.records("request");

const QUESTION = "Which colour is the lighthouse marker zebra-quartz?";
const CALLER_KEY = "rk_live_caller_key_0123456789abcdef";

describe("request logs", () => {
  it("write one line per request with id, route, status, principal, model, cache, tokens, cost and latency", async () => {
    const res = await call("POST", "/v1/query", { body: { query: QUESTION } });
    expect(res.status).toBe(200);
    await consoleLines.requestLineOf(res);
    const records = requestRecords();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      level: "info",
      event: "request",
      request_id: res.headers.get("x-request-id"),
      method: "POST",
      route: "/v1/query",
      status: 200,
      // Keyless in development: the anonymous principal of the client's (hashed) IP.
      principal_id: expect.stringMatching(/^anon_[0-9a-f]{24}$/) as string,
      model: "local-extractive",
      cache: "MISS",
      cost_usd: 0,
      degraded: false,
      attempts: [{ model: "local-extractive", ok: true }],
    });
    expect(typeof records[0]?.retrieval_ms).toBe("number");
    expect(records[0]?.tokens).toBeGreaterThan(0);
    expect(typeof records[0]?.latency_ms).toBe("number");
  });

  it("never contain the admin token, the metrics token, a caller's key or an Authorization value", async () => {
    const responses = [
      await call("GET", "/v1/stats", { headers: admin }),
      await call("GET", "/metrics", { headers: scraper }),
      await call("GET", "/v1/stats", { headers: { authorization: `Bearer ${CALLER_KEY}` } }),
      await call("POST", "/v1/query", {
        body: { query: QUESTION },
        headers: { authorization: `Bearer ${CALLER_KEY}` },
      }),
      await call("GET", "/v1/stats", {
        headers: { authorization: `Basic ${btoa("u:p4ssw0rd!!")}` },
      }),
      await call("GET", "/health", { headers: { authorization: "Bearer" } }),
    ];
    for (const res of responses) await consoleLines.requestLineOf(res);
    const all = consoleLines.all().join("\n");
    for (const secret of [ADMIN_TOKEN, METRICS_TOKEN, CALLER_KEY, btoa("u:p4ssw0rd!!")]) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toMatch(/authorization/i);
    // Query text is personal data: not logged by default.
    expect(all).not.toContain("zebra-quartz");
  });

  it("include the query text only when LOG_QUERIES=true", async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("http://ragway.test/v1/query", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: QUESTION }),
      }),
      { ...env, LOG_QUERIES: "true" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    const records = requestRecords();
    expect(records).toHaveLength(1);
    expect(records[0]?.query).toBe(QUESTION);
  });
});

describe("a batch's log line", () => {
  it("keeps the tokens an item spent when a later item is a cache hit", async () => {
    const cached = "Which lantern colour marks the zebra-quartz harbour?";
    const first = await call("POST", "/v1/query", { body: { query: cached } });
    expect(first.status).toBe(200);
    await consoleLines.requestLineOf(first);
    consoleLines.clear();
    const request = new Request("http://ragway.test/v1/query/batch", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        queries: [
          { query: "A question nobody asked before about zebra-quartz?" },
          { query: cached },
        ],
      }),
    });
    const ctx = createExecutionContext();
    // One item at a time: the hit runs after the item that spent.
    const res = await worker.fetch(
      request as Parameters<typeof worker.fetch>[0],
      { ...env, BATCH_CONCURRENCY: "1" },
      ctx,
    );
    const body = await res.json<{
      results: Array<{ response: { usage: { total_tokens: number }; from_cache: boolean } }>;
    }>();
    await waitOnExecutionContext(ctx);
    const [spent, hit] = body.results;
    expect(hit?.response.from_cache).toBe(true);
    const spentTokens = spent?.response.usage.total_tokens ?? 0;
    expect(spentTokens).toBeGreaterThan(0);
    const record = requestRecords().find((r) => r.route === "/v1/query/batch");
    expect(record?.tokens).toBe(spentTokens);
  });

  it("sums the items' own totals when a cached and an uncached item run at the same time", async () => {
    const cached = "Which buoy colour marks the zebra-quartz channel?";
    const first = await call("POST", "/v1/query", { body: { query: cached } });
    expect(first.status).toBe(200);
    await consoleLines.requestLineOf(first);
    consoleLines.clear();
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("http://ragway.test/v1/query/batch", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          queries: [{ query: cached }, { query: "Another new question about zebra-quartz?" }],
        }),
      }),
      env,
      ctx,
    );
    const body = await res.json<{
      results: Array<{
        response: { usage: { total_tokens: number; cost_usd: number }; from_cache: boolean };
      }>;
    }>();
    await waitOnExecutionContext(ctx);
    const [hit, spent] = body.results;
    expect(hit?.response.from_cache).toBe(true);
    expect(spent?.response.from_cache).toBe(false);
    const record = requestRecords().find((r) => r.route === "/v1/query/batch");
    expect(record).toMatchObject({
      tokens: spent?.response.usage.total_tokens,
      cost_usd: spent?.response.usage.cost_usd,
      batch_size: 2,
      batch_failed: 0,
      batch_cached: 1,
    });
    expect(record?.tokens).toBeGreaterThan(0);
    // No item's own status stands for the whole batch.
    expect(record?.cache).toBeUndefined();
  });
});
