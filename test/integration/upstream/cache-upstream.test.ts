// The caches against the real mock upstream, whose counters prove which calls were (not) made:
// repeat queries, single flight, ingestion that embeds only new texts, invalidation, and
// degraded answers that must not be cached.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { admin, callSettled } from "../helpers.js";
import { upstream } from "./upstream-control.js";

interface QueryBody {
  answer: string;
  sources: Array<{ id: string; text: string }>;
  model: string;
  degraded: boolean;
  from_cache: boolean;
  cache: string;
  usage: { total_tokens: number; cost_usd: number };
  cache_saved: { total_tokens: number; cost_usd: number } | null;
}

const query = (
  q: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) =>
  callSettled<QueryBody>("POST", "/v1/query", {
    body: { query: q, model: "gpt-4o-mini", ...extra },
    headers,
  });

const ingest = (documents: unknown[]) =>
  callSettled<{
    documents: Array<{ id: string; status: string }>;
    usage: { embedding_tokens: number };
  }>("POST", "/v1/documents", { body: { documents } });

describe("caches against the mock upstream", () => {
  beforeEach(async () => {
    await upstream(env).reset();
  });

  it("answers a repeated query from the cache without any upstream call", async () => {
    await ingest([
      { id: "c-up-1", text: "The gateway caches answers at the edge for repeat questions." },
    ]);
    await upstream(env).reset();
    const first = await query("Where does the gateway cache answers?");
    expect(first.body.cache).toBe("MISS");
    const afterFirst = await upstream(env).counts();
    expect(afterFirst).toMatchObject({ chat: 1, embeddings: 1 });
    const second = await query("Where does the gateway cache answers?");
    expect(second.headers.get("x-cache")).toMatch(/^HIT-/);
    expect(second.body.from_cache).toBe(true);
    expect(second.body.answer).toBe(first.body.answer);
    expect(second.body.sources).toEqual(first.body.sources);
    expect(await upstream(env).counts()).toEqual(afterFirst);
    // The hit saved what the miss cost: the generation plus the question's embedding.
    expect(first.body.usage.cost_usd).toBeGreaterThan(0);
    expect(second.body.cache_saved?.cost_usd).toBeGreaterThan(first.body.usage.cost_usd);
    expect(second.body.usage.cost_usd).toBe(0);
  });

  it("makes exactly one generation call for 20 concurrent identical new queries", async () => {
    await upstream(env).faults({ latencyMs: 300 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        query("What happens to twenty identical questions at once?"),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const counts = await upstream(env).counts();
    expect(counts.chat).toBe(1);
    expect(counts.embeddings).toBe(1);
    expect(new Set(results.map((r) => r.body.answer)).size).toBe(1);
  });

  it("embeds only the 20 new texts of a 50-text batch whose other 30 were embedded before", async () => {
    const text = (i: number): string =>
      `Batch fact number ${i}: the value of item ${i} is ${i * 7}.`;
    const first = await ingest(
      Array.from({ length: 30 }, (_, i) => ({ id: `batch-a-${i}`, text: text(i) })),
    );
    expect(first.status).toBe(200);
    await upstream(env).reset();
    const second = await ingest(
      Array.from({ length: 50 }, (_, i) => ({ id: `batch-b-${i}`, text: text(i) })),
    );
    expect(second.status).toBe(200);
    expect(second.body.documents.every((d) => d.status === "created")).toBe(true);
    const counts = await upstream(env).counts();
    expect(counts.embeddings).toBe(1);
    expect(counts.embeddingInputs).toBe(20);
    const sent = (await upstream(env).requests()).find((r) => r.path === "/v1/embeddings");
    const inputs = (sent?.body as { input: string[] }).input;
    // Each embedded text is the document's title (here its first line) over the chunk.
    expect(inputs).toHaveLength(20);
    inputs.forEach((input, i) => expect(input).toContain(text(30 + i)));
  });

  it("reuses the cached question embedding when no-cache forces a fresh answer", async () => {
    await query("Does no-cache re-embed the question?");
    await upstream(env).reset();
    const fresh = await query(
      "Does no-cache re-embed the question?",
      {},
      { "cache-control": "no-cache" },
    );
    expect(fresh.body.cache).toBe("BYPASS");
    expect(await upstream(env).counts()).toMatchObject({ chat: 1, embeddings: 0 });
  });

  it("serves the updated text after a document changes, never the stale answer", async () => {
    await ingest([{ id: "c-up-price", text: "The premium plan costs 40 dollars per month." }]);
    const q = "How much does the premium plan cost?";
    const before = await query(q, { retrieval: "lexical" });
    // The mock's embeddings are random, so rank by words alone: the document is then the top hit.
    expect(before.body.sources[0]?.text).toContain("40 dollars");
    expect((await query(q, { retrieval: "lexical" })).body.cache).toMatch(/^HIT-/);
    await ingest([{ id: "c-up-price", text: "The premium plan costs 55 dollars per month." }]);
    await upstream(env).reset();
    const after = await query(q, { retrieval: "lexical" });
    expect(after.body.cache).toBe("MISS");
    expect(after.body.sources[0]?.text).toContain("55 dollars");
    expect(JSON.stringify(after.body.sources)).not.toContain("40 dollars");
    expect(after.body.answer).not.toBe(before.body.answer);
    expect((await upstream(env).counts()).chat).toBe(1);
  });

  it("does not cache a degraded answer from an upstream outage", async () => {
    await upstream(env).faults({ errorStatus: 400, failModels: ["gpt-4o-mini"] });
    const outage = await query("Is a degraded answer ever cached?");
    expect(outage.body.degraded).toBe(true);
    await upstream(env).reset();
    const recovered = await query("Is a degraded answer ever cached?");
    expect(recovered.body.cache).toBe("MISS");
    expect(recovered.body.degraded).toBe(false);
    expect(recovered.body.model).toBe("gpt-4o-mini");
  });

  it("counts USD saved by hits in /v1/stats", async () => {
    const { body } = await callSettled<{ cache: { saved: { usd: number; tokens: number } } }>(
      "GET",
      "/v1/stats",
      { headers: admin },
    );
    expect(body.cache.saved.usd).toBeGreaterThan(0);
    expect(body.cache.saved.tokens).toBeGreaterThan(0);
  });
});
