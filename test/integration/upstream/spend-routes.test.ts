// Every route that spends goes through the same reservation as /v1/query: chat completions
// (streamed or not), embeddings and batches are held to the caller's budget and request window,
// against the real mock upstream reporting its usage. No route around a limit.
import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call, callSettled } from "../helpers.js";
import { bearer, callWithVars, createKey, usage } from "../limits-helpers.js";
import { upstream } from "./upstream-control.js";

interface ErrorBody {
  error: { code: string; message: string };
}

// gpt-4o-mini at $0.15 / $0.60 per 1M tokens: 20,000 + 1,000 reported tokens cost $0.0036.
const EXPENSIVE = { usage: { prompt_tokens: 20_000, completion_tokens: 1_000 } };
const EXPENSIVE_USD = 0.0036;

function chat(key: string, content: string, extra: Record<string, unknown> = {}) {
  return call("POST", "/v1/chat/completions", {
    body: {
      model: "gpt-4o-mini",
      max_tokens: 50,
      messages: [{ role: "user", content }],
      ...extra,
    },
    headers: bearer(key),
  });
}

beforeAll(async () => {
  await upstream(env).reset();
  const res = await call("POST", "/v1/documents", {
    body: { documents: [{ id: "spend-doc", text: "Every spending route reserves first." }] },
  });
  expect(res.status).toBe(200);
});

beforeEach(async () => {
  await upstream(env).reset();
});

describe("spending routes share the caller's budget", () => {
  it("charges a chat completion its reported usage, then refuses chat once the budget is spent", async () => {
    await upstream(env).faults(EXPENSIVE);
    const { key } = await createKey({ name: "chat-budget", daily_budget_usd: 0.001 });
    const first = await chat(key, "What does a reservation hold?");
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit")).toBe("60");
    const spent = (await usage(key)).budget.daily;
    expect(spent.spent_usd).toBeCloseTo(EXPENSIVE_USD, 12);
    expect(spent.reserved_usd).toBe(0);

    const before = await upstream(env).counts();
    const refused = await chat(key, "And what does a settle do?");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await refused.json<ErrorBody>()).error.code).toBe("insufficient_quota");
    expect((await upstream(env).counts()).chat).toBe(before.chat);
  });

  it("settles a streamed completion with its usage once the stream ends", async () => {
    await upstream(env).faults(EXPENSIVE);
    const { key } = await createKey({ name: "stream-budget", daily_budget_usd: 1 });
    const res = await callSettled("POST", "/v1/chat/completions", {
      body: {
        model: "gpt-4o-mini",
        max_tokens: 50,
        stream: true,
        messages: [{ role: "user", content: "Stream me an answer." }],
      },
      headers: bearer(key),
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain("data: [DONE]");
    const after = await usage(key);
    expect(after.budget.daily.spent_usd).toBeCloseTo(EXPENSIVE_USD, 12);
    expect(after.budget.daily.reserved_usd).toBe(0);
    expect(after.tokens.used_today).toBe(21_000);
  });

  it("charges /v1/embeddings what the provider billed, and a cached input nothing", async () => {
    const { key } = await createKey({ name: "embed-budget", daily_budget_usd: 1 });
    const input = ["Embeddings are reserved.", "And settled with the billed tokens."];
    const first = await call("POST", "/v1/embeddings", {
      body: { model: "text-embedding-3-small", input },
      headers: bearer(key),
    });
    expect(first.status).toBe(200);
    const once = await usage(key);
    expect(once.tokens.used_today).toBeGreaterThan(0);
    // text-embedding-3-small at $0.02 per 1M tokens.
    expect(once.budget.daily.spent_usd).toBeCloseTo((once.tokens.used_today * 0.02) / 1e6, 12);

    const again = await call("POST", "/v1/embeddings", {
      body: { model: "text-embedding-3-small", input },
      headers: bearer(key),
    });
    expect(again.status).toBe(200);
    const twice = await usage(key);
    expect(twice.budget.daily.spent_usd).toBe(once.budget.daily.spent_usd);
    expect(twice.tokens.used_today).toBe(once.tokens.used_today);
  });

  it("refuses a whole batch with 429 and Retry-After when the budget is spent", async () => {
    await upstream(env).faults(EXPENSIVE);
    const { key } = await createKey({ name: "batch-budget", daily_budget_usd: 0.001 });
    expect((await chat(key, "Spend the budget.")).status).toBe(200);
    const before = await upstream(env).counts();
    const res = await call("POST", "/v1/query/batch", {
      body: {
        queries: [
          { query: "What is reserved?", model: "gpt-4o-mini", use_cache: false },
          { query: "What is settled?", model: "gpt-4o-mini", use_cache: false },
        ],
      },
      headers: bearer(key),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await res.json<ErrorBody>()).error.code).toBe("insufficient_quota");
    const after = await upstream(env).counts();
    expect(after.chat).toBe(before.chat);
    expect(after.embeddings).toBe(before.embeddings);
  });
});

describe("spending routes share the caller's request window", () => {
  it("counts query, chat, embeddings, batch and models against one rpm", async () => {
    const { key } = await createKey({ name: "one-window", rpm: 5 });
    const statuses = [
      (await call("POST", "/v1/query", { body: { query: "window?" }, headers: bearer(key) }))
        .status,
      (await chat(key, "window?")).status,
      (
        await call("POST", "/v1/embeddings", {
          body: { model: "text-embedding-3-small", input: "window?" },
          headers: bearer(key),
        })
      ).status,
      (
        await call("POST", "/v1/query/batch", {
          body: { queries: [{ query: "window?" }] },
          headers: bearer(key),
        })
      ).status,
      (await call("GET", "/v1/models", { headers: bearer(key) })).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const limited = await chat(key, "one too many");
    expect(limited.status).toBe(429);
    expect((await limited.json<ErrorBody>()).error.code).toBe("rate_limit_exceeded");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect((await usage(key)).requests.used).toBe(5);
  });
});

describe("a fallback stays within the caller's budget", () => {
  // gpt-4o-mini fails; the configured fallback gpt-4o costs about 17x as much per call: its hold
  // (prompt + 512-token cap at $2.50 / $10 per 1M) does not fit a $0.002 budget, the first does.
  const vars = { FALLBACK_MODELS: "gpt-4o" };

  /** A query for gpt-4o-mini, failing upstream, by a new key with `daily_budget_usd`. */
  async function askWithFailingFirstModel(name: string, dailyBudgetUsd: number) {
    await upstream(env).faults({ failModels: ["gpt-4o-mini"], errorStatus: 500 });
    const { key } = await createKey({ name, daily_budget_usd: dailyBudgetUsd });
    const res = await callWithVars(vars, "POST", "/v1/query", {
      body: { query: "What does a reservation hold?", model: "gpt-4o-mini", use_cache: false },
      headers: bearer(key),
    });
    return { key, res };
  }

  it("skips a fallback the budget cannot cover: the query is answered extractively, nothing spent on it", async () => {
    const { key, res } = await askWithFailingFirstModel("fallback-budget", 0.002);
    expect(res.status).toBe(200);
    const body = await res.json<{
      model: string;
      degraded: boolean;
      attempts: Array<{ model: string; ok: boolean; reason?: string }>;
    }>();
    expect(body).toMatchObject({ model: "local-extractive", degraded: true });
    expect(body.attempts).toContainEqual({ model: "gpt-4o", ok: false, reason: "budget" });
    const counts = await upstream(env).counts();
    expect(counts.byModel["gpt-4o"] ?? 0).toBe(0);
    expect(counts.byModel["gpt-4o-mini"]).toBeGreaterThan(0);
    const after = await usage(key);
    // Only the question's embedding was billed; nothing is left held.
    expect(after.budget.daily.spent_usd).toBeLessThan(0.00001);
    expect(after.budget.daily.reserved_usd).toBe(0);
  });

  it("calls the costlier fallback when the budget covers it, and bills what it reported", async () => {
    const { key, res } = await askWithFailingFirstModel("fallback-covered", 1);
    expect(res.status).toBe(200);
    const body = await res.json<{
      model: string;
      degraded: boolean;
      usage: { cost_usd: number };
    }>();
    expect(body).toMatchObject({ model: "gpt-4o", degraded: true });
    const after = await usage(key);
    expect(after.budget.daily.spent_usd).toBeGreaterThanOrEqual(body.usage.cost_usd);
    expect(after.budget.daily.spent_usd).toBeLessThan(body.usage.cost_usd + 0.00001);
    expect(after.budget.daily.reserved_usd).toBe(0);
  });
});
