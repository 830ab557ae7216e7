// Retry, Retry-After, breaker and fallback against the real mock upstream, through the Worker.
// Backoff here is milliseconds (RETRY_BASE_MS=2) and the deadline 4 s (see vitest.config.ts).
import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call, callJson } from "../helpers.js";
import { upstream } from "./upstream-control.js";

interface Attempt {
  model: string;
  ok: boolean;
  reason?: string;
  status?: number;
}
interface QueryBody {
  answer: string;
  model: string;
  degraded: boolean;
  attempts: Attempt[];
}
interface ErrorBody {
  error: { message: string; type: string; code: string; param: string | null; attempts: Attempt[] };
  request_id: string;
}

// The answer cache is bypassed: every request here must reach the upstream.
const query = (q: string, model = "gpt-4o-mini") =>
  callJson<QueryBody>("POST", "/v1/query", { body: { query: q, model, use_cache: false } });

beforeAll(async () => {
  await upstream(env).reset();
  const res = await callJson("POST", "/v1/documents", {
    body: {
      documents: [
        { id: "res-1", text: "Ragway retries transient upstream failures with full jitter." },
        { id: "res-2", text: "A circuit breaker skips a model that keeps failing." },
      ],
    },
  });
  expect(res.status).toBe(200);
});

beforeEach(async () => {
  await upstream(env).reset();
});

describe("resilience against a flaky upstream", () => {
  it("answers 200 queries with 40% of upstream calls failing (500/429): all 200, no 5xx, retries suffice", async () => {
    await upstream(env).faults({ errorRate: 0.4, errorStatus: [500, 429], seed: 7 });
    const results: Array<{ status: number; body: QueryBody }> = [];
    for (let batch = 0; batch < 20; batch++) {
      results.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, (_, i) => query(`What does ragway retry? (${batch}-${i})`)),
        )),
      );
    }
    expect(results).toHaveLength(200);
    expect(results.every((r) => r.status === 200)).toBe(true);
    let retried = 0;
    for (const { body } of results) {
      const first = body.attempts.filter((a) => a.model === "gpt-4o-mini");
      if (!body.degraded) {
        // Non-degraded means the first choice answered, possibly after retries.
        expect(body.model).toBe("gpt-4o-mini");
        expect(first.at(-1)).toEqual({ model: "gpt-4o-mini", ok: true });
        if (first.length > 1) retried++;
      } else {
        // Degraded only when retries could not help: the first model used up all its attempts.
        expect(first).toHaveLength(3);
        expect(first.every((a) => !a.ok && (a.status === 500 || a.status === 429))).toBe(true);
      }
    }
    expect(retried).toBeGreaterThan(20);
    expect(results.filter((r) => !r.body.degraded).length).toBeGreaterThan(180);
    const counts = await upstream(env).counts();
    expect(counts.errors).toBeGreaterThan(50);
  });

  it("waits out Retry-After: 1 once instead of hammering, then answers from the same model", async () => {
    await upstream(env).faults({
      failFirst: 1,
      errorStatus: 429,
      retryAfter: "1",
      failModels: ["gpt-4o-mini"],
    });
    const { status, body } = await query("How does ragway retry?");
    expect(status).toBe(200);
    expect(body).toMatchObject({ model: "gpt-4o-mini", degraded: false });
    expect(body.attempts).toEqual([
      { model: "gpt-4o-mini", ok: false, reason: "rate_limited", status: 429 },
      { model: "gpt-4o-mini", ok: true },
    ]);
    expect((await upstream(env).counts()).byModel["gpt-4o-mini"]).toBe(2);
  });

  it("moves to the next model at once when Retry-After reaches past the deadline", async () => {
    await upstream(env).faults({
      errorStatus: 429,
      retryAfter: "120",
      failModels: ["gpt-4o-mini"],
    });
    const { status, body } = await query("How does ragway retry?");
    expect(status).toBe(200);
    expect(body.degraded).toBe(true);
    expect(body.model).not.toBe("gpt-4o-mini");
    expect(body.attempts[0]).toEqual({
      model: "gpt-4o-mini",
      ok: false,
      reason: "rate_limited",
      status: 429,
    });
    expect((await upstream(env).counts()).byModel["gpt-4o-mini"]).toBe(1);
  });

  it("falls back to the next model when the first always fails, then stops calling it once the breaker opens", async () => {
    await upstream(env).faults({ errorStatus: 500, failModels: ["flaky-model"] });
    // BREAKER_FAILURE_THRESHOLD is 5: five failed calls (three tries each) open it.
    for (let i = 0; i < 5; i++) {
      const { status, body } = await query(`What does the breaker do? ${i}`, "flaky-model");
      expect(status).toBe(200);
      expect(body.degraded).toBe(true);
      expect(body.model).not.toBe("flaky-model");
      expect(body.attempts.filter((a) => a.model === "flaky-model")).toHaveLength(3);
    }
    const calledBefore = (await upstream(env).counts()).byModel["flaky-model"];
    expect(calledBefore).toBe(15);
    for (let i = 0; i < 3; i++) {
      const { status, body } = await query(`And now? ${i}`, "flaky-model");
      expect(status).toBe(200);
      expect(body.degraded).toBe(true);
      expect(body.attempts[0]).toEqual({ model: "flaky-model", ok: false, reason: "circuit_open" });
    }
    expect((await upstream(env).counts()).byModel["flaky-model"]).toBe(calledBefore);
  });

  it("still answers /v1/query extractively (degraded) when every model fails", async () => {
    await upstream(env).faults({ errorStatus: 503, failModels: chatModels() });
    const { status, body } = await query("What skips a failing model?");
    expect(status).toBe(200);
    expect(body).toMatchObject({ model: "local-extractive", degraded: true });
    expect(body.attempts.at(-1)).toEqual({ model: "local-extractive", ok: true });
    expect(body.answer).toMatch(/\[\d\]/);
  });

  it("answers /v1/chat/completions with 503 in the error shape, attempts listed, when every model fails", async () => {
    await upstream(env).faults({ errorStatus: 502, failModels: chatModels() });
    const res = await call("POST", "/v1/chat/completions", {
      body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    const body = await res.json<ErrorBody>();
    expect(body.error).toMatchObject({
      type: "api_error",
      code: "upstream_unavailable",
      param: null,
    });
    expect(body.error.attempts[0]).toEqual({
      model: "gpt-4o-mini",
      ok: false,
      reason: "server_error",
      status: 502,
    });
    expect(body.error.attempts.every((a) => !a.ok)).toBe(true);
    expect(body.request_id).toBe(res.headers.get("x-request-id"));
  });

  it("cuts a hung upstream at the deadline and closes its connection, for chat and embeddings alike", async () => {
    // Longer than the 4 s deadline and the 5 s OPENAI_TIMEOUT_MS: only the attempt's signal ends it.
    await upstream(env).faults({ hangMs: 20_000 });
    const started = Date.now();
    const [chat, embeddings] = await Promise.all([
      callJson<ErrorBody>("POST", "/v1/chat/completions", {
        body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] },
      }),
      callJson<ErrorBody>("POST", "/v1/embeddings", {
        body: { model: "text-embedding-3-small", input: "hello" },
      }),
    ]);
    expect(Date.now() - started).toBeLessThan(8_000);
    for (const res of [chat, embeddings]) {
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.body.error.type).toBe("api_error");
    }
    expect(chat.body.error.attempts[0]).toMatchObject({ model: "gpt-4o-mini", reason: "timeout" });
    // Each call's connection was closed by ragway, not left hanging until the upstream answered.
    const counts = await upstream(env).counts();
    expect(counts.abandoned).toBe(counts.chat + counts.embeddings);
    expect(counts.abandoned).toBeGreaterThanOrEqual(2);
  });

  it("does not retry or fall back when the upstream rejects the request (400)", async () => {
    await upstream(env).faults({ errorStatus: 400 });
    const res = await callJson<ErrorBody>("POST", "/v1/chat/completions", {
      body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect((await upstream(env).counts()).chat).toBe(1);
  });
});

/** Every chat model of the upstream suites' catalog (vitest.config.ts). */
function chatModels(): string[] {
  return [
    "gpt-4.1-nano",
    "gpt-4o-mini",
    "gpt-4.1-mini",
    "gpt-4o",
    "gpt-4.1",
    "flaky-model",
    "narrow-model",
  ];
}
