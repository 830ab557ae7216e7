// Requests per minute through one LIMITER object per key: exact under concurrency, headers on
// every limited response, the isolate memo, refused requests consuming nothing, and state that
// survives the object being evicted.
import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_MEMO_MS } from "../../workers/limits/limiter-client.js";
import { call, callJson, callSettled } from "./helpers.js";
import { bearer, createKey, query, usage } from "./limits-helpers.js";

interface ErrorBody {
  error: { code: string; message: string };
}

async function hammer(key: string, n: number): Promise<Response[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => query(key, `question number ${i}?`)));
}

async function expectRefusedForRequests(res: Response, rpm: number): Promise<void> {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(res.headers.get("x-ratelimit-limit")).toBe(String(rpm));
  expect(res.headers.get("x-ratelimit-remaining")).toBe("0");
  expect(res.headers.get("ratelimit")).toMatch(/^"rpm";r=0;t=\d+/);
  const body = await res.json<ErrorBody>();
  expect(body.error.code).toBe("rate_limit_exceeded");
}

describe("requests per minute under concurrency", () => {
  it.each([
    [50, 200],
    [100, 500],
  ])(
    "rpm %i hit by %i concurrent requests: exactly that many succeed, the rest get 429",
    async (rpm, n) => {
      const { key } = await createKey({ name: `burst-${rpm}`, rpm });
      const responses = await hammer(key, n);
      const ok = responses.filter((r) => r.status === 200);
      const limited = responses.filter((r) => r.status === 429);
      expect(ok).toHaveLength(rpm);
      expect(limited).toHaveLength(n - rpm);
      for (const res of limited) await expectRefusedForRequests(res, rpm);
      for (const res of ok) {
        expect(res.headers.get("x-ratelimit-limit")).toBe(String(rpm));
        await res.body?.cancel();
      }
    },
    // 500 requests take 1-3 s here; the margin is for a loaded machine.
    60_000,
  );
});

describe("leases for busy keys", () => {
  it(
    "rpm 300 hit by 500 concurrent requests under leases: never more than 300, none lost",
    async () => {
      const { key } = await createKey({ name: "leased-burst", rpm: 300 });
      const responses = await Promise.all(
        Array.from({ length: 500 }, () => call("GET", "/v1/models", { headers: bearer(key) })),
      );
      const ok = responses.filter((r) => r.status === 200).length;
      const limited = responses.filter((r) => r.status === 429).length;
      await Promise.all(responses.map(async (r) => r.body?.cancel()));
      expect(ok).toBeLessThanOrEqual(300);
      expect(ok).toBeGreaterThan(0);
      expect(ok + limited).toBe(500);
      // Once the leases are handed back (they live at most a second), the window holds exactly
      // the requests that were admitted: unused spare admits came back.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect((await usage(key)).requests.used).toBe(ok);
    },
    // Like the other concurrency tests: 1-3 s here, the margin is for a loaded machine.
    60_000,
  );
});

describe("rate-limit headers", () => {
  it("carry the standing on every response of a limited route, errors included", async () => {
    const { key } = await createKey({ name: "headers", rpm: 5, tpm: 50_000 });
    const first = await query(key);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit")).toBe("5");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("4");
    const reset = Number(first.headers.get("x-ratelimit-reset"));
    expect(reset).toBeGreaterThanOrEqual(59);
    expect(reset).toBeLessThanOrEqual(60);
    expect(first.headers.get("ratelimit-policy")).toBe(
      '"rpm";q=5;w=60, "tpm";q=50000;w=60;qu="tokens"',
    );
    expect(first.headers.get("ratelimit")).toMatch(/^"rpm";r=4;t=(59|60), "tpm";r=\d+;t=\d+$/);
    expect(first.headers.get("x-ratelimit-limit-tokens")).toBe("50000");
    expect(first.headers.get("server-timing")).toMatch(/^limiter;desc="\d+ calls";dur=/);

    // A 400 from the same route still reports the standing (and the request still counted).
    const bad = await call("POST", "/v1/query", { body: { query: "" }, headers: bearer(key) });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("x-ratelimit-remaining")).toBe("3");
    const missing = await call("GET", "/v1/documents/none", { headers: bearer(key) });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-ratelimit-remaining")).toBe("2");
  });

  it("are absent from routes that are not limited", async () => {
    const res = await call("GET", "/health");
    expect(res.headers.get("x-ratelimit-limit")).toBeNull();
    expect(res.headers.get("ratelimit")).toBeNull();
  });
});

describe("the isolate memo of limited callers", () => {
  it("answers a limited caller again without the object, with a truthful, shrinking Retry-After", async () => {
    const { key } = await createKey({ name: "memo", rpm: 2 });
    await hammer(key, 2);
    // The memo lasts at most MAX_MEMO_MS from the object's refusal. A second refusal that came
    // from the object anyway must have come that long after the first by the object's own clock
    // (both Retry-After-Ms count down to the same oldest request): a machine busy with other test
    // files. Then the pair is tried again; a second refusal sooner than that fails the test.
    for (let attempt = 1; ; attempt++) {
      const fromObject = await query(key);
      await expectRefusedForRequests(fromObject, 2);
      expect(fromObject.headers.get("server-timing")).not.toContain("memo");
      const fromMemo = await query(key);
      await expectRefusedForRequests(fromMemo, 2);
      if (!fromMemo.headers.get("server-timing")?.includes('desc="memo"')) {
        const gapMs =
          Number(fromObject.headers.get("retry-after-ms")) -
          Number(fromMemo.headers.get("retry-after-ms"));
        expect(
          gapMs,
          `attempt ${attempt}: the object refused again after ${gapMs} ms`,
        ).toBeGreaterThanOrEqual(MAX_MEMO_MS);
        expect(attempt, "ten pairs in a row too slow for the memo").toBeLessThan(10);
        // The second refusal was memoized in its turn: wait it out before the next pair.
        await new Promise((resolve) => setTimeout(resolve, MAX_MEMO_MS));
        continue;
      }
      expect(Number(fromMemo.headers.get("retry-after"))).toBeLessThanOrEqual(
        Number(fromObject.headers.get("retry-after")),
      );
      break;
    }
    expect((await usage(key)).requests.used).toBe(2);
  });

  it("blocks only the limited caller: another key is admitted", async () => {
    const limited = await createKey({ name: "memo-a", rpm: 1 });
    const other = await createKey({ name: "memo-b", rpm: 1 });
    await query(limited.key);
    expect((await query(limited.key)).status).toBe(429);
    expect((await query(other.key)).status).toBe(200);
  });
});

describe("GET /v1/usage", () => {
  it("reports counts, limits, tokens and USD, and is not itself counted", async () => {
    const { key, id } = await createKey({
      name: "usage",
      rpm: 10,
      tpm: 20_000,
      daily_budget_usd: 1.5,
      monthly_budget_usd: 20,
    });
    const answered = await callJson<{ usage: { total_tokens: number } }>("POST", "/v1/query", {
      body: { query: "hi" },
      headers: bearer(key),
    });
    const body = await usage(key);
    const again = await usage(key);
    expect(body.principal).toEqual({ id, kind: "key" });
    expect(body.requests).toMatchObject({ limit: 10, window_seconds: 60, used: 1, remaining: 9 });
    expect(again.requests.used).toBe(1);
    expect(body.tokens.limit).toBe(20_000);
    expect(body.tokens.used_today).toBeGreaterThanOrEqual(answered.body.usage.total_tokens);
    expect(body.budget.daily).toMatchObject({ limit_usd: 1.5, spent_usd: 0, remaining_usd: 1.5 });
    expect(body.budget.monthly).toMatchObject({ limit_usd: 20, spent_usd: 0 });
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(body.budget.daily.resets_at).toBe(midnight.toISOString());
  });

  it("answers while the caller is limited", async () => {
    const { key } = await createKey({ name: "usage-limited", rpm: 1 });
    await query(key);
    expect((await query(key)).status).toBe(429);
    const res = await call("GET", "/v1/usage", { headers: bearer(key) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ratelimit-remaining")).toBe("0");
  });
});

describe("what counts against the request window", () => {
  it("counts a request the window admitted even when its token reservation is refused (413)", async () => {
    // A source to answer from, so the query reserves its 512-token completion cap.
    const ingest = await call("POST", "/v1/documents", {
      body: { documents: [{ id: "refund-slot-doc", text: "The answer is forty-two." }] },
    });
    expect(ingest.status).toBe(200);
    const { key } = await createKey({ name: "refund-slot", rpm: 3, tpm: 100 });
    const res = await query(key, "what is the answer?", { use_cache: false });
    expect(res.status).toBe(413);
    expect((await res.json<ErrorBody>()).error.code).toBe("request_too_large");
    const after = await usage(key);
    expect(after.requests.used).toBe(1);
    // Only the question's embedding (reserved before it was made) was spent; no generation.
    expect(after.tokens.used_today).toBeLessThanOrEqual(10);
  });

  it("counts a validation error on a spending route", async () => {
    const { key } = await createKey({ name: "counts-400", rpm: 2 });
    const bad = await call("POST", "/v1/chat/completions", {
      body: { model: "auto", messages: [] },
      headers: bearer(key),
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("x-ratelimit-remaining")).toBe("1");
    expect((await usage(key)).requests.used).toBe(1);
  });

  it("counts nothing for a request the window itself refuses", async () => {
    const { key } = await createKey({ name: "window-refusal", rpm: 1 });
    expect((await query(key)).status).toBe(200);
    const refused = await call("POST", "/v1/query", { body: { query: "" }, headers: bearer(key) });
    expect(refused.status).toBe(429);
    expect((await usage(key)).requests.used).toBe(1);
  });
});

describe("the answer cache and the limits", () => {
  it("serves a cache hit without spending tokens, but counts it against rpm", async () => {
    const { key } = await createKey({ name: "cache-hit", rpm: 3 });
    const q = "a question asked twice by the cache-hit key?";
    // A key this isolate has not seen is admitted before its namespace is read, so its answer's
    // reservation is a second call, settled after the response: wait for it.
    const miss = await callSettled("POST", "/v1/query", {
      body: { query: q },
      headers: bearer(key),
    });
    expect(miss.status).toBe(200);
    expect(miss.headers.get("x-cache")).toBe("MISS");
    const spent = (await usage(key)).tokens.used_today;
    expect(spent).toBeGreaterThan(0);
    const hit = await query(key, q);
    expect(hit.status).toBe(200);
    expect(hit.headers.get("x-cache")).toMatch(/^HIT-/);
    expect(hit.headers.get("x-ratelimit-remaining")).toBe("1");
    const after = await usage(key);
    expect(after.tokens.used_today).toBe(spent);
    expect(after.requests.used).toBe(2);
    expect((await query(key, q)).status).toBe(200);
    expect((await query(key, q)).status).toBe(429);
  });

  it("never hands one key's refusal to another key that joined the same computation", async () => {
    // A cannot afford any answer (413); B can. Asked the same new question at the same moment,
    // one of them leads the single flight: B must be answered whichever it is.
    const doc = { id: "flight-doc", text: "Both keys ask about the flight document." };
    expect((await call("POST", "/v1/documents", { body: { documents: [doc] } })).status).toBe(200);
    const a = await createKey({ name: "flight-a", tpm: 50 });
    const b = await createKey({ name: "flight-b" });
    for (let i = 0; i < 8; i++) {
      const q = `a question both keys ask at once, round ${i}?`;
      const [ra, rb] = await Promise.all([query(a.key, q), query(b.key, q)]);
      expect(rb.status).toBe(200);
      // A's question embeddings are reserved and spent before its generation is refused, so
      // its tiny bucket may run dry (429) as well as be too small (413).
      expect([200, 413, 429]).toContain(ra.status);
      await Promise.all([ra.body?.cancel(), rb.body?.cancel()]);
    }
  });
});

describe("state survives the object being evicted", () => {
  it("keeps the request window, token use and key status across a restart", async () => {
    const { key } = await createKey({ name: "evicted", rpm: 3 });
    // The isolate learns the key's grants first, so each query's admission is its reservation
    // and its use reaches the object with the next call (not settled after the response).
    await usage(key);
    for (const res of await hammer(key, 3)) expect(res.status).toBe(200);
    const before = await usage(key);
    await abortAllDurableObjects();
    const refused = await query(key);
    expect(refused.status).toBe(429);
    // Refused by the restarted object itself, not by this isolate's memory of an earlier refusal.
    expect(refused.headers.get("server-timing")).not.toContain("memo");
    const after = await usage(key);
    expect(after.requests.used).toBe(3);
    expect(after.tokens.used_today).toBe(before.tokens.used_today);
  });
});
