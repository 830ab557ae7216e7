// Hostile clients: 10,000 requests with adversarial headers (the Authorization shapes that made
// regexes quadratic, oversized and malformed values, forged and legacy-shaped keys, hostile
// Cache-Control and X-Request-Id) and broken bodies, across the routes. None may produce a 5xx,
// and every refusal is in the error shape with a request id.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { generateApiKey } from "../../shared/security/api-key.js";
import { mapConcurrent } from "../../shared/util/map-concurrent.js";
import worker from "../../workers/index.js";
import { seeded } from "../support/seeded-random.js";

// Metrics off: with the pool's METRICS_FLUSH_MS=0 every request would also flush to the METRICS
// object, and this file is about what hostile input does to the request path.
const quiet = { ...env, METRICS_ENABLED: "false" };

async function call(
  method: string,
  path: string,
  options: { headers: Record<string, string>; rawBody?: string },
): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://ragway.test${path}`, {
      method,
      headers: options.headers,
      ...(options.rawBody !== undefined ? { body: options.rawBody } : {}),
    }),
    quiet,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

const REQUESTS = 10_000;

type Pick = <T>(list: readonly T[]) => T;

function hostileAuthorization(pick: Pick, rand: () => number): string | null {
  const n = Math.floor(rand() * 40_000);
  const forged = generateApiKey().key;
  return pick([
    null,
    `Bearer a${" ".repeat(n)}b`,
    `Bearer ${"a".repeat(n)}`,
    `${" ".repeat(n)}Bearer x`,
    `Bearer ${" \t".repeat(n >> 1)}x`,
    "Bearer",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    `Bearer ${forged.slice(0, -1)}${forged.endsWith("a") ? "b" : "a"}`,
    `Bearer rgw_${"0".repeat(24)}_${"A".repeat(43)}`,
    `Bearer rgw_${"f".repeat(24)}_${"z".repeat(49)}`,
    "Bearer rgw_",
    `Bearer ${"%".repeat(50)}`,
    "Bearer unused-locally",
    `Token ${"x".repeat(n)}`,
  ]);
}

function hostileHeaders(pick: Pick, rand: () => number): Record<string, string> {
  const headers: Record<string, string> = {};
  const authorization = hostileAuthorization(pick, rand);
  if (authorization !== null) headers.authorization = authorization;
  if (rand() < 0.3) {
    headers["cache-control"] = pick([
      `a${" ".repeat(30_000)}b`,
      `max-age${" ".repeat(30_000)}=${" ".repeat(30_000)}0`,
      ",".repeat(10_000),
      "no-store, no-cache, max-age=0",
    ]);
  }
  if (rand() < 0.2) headers["x-request-id"] = pick(["x".repeat(5_000), "a b c", "ok-id"]);
  if (rand() < 0.2) headers["content-type"] = pick(["text/plain", "application/json; x", ""]);
  if (rand() < 0.2) headers["cf-connecting-ip"] = pick(["203.0.113.9", "::1", "x".repeat(500)]);
  return headers;
}

const ROUTES: ReadonlyArray<readonly [string, string]> = [
  ["POST", "/v1/query"],
  ["POST", "/v1/chat/completions"],
  ["POST", "/v1/embeddings"],
  ["POST", "/v1/documents"],
  ["GET", "/v1/usage"],
  ["GET", "/admin/keys"],
  ["POST", "/admin/keys"],
  ["GET", "/metrics"],
  ["GET", "/v1/models"],
];

describe("10,000 hostile requests", () => {
  it("never produce a 5xx, and every refusal is in the error shape", async () => {
    const rand = seeded(13_3);
    const pick: Pick = (list) => list[Math.floor(rand() * list.length)] as (typeof list)[number];
    const cases = Array.from({ length: REQUESTS }, () => {
      const [method, path] = pick(ROUTES);
      const body = pick<string | undefined>([
        undefined,
        "{",
        "[]",
        '{"query": ""}',
        '{"query": "what is ragway?", "k": -1}',
        '{"messages": "no"}',
        `{"input": "${"x".repeat(1000)}"}`,
      ]);
      return { method, path, body, headers: hostileHeaders(pick, rand) };
    });
    const statuses = new Map<number, number>();
    const fiveHundreds: string[] = [];
    await mapConcurrent(cases, 16, async (c) => {
      const res = await call(c.method, c.path, {
        headers: { "content-type": "application/json", ...c.headers },
        ...(c.method === "POST" && c.body !== undefined ? { rawBody: c.body } : {}),
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) fiveHundreds.push(`${c.method} ${c.path} -> ${res.status}`);
      if (res.status >= 400) {
        const body = await res.json<{ error?: { code?: string }; request_id?: string }>();
        expect(body.error?.code).toEqual(expect.any(String));
        expect(body.request_id).toEqual(expect.any(String));
      } else {
        await res.body?.cancel();
      }
    });
    expect(fiveHundreds).toEqual([]);
    // The run exercised refusals and successes alike.
    expect(statuses.get(401)).toBeGreaterThan(REQUESTS / 10);
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
  }, 300_000);
});
