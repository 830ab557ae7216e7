// Tokens per minute: reservations taken from a token bucket before embedding or generating,
// refused with a truthful Retry-After when the bucket is short, refunded when over-reserved.
import { describe, expect, it } from "vitest";
import { call, callSettled } from "./helpers.js";
import { SCOPES } from "../../shared/tenancy/grants.js";
import { bearer, createKey, query, usage } from "./limits-helpers.js";

/** Keys here ingest, which takes the documents:write scope granted explicitly. */
const WRITER = [...SCOPES];

interface IngestBody {
  documents: Array<{ id: string; status: string }>;
  usage: { embedding_tokens: number };
}

interface ErrorBody {
  error: { code: string; message: string };
}

// About 250 tokens: big enough that refill during a test is small beside one request. Each text
// is unique (the embedding cache would make a repeated one free) and about as long as the others.
const text = (id: string) =>
  `Record ${id}. ` +
  Array.from(
    { length: 25 },
    (_, i) => `Paragraph sentence ${i} explains how the gateway meters tokens per minute.`,
  ).join(" ");

function ingest(key: string | null, id: string, n: number) {
  return call("POST", "/v1/documents", {
    body: { documents: [{ id, text: text(id), metadata: { n } }] },
    ...(key ? { headers: bearer(key) } : {}),
  });
}

describe("tokens per minute", () => {
  it("admits until the bucket is empty, refuses with a truthful Retry-After, admits after refill", async () => {
    // What one ingestion of TEXT costs: its chunks' counted tokens.
    const probe = await ingest(null, "tpm-probe", 0);
    const perCall = (await probe.json<IngestBody>()).usage.embedding_tokens;
    expect(perCall).toBeGreaterThan(150);

    const tpm = Math.floor(perCall * 10.5);
    const { key } = await createKey({ name: "tpm", tpm, rpm: 1_000, scopes: WRITER });
    let admitted = 0;
    let refused: Response | null = null;
    for (let i = 1; i <= 20 && !refused; i++) {
      const res = await ingest(key, `tpm-doc-${i}`, i);
      if (res.status === 200) admitted++;
      else refused = res;
    }
    expect(admitted).toBe(10);
    if (!refused) throw new Error("never refused");
    expect(refused.status).toBe(429);
    expect((await refused.json<ErrorBody>()).error.code).toBe("rate_limit_exceeded");
    const remaining = Number(refused.headers.get("x-ratelimit-remaining-tokens"));
    expect(remaining).toBeLessThan(perCall);
    // Truthful: the time until this ingestion's tokens are back at tpm/60 per second. It needs
    // about `perCall` (its id differs from the probe's by a few tokens at most).
    const waitMs = Number(refused.headers.get("retry-after-ms"));
    const msPerToken = 60_000 / tpm;
    const expected = (perCall - remaining) * msPerToken;
    expect(Math.abs(waitMs - expected)).toBeLessThanOrEqual(4 * msPerToken + 5);
    expect(Number(refused.headers.get("retry-after"))).toBe(Math.ceil(waitMs / 1000));
    // The refused document was neither embedded nor stored.
    expect((await call("GET", "/v1/documents/tpm-doc-11", { headers: bearer(key) })).status).toBe(
      404,
    );

    // Asking again at once is still refused; after the wait it is admitted.
    expect((await ingest(key, "tpm-doc-again", 99)).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, waitMs + 50));
    expect((await ingest(key, "tpm-doc-after", 100)).status).toBe(200);
  }, 60_000);

  it("gives back what a query reserved but did not use", async () => {
    // A source to answer from, so the 512-token completion cap is reserved.
    expect((await ingest(null, "refund-source", 0)).status).toBe(200);
    const tpm = 6_000; // 100 tokens a second: little refill during one query
    const { key } = await createKey({ name: "refund", tpm, scopes: WRITER });
    const started = Date.now();
    // Settled before usage is read: a key this isolate has not seen is admitted before its
    // namespace is read, and its answer's reservation is then settled after the response.
    const res = await callSettled<{
      usage: { total_tokens: number; completion_tokens: number };
      sources: unknown[];
    }>("POST", "/v1/query", { body: { query: "hi", use_cache: false }, headers: bearer(key) });
    expect(res.status).toBe(200);
    const { total_tokens, completion_tokens } = res.body.usage;
    expect(res.body.sources.length).toBeGreaterThan(0);
    // The reservation held the 512-token completion cap; the extractive answer used far less.
    expect(completion_tokens).toBeLessThan(400);
    const after = await usage(key);
    const refill = ((Date.now() - started) * tpm) / 60_000;
    // Only what was used (plus the query's 1-token embedding) is gone from the bucket.
    expect(after.tokens.used_today).toBeGreaterThanOrEqual(total_tokens);
    expect(after.tokens.used_today).toBeLessThanOrEqual(total_tokens + 2);
    expect(after.tokens.remaining).toBeGreaterThanOrEqual(tpm - after.tokens.used_today - 1);
    expect(after.tokens.remaining).toBeLessThanOrEqual(tpm - after.tokens.used_today + refill + 1);
  });

  it("refuses every spending route the same way: a query cannot spend what ingestion took", async () => {
    const probe = await ingest(null, "tpm-probe-2", 0);
    const perCall = (await probe.json<IngestBody>()).usage.embedding_tokens;
    // A query with at most 200 context tokens reserves 100..200 of them, its few question tokens
    // and the 512-token completion cap: it fits the bucket when full, not what ingestion left.
    const tpm = perCall + 550;
    const ask = (key: string) =>
      query(key, "what does the gateway meter?", { max_context_tokens: 200, use_cache: false });
    const { key } = await createKey({ name: "shared-bucket", tpm, rpm: 1_000, scopes: WRITER });
    expect((await ingest(key, "shared-1", 1)).status).toBe(200);
    const res = await ask(key);
    expect(res.status).toBe(429);
    expect((await res.json<ErrorBody>()).error.code).toBe("rate_limit_exceeded");
    // The same query on a full bucket of the same size is admitted.
    const fresh = await createKey({ name: "shared-bucket-fresh", tpm, rpm: 1_000, scopes: WRITER });
    expect((await ask(fresh.key)).status).toBe(200);
  });
});
