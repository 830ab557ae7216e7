// /metrics and the request log on `wrangler dev`: promtool accepts the real scrape, and the
// process's whole output never contains a token, key or the query text.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promtool, runPromtool } from "../support/promtool.js";
import { parseSamples, series } from "../support/prometheus-text.js";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.js";

const ADMIN_TOKEN = "e2e-admin-token-5f0c2a9d";
const METRICS_TOKEN = "e2e-metrics-token-8b1e77c3d4";
const CALLER_KEY = "rk_live_e2e_caller_9a8b7c6d5e4f";
const QUESTION = "What does the secret phrase cobalt-walrus mean for rate limits?";

let dev: WranglerDev;

beforeAll(async () => {
  dev = await startWranglerDev({
    vars: { ADMIN_TOKEN, METRICS_TOKEN, LOG_QUERIES: "false" },
    logLevel: "log",
  });
});

afterAll(async () => {
  await dev?.stop();
});

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${dev.url}${path}`, init);
  await res.arrayBuffer();
  return res;
}

describe("observability on wrangler dev", () => {
  it("serves /metrics that promtool accepts, with the traffic it saw", async () => {
    const json = { "content-type": "application/json" };
    expect(
      (
        await send("/v1/query", {
          method: "POST",
          headers: json,
          body: JSON.stringify({ query: QUESTION }),
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await send("/v1/query", {
          method: "POST",
          headers: { ...json, authorization: `Bearer ${CALLER_KEY}` },
          body: JSON.stringify({ query: QUESTION }),
        })
      ).status,
    ).toBeLessThan(500);
    expect((await send("/v1/documents/not-there")).status).toBe(404);
    expect(
      (await send("/v1/stats", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status,
    ).toBe(200);
    const res = await fetch(`${dev.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await res.text();
    const samples = parseSamples(text);
    expect(
      samples.get(series("ragway_requests_total", { route: "/v1/documents/:id+", status: "404" })),
    ).toBe(1);
    expect(samples.get("ragway_index_documents")).toBeGreaterThan(0);
    if (promtool) {
      const check = runPromtool(["check", "metrics"], text);
      expect(check.output).toBe("");
      expect(check.code).toBe(0);
    }
  });

  it("logs one JSON line per request and never a token, key or query text", async () => {
    // Give wrangler a moment to print the last lines.
    await new Promise((r) => setTimeout(r, 500));
    const output = dev.output();
    const records = output
      .split("\n")
      .map((l) => l.slice(l.indexOf("{")))
      .filter((l) => l.startsWith('{"level"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.event === "request");
    expect(records.length).toBeGreaterThanOrEqual(5);
    for (const r of records) {
      expect(r.request_id).toMatch(/^req_/);
      expect(typeof r.route).toBe("string");
      expect(typeof r.status).toBe("number");
      expect(typeof r.latency_ms).toBe("number");
      expect(r).toHaveProperty("principal_id");
    }
    for (const secret of [ADMIN_TOKEN, METRICS_TOKEN, CALLER_KEY, "cobalt-walrus"]) {
      expect(output).not.toContain(secret);
    }
  });
});
