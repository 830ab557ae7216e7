// USD budgets with a real (mock) OpenAI-compatible upstream that reports its usage: spend is
// reserved before each call and settled with the reported usage, so it stops at the budget.
import { abortAllDurableObjects } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call } from "../helpers.js";
import { bearer, createKey, query, usage } from "../limits-helpers.js";
import { upstream } from "./upstream-control.js";

interface ErrorBody {
  error: { code: string; type: string; message: string };
}

// A question long enough that the counted prompt exceeds the 50 tokens the mock reports below.
const QUESTION =
  "Which settings control the per-key request rate, the token rate and the daily and monthly " +
  "spending budgets of this gateway, and where are they documented?";

function secondsToUtcMidnight(): number {
  const midnight = new Date();
  midnight.setUTCHours(24, 0, 0, 0);
  return (midnight.getTime() - Date.now()) / 1000;
}

describe("daily budget against an upstream that reports its usage", () => {
  beforeAll(async () => {
    await upstream(env).reset(); // the file before this one may have left faults set
    // Something to retrieve: with no source, no model would be called at all.
    const res = await call("POST", "/v1/documents", {
      body: {
        documents: [
          {
            id: "limits-doc",
            text: "Each key has a request rate, a token rate and daily and monthly budgets.",
          },
        ],
      },
    });
    expect(res.status).toBe(200);
  });

  beforeEach(async () => {
    await upstream(env).reset();
  });

  it("stops at the budget when a call costs far more than reserved: that call is the last", async () => {
    // gpt-4o-mini at $0.15 / $0.60 per 1M tokens: 20,000 + 1,000 tokens cost $0.0036.
    await upstream(env).faults({ usage: { prompt_tokens: 20_000, completion_tokens: 1_000 } });
    const { key } = await createKey({ name: "tiny-budget", daily_budget_usd: 0.001 });
    // The isolate learns the key's grants first, so the query's admission is its reservation and
    // its spend reaches the object with the next call (see the concurrent test below).
    expect((await usage(key)).budget.daily.spent_usd).toBe(0);
    const first = await query(key, QUESTION, { model: "gpt-4o-mini", use_cache: false });
    expect(first.status).toBe(200);
    // The reported usage, plus the question's own embedding at $0.02 per 1M tokens.
    const spent = (await usage(key)).budget.daily.spent_usd;
    expect(spent).toBeGreaterThan(0.0036);
    expect(spent).toBeLessThan(0.0036 + 100 * 0.02e-6);

    const countsBefore = await upstream(env).counts();
    for (let i = 0; i < 3; i++) {
      const refused = await query(key, QUESTION, { model: "gpt-4o-mini", use_cache: false });
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(Math.abs(retryAfter - secondsToUtcMidnight())).toBeLessThan(5);
      const body = await refused.json<ErrorBody>();
      expect(body.error.code).toBe("insufficient_quota");
      expect(body.error.message).toMatch(/daily budget of \$0\.001 is spent/);
    }
    // Refused at the door: not even the query embedding went upstream.
    const countsAfter = await upstream(env).counts();
    expect(countsAfter.chat).toBe(countsBefore.chat);
    expect(countsAfter.embeddings).toBe(countsBefore.embeddings);
    const after = await usage(key);
    expect(after.budget.daily.spent_usd).toBe(spent);
    // The first refusal came from the object: the window had admitted that request, so it
    // counts. Further ones within a second are refused from the isolate's memo, which counts
    // nothing (past a second, by the object again, which counts them).
    expect(after.requests.used).toBeGreaterThanOrEqual(2);
    expect(after.requests.used).toBeLessThanOrEqual(4);
  });

  it("does not let concurrent requests overspend: reservations hold the budget", async () => {
    // Each call reports 50 + 512 tokens ($0.0003147): never more than its reservation (the
    // counted prompt plus the 512-token cap), so the budget of $0.001 fits at most 3 calls.
    await upstream(env).faults({ usage: { prompt_tokens: 50, completion_tokens: 512 } });
    const { key } = await createKey({ name: "concurrent-budget", daily_budget_usd: 0.001 });
    // The isolate learns the key's grants first, so each query's admission is its reservation
    // (a key never seen is admitted before its namespace is read, and settles after responding).
    expect((await usage(key)).budget.daily.reserved_usd).toBe(0);
    const responses = await Promise.all(
      Array.from({ length: 12 }, () =>
        query(key, QUESTION, { model: "gpt-4o-mini", use_cache: false }),
      ),
    );
    const ok = responses.filter((r) => r.status === 200).length;
    const refused = responses.filter((r) => r.status === 429);
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(ok).toBeLessThanOrEqual(3);
    expect(refused).toHaveLength(12 - ok);
    for (const res of refused) {
      expect((await res.json<ErrorBody>()).error.code).toBe("insufficient_quota");
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    expect((await upstream(env).counts()).chat).toBe(ok);
    // Requests refused while others held the budget may leave room for one more once those
    // settle: spend one at a time until the budget refuses. Never more than 3 calls in all.
    let more = 0;
    let last = await query(key, QUESTION, { model: "gpt-4o-mini", use_cache: false });
    while (last.status === 200 && more < 3) {
      more++;
      last = await query(key, QUESTION, { model: "gpt-4o-mini", use_cache: false });
    }
    expect(last.status).toBe(429);
    expect((await last.json<ErrorBody>()).error.code).toBe("insufficient_quota");
    expect(ok + more).toBeLessThanOrEqual(3);
    const after = await usage(key);
    expect(after.budget.daily.spent_usd).toBeLessThanOrEqual(0.001);
    expect(after.budget.daily.reserved_usd).toBe(0);
    expect((await upstream(env).counts()).chat).toBe(ok + more);
  });

  it("keeps spend and the refusal across the object being evicted", async () => {
    await upstream(env).faults({ usage: { prompt_tokens: 20_000, completion_tokens: 1_000 } });
    const { key } = await createKey({ name: "evicted-budget", daily_budget_usd: 0.001 });
    // The isolate learns the key's grants first, so the query's spend reaches the object with
    // the next call (as in the first test).
    await usage(key);
    expect((await query(key, QUESTION, { model: "gpt-4o-mini", use_cache: false })).status).toBe(
      200,
    );
    const before = await usage(key);
    await abortAllDurableObjects();
    const after = await usage(key);
    expect(after.budget).toEqual(before.budget);
    const refused = await query(key, QUESTION, { model: "gpt-4o-mini", use_cache: false });
    expect(refused.status).toBe(429);
    expect((await refused.json<ErrorBody>()).error.code).toBe("insufficient_quota");
  });

  it("charges ingestion's embeddings to the budget too", async () => {
    const { key } = await createKey({
      name: "ingest-budget",
      daily_budget_usd: 1,
      scopes: ["query", "documents:write"],
    });
    const res = await call("POST", "/v1/documents", {
      body: { documents: [{ id: "budget-doc", text: "Budgets are reserved before embedding." }] },
      headers: bearer(key),
    });
    expect(res.status).toBe(200);
    const tokens = (await res.json<{ usage: { embedding_tokens: number } }>()).usage
      .embedding_tokens;
    const after = await usage(key);
    // text-embedding-3-small at $0.02 per 1M tokens.
    expect(after.budget.daily.spent_usd).toBeCloseTo((tokens * 0.02) / 1e6, 12);
    expect(after.tokens.used_today).toBe(tokens);
  });
});
