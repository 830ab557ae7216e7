// The LIMITER calls of a request path, counted on the binding: a brand-new key's first query and
// first chat completion each make one call before their response (admission and reservation
// together, the key's grants coming back with it), and settle after the response has been handed
// over, never before.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index.js";
import { countingLimiter } from "./counting-limiter.js";
import { bearer, createKey, usage } from "./limits-helpers.js";

interface Usage {
  usage: { total_tokens: number };
}

/**
 * Sends one request as `key` with LIMITER calls recorded: those made by the time the response is
 * handed back, and all of them once everything the request scheduled has run.
 */
async function tracedCall(key: string, path: string, body: unknown) {
  const counting = countingLimiter();
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://ragway.test${path}`, {
      method: "POST",
      headers: { ...bearer(key), "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    counting.env,
    ctx,
  );
  const beforeResponse = [...counting.calls];
  const json = await res.json<Usage>();
  await waitOnExecutionContext(ctx);
  return { res, json, beforeResponse, all: counting.calls };
}

// Under 60 rpm a lease holds no spare admits: each request's settlement is reported on its own.
const newKey = async (name: string) => (await createKey({ name, rpm: 10 })).key;

describe("a brand-new key's first requests", () => {
  it("/v1/query: one LIMITER call before the response, the settlement after it", async () => {
    const key = await newKey("first-query");
    const first = await tracedCall(key, "/v1/query", {
      query: "What does a first-seen key's first query cost in round trips?",
      use_cache: false,
    });
    expect(first.res.status).toBe(200);
    expect(first.beforeResponse).toEqual(["acquire"]);
    expect(first.all).toEqual(["acquire", "report"]);
    const after = await usage(key);
    expect(after.requests.used).toBe(1);
    // What the query used (its answer and its question's embedding) is settled, nothing held.
    expect(after.tokens.used_today).toBeGreaterThanOrEqual(first.json.usage.total_tokens);
    expect(after.tokens.used_today).toBeGreaterThan(0);
    expect(after.budget.daily.reserved_usd).toBe(0);
  });

  it("/v1/chat/completions: one LIMITER call before the response, the settlement after it", async () => {
    const key = await newKey("first-chat");
    const messages = [{ role: "user", content: "How many round trips does this chat make?" }];
    const first = await tracedCall(key, "/v1/chat/completions", { model: "auto", messages });
    expect(first.res.status).toBe(200);
    expect(first.beforeResponse).toEqual(["acquire"]);
    expect(first.all).toEqual(["acquire", "report"]);
    const after = await usage(key);
    expect(after.requests.used).toBe(1);
    expect(after.tokens.used_today).toBe(first.json.usage.total_tokens);
    expect(after.budget.daily.reserved_usd).toBe(0);

    // Known to this isolate now: the next completion makes one call too.
    const again = [{ role: "user", content: "And the second one?" }];
    const second = await tracedCall(key, "/v1/chat/completions", {
      model: "auto",
      messages: again,
    });
    expect(second.res.status).toBe(200);
    expect(second.beforeResponse).toEqual(["acquire"]);
  });
});
