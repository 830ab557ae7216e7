// The answer and embedding caches through the real Worker (local provider): each tier, back-fill,
// bypass, no-store and max-age, invalidation on document writes, single flight, corrupt entries, purge
// and the stats. Every call waits for its waitUntil work, so tiers and counters are settled.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { edgeRequestFor } from "../../workers/cache/edge-store.js";
import { admin, callSettled } from "./helpers.js";

interface QueryBody {
  answer: string;
  sources: Array<{ id: string; text: string }>;
  model: string;
  from_cache: boolean;
  cache: string;
  coalesced: boolean;
  cache_saved: { total_tokens: number; cost_usd: number } | null;
  usage: { total_tokens: number; cost_usd: number };
  index_version: number;
}

const DOCS = [
  {
    id: "cache-kv",
    title: "KV",
    text: "Workers KV is eventually consistent. Writes can take up to 60 seconds to be visible everywhere.",
  },
  {
    id: "cache-do",
    title: "Durable Objects",
    text: "A Durable Object is a single-threaded actor with strongly consistent SQLite storage.",
  },
];

const query = (
  q: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) => callSettled<QueryBody>("POST", "/v1/query", { body: { query: q, ...extra }, headers });

const purge = (body: Record<string, unknown> = {}) =>
  callSettled<Record<string, unknown>>("POST", "/admin/cache/purge", { body, headers: admin });

const ingest = (documents: unknown[]) =>
  callSettled<{ documents: Array<{ id: string; status: string; chunks: number }> }>(
    "POST",
    "/v1/documents",
    { body: { documents } },
  );

async function kvKeys(prefix: string): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await env.CACHE.list({ prefix, ...(cursor ? { cursor } : {}) });
    names.push(...page.keys.map((k) => k.name));
    if (page.list_complete) return names;
    cursor = page.cursor;
  }
}

beforeAll(async () => {
  expect((await ingest(DOCS)).status).toBe(200);
});

describe("answer cache: hits, tiers and back-fill", () => {
  it("answers the same query twice identically, the second time from memory", async () => {
    const first = await query("How long until a KV write is visible everywhere?");
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).toBe("MISS");
    expect(first.body).toMatchObject({ from_cache: false, cache: "MISS", cache_saved: null });
    const second = await query("how long until a KV write is   visible everywhere?");
    expect(second.headers.get("x-cache")).toBe("HIT-MEMORY");
    expect(second.body).toMatchObject({ from_cache: true, cache: "HIT-MEMORY", coalesced: false });
    expect(second.body.answer).toBe(first.body.answer);
    expect(second.body.sources).toEqual(first.body.sources);
    expect(second.body.model).toBe(first.body.model);
    // Nothing was spent on the hit; what the original cost is reported as saved.
    expect(second.body.usage.total_tokens).toBe(0);
    expect(second.body.cache_saved?.total_tokens).toBeGreaterThanOrEqual(
      first.body.usage.total_tokens,
    );
  });

  it("serves from the edge, then KV, as the tiers above are purged, back-filling them", async () => {
    const q = "Which storage is strongly consistent?";
    expect((await query(q)).body.cache).toBe("MISS");
    await purge({ tiers: ["memory"] });
    expect((await query(q)).body.cache).toBe("HIT-EDGE");
    expect((await query(q)).body.cache).toBe("HIT-MEMORY"); // back-filled from the edge
    await purge({ tiers: ["memory", "edge"] });
    const fromKv = await query(q);
    expect(fromKv.body.cache).toBe("HIT-KV");
    expect(fromKv.headers.get("x-cache")).toBe("HIT-KV");
    expect((await query(q)).body.cache).toBe("HIT-MEMORY"); // back-filled from KV
    await purge({ tiers: ["memory"] });
    expect((await query(q)).body.cache).toBe("HIT-EDGE"); // ...and the edge too
  });

  it("streams a cached answer, with its cache status", async () => {
    const q = "Is KV eventually consistent?";
    await query(q);
    const streamed = await query(q, { stream: true });
    expect(streamed.headers.get("x-cache")).toBe("HIT-MEMORY");
    expect(streamed.text).toContain("event: delta");
    expect(streamed.text).toContain('"from_cache":true');
  });

  it("keeps answers with different k, filter or model apart", async () => {
    const q = "What is a Durable Object?";
    await query(q);
    expect((await query(q, { k: 2 })).body.cache).toBe("MISS");
    expect((await query(q, { filter: { team: "x" } })).body.cache).toBe("MISS");
    expect((await query(q, { max_context_tokens: 50 })).body.cache).toBe("MISS");
    expect((await query(q)).body.cache).toBe("HIT-MEMORY");
  });

  it("does not serve a paraphrase when semantic hits are off", async () => {
    await query("How long can KV writes take to show up?");
    expect((await query("How long can the KV writes take to show up")).body.cache).toBe("MISS");
  });
});

describe("answer cache: per-request controls", () => {
  it("use_cache: false skips the lookup but stores the fresh answer", async () => {
    const q = "What kind of actor is a Durable Object?";
    expect((await query(q)).body.cache).toBe("MISS");
    const bypass = await query(q, { use_cache: false });
    expect(bypass.headers.get("x-cache")).toBe("BYPASS");
    expect(bypass.body.from_cache).toBe(false);
    const fresh = "Is SQLite storage in a Durable Object strongly consistent?";
    expect((await query(fresh, { use_cache: false })).body.cache).toBe("BYPASS");
    expect((await query(fresh)).body.cache).toBe("HIT-MEMORY");
  });

  it("Cache-Control: no-cache skips the lookup but stores", async () => {
    const q = "How many seconds can KV propagation take?";
    const r = await query(q, {}, { "cache-control": "no-cache" });
    expect(r.body.cache).toBe("BYPASS");
    expect((await query(q)).body.cache).toBe("HIT-MEMORY");
  });

  it("Cache-Control: no-store neither reads nor writes any tier", async () => {
    const q = "Where do writes to KV become visible first?";
    const before = await kvKeys("ans:");
    expect((await query(q, {}, { "cache-control": "no-store" })).body.cache).toBe("BYPASS");
    expect(await kvKeys("ans:")).toEqual(before);
    expect((await query(q)).body.cache).toBe("MISS");
  });

  it("Cache-Control: max-age serves an answer up to that age, and recomputes an older one", async () => {
    const q = "How long can a KV write take to be visible everywhere?";
    const miss = await query(q);
    expect(miss.body.cache).toBe("MISS");
    expect(miss.headers.get("age")).toBeNull();
    const hit = await query(q, {}, { "cache-control": "max-age=60" });
    expect(hit.body.cache).toBe("HIT-MEMORY");
    // Whole seconds since the answer was computed (RFC 9111's Age): moments ago.
    expect(hit.headers.get("age")).toMatch(/^[01]$/);
    // Over a second later the entry is too old for max-age=1 in every tier: computed afresh.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(Number((await query(q)).headers.get("age"))).toBeGreaterThanOrEqual(1);
    const fresh = await query(q, {}, { "cache-control": "max-age=1" });
    expect(fresh.body.cache).toBe("MISS");
    expect(fresh.body.from_cache).toBe(false);
    expect(fresh.headers.get("age")).toBeNull();
    const refreshed = await query(q);
    expect(refreshed.body.cache).toBe("HIT-MEMORY");
    expect(refreshed.headers.get("age")).toMatch(/^[01]$/);
  });
});

describe("answer cache: never stale", () => {
  for (const tier of ["memory", "edge", "kv"] as const) {
    it(`never serves an answer from before a document update, even from ${tier}`, async () => {
      const id = `policy-${tier}`;
      const marker = `${tier}-policy`;
      await ingest([{ id, text: `The ${marker} retention period is 30 days.` }]);
      const q = `What is the ${marker} retention period?`;
      const first = await query(q);
      expect(first.body.sources[0]?.text).toContain("30 days");
      const upper = { memory: [], edge: ["memory"], kv: ["memory", "edge"] }[tier];
      if (upper.length > 0) await purge({ tiers: upper });
      // The old answer is there, in exactly this tier...
      expect((await query(q)).body.cache).toBe(`HIT-${tier.toUpperCase()}`);
      if (upper.length > 0) await purge({ tiers: upper });
      await ingest([{ id, text: `The ${marker} retention period is 90 days.` }]);
      // ...and after the write it is not served.
      const after = await query(q);
      expect(after.body.cache).toBe("MISS");
      expect(after.body.index_version).toBeGreaterThan(first.body.index_version);
      expect(after.body.sources[0]?.text).toContain("90 days");
      expect(JSON.stringify(after.body.sources)).not.toContain("30 days");
    });
  }

  it("stops serving an answer that cited a document once the document is deleted", async () => {
    await ingest([{ id: "ephemeral", text: "The ephemeral codeword is tangerine-falcon." }]);
    const q = "What is the ephemeral codeword?";
    expect((await query(q)).body.sources[0]?.id).toBe("ephemeral");
    expect((await query(q)).body.cache).toBe("HIT-MEMORY");
    expect((await callSettled("DELETE", "/v1/documents/ephemeral")).status).toBe(200);
    const after = await query(q);
    expect(after.body.cache).toBe("MISS");
    expect(after.body.sources.map((s) => s.id)).not.toContain("ephemeral");
  });
});

describe("answer cache: single flight", () => {
  it("computes 20 concurrent identical new queries once", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => query("What does single-threaded mean for an actor?")),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.cache === "MISS")).toHaveLength(1);
    // Exactly one computation. The rest wait on it (coalesced) or, if the machine delays them
    // past its end, find it in memory: either way a memory hit, never a second miss.
    expect(results.filter((r) => r.body.cache === "HIT-MEMORY")).toHaveLength(19);
    expect(results.filter((r) => r.body.coalesced).length).toBeGreaterThan(0);
    expect(new Set(results.map((r) => r.body.answer)).size).toBe(1);
  });
});

describe("corrupt entries", () => {
  it("treats corrupt edge and KV entries as misses, answers 200 and overwrites them", async () => {
    const q = "Can KV be used for counters?";
    const before = new Set(await kvKeys("ans:"));
    expect((await query(q)).body.cache).toBe("MISS");
    const added = (await kvKeys("ans:")).filter((k) => !before.has(k));
    expect(added).toHaveLength(1);
    const kvKey = added[0] ?? "";
    const state = await env.INDEX.get(env.INDEX.idFromName("main")).cacheState("shared");
    const baseKey = kvKey.replace(/:e\d+$/, "");
    await env.CACHE.put(kvKey, "definitely not an entry");
    await caches.default.put(
      edgeRequestFor("http://ragway.test", `${baseKey}:e${state.epochs.edge}`),
      new Response(new Uint8Array([0x52, 0x47, 0x57, 0x43, 1, 1, 0, 0]), {
        headers: { "cache-control": "max-age=600" },
      }),
    );
    await purge({ tiers: ["memory"] });
    const recovered = await query(q);
    expect(recovered.status).toBe(200);
    expect(recovered.body.cache).toBe("MISS");
    // Both tiers were rewritten with good entries.
    await purge({ tiers: ["memory"] });
    expect((await query(q)).body.cache).toBe("HIT-EDGE");
    await purge({ tiers: ["memory", "edge"] });
    expect((await query(q)).body.cache).toBe("HIT-KV");
  });

  it("treats a corrupt embedding entry as a miss and re-embeds it", async () => {
    const text = "The corrupt-embedding canary sings at dawn.";
    const before = new Set(await kvKeys("emb:"));
    await ingest([{ id: "canary-1", text }]);
    const added = (await kvKeys("emb:")).filter((k) => !before.has(k));
    expect(added).toHaveLength(1);
    const key = added[0] ?? "";
    await env.CACHE.put(key, new Uint8Array([1, 2, 3]));
    await purge({ caches: ["embedding"], tiers: ["memory"] });
    const again = await ingest([{ id: "canary-2", text }]);
    expect(again.status).toBe(200);
    expect(again.body.documents[0]).toMatchObject({ status: "created", chunks: 1 });
    const repaired = await env.CACHE.get(key, "arrayBuffer");
    expect(repaired?.byteLength).toBe(40 + 384 * 4);
  });
});

describe("embedding cache: where a vector is kept", () => {
  const embeddingHits = async (): Promise<Record<string, number>> => {
    const { body } = await callSettled<{
      cache: { embedding: { hits: Record<string, number> } };
    }>("GET", "/v1/stats", { headers: admin });
    return body.cache.embedding.hits;
  };
  const embed = (input: string[]) =>
    callSettled("POST", "/v1/embeddings", { body: { model: "local-hash-embed", input } });

  it("keeps ingested chunks in KV, and a request's own texts in memory only", async () => {
    const before = new Set(await kvKeys("emb:"));
    expect(
      (await ingest([{ id: "tier-canary", text: "The tier canary nests in the rafters." }])).status,
    ).toBe(200);
    const ingested = (await kvKeys("emb:")).filter((k) => !before.has(k));
    expect(ingested).toHaveLength(1);

    // A question's vector and an embeddings call's: new texts, each embedded, none written to KV.
    expect((await query("Where does the tier canary nest before it sings?")).status).toBe(200);
    const texts = ["a text nobody ingested", "and another one"];
    expect((await embed(texts)).status).toBe(200);
    expect((await kvKeys("emb:")).filter((k) => !before.has(k))).toEqual(ingested);

    // They are in this isolate's memory: the same texts again are two memory hits.
    const hits = await embeddingHits();
    expect((await embed(texts)).status).toBe(200);
    const after = await embeddingHits();
    expect((after.memory ?? 0) - (hits.memory ?? 0)).toBe(2);
    expect(after.kv ?? 0).toBe(hits.kv ?? 0);
  });
});

describe("POST /admin/cache/purge", () => {
  it("purging another scope leaves shared answers alone; purging shared does not", async () => {
    const q = "How fast do KV writes propagate?";
    await query(q);
    const other = await purge({ scope: "principal:someone" });
    expect(other.status).toBe(200);
    expect((await query(q)).body.cache).toBe("HIT-MEMORY");
    const shared = await purge({ scope: "shared" });
    expect(shared.body).toMatchObject({ scope: "shared", caches: ["answer"] });
    expect((await query(q)).body.cache).toBe("MISS");
  });

  it("purges everything by default, including KV keys", async () => {
    await query("What is eventually consistent?");
    const res = await purge();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ scope: "all", caches: ["answer", "embedding"] });
    expect(await kvKeys("ans:")).toEqual([]);
    expect(await kvKeys("emb:")).toEqual([]);
    expect((await query("What is eventually consistent?")).body.cache).toBe("MISS");
  });

  it("requires the admin token and validates the body", async () => {
    const anon = await callSettled("POST", "/admin/cache/purge", { body: {} });
    expect(anon.status).toBe(401);
    for (const body of [
      { scope: "tenant:x" },
      { tiers: ["disk"] },
      { scope: "shared", caches: ["embedding"] },
      { extra: true },
    ]) {
      const res = await callSettled<{ error: { code: string } }>("POST", "/admin/cache/purge", {
        body,
        headers: admin,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
  });
});

describe("GET /v1/stats cache section", () => {
  it("reports hits per tier, misses, bypasses, coalesced, corrupt entries and saved tokens", async () => {
    const { body } = await callSettled<{
      cache: {
        answer: {
          hits: Record<string, number>;
          misses: number;
          bypasses: number;
          coalesced: number;
          hit_rate: Record<string, number>;
          saved: { tokens: number };
        };
        embedding: { hits: Record<string, number>; misses: number };
        corrupt: number;
      };
    }>("GET", "/v1/stats", { headers: admin });
    const { answer } = body.cache;
    expect(answer.hits.memory).toBeGreaterThan(0);
    expect(answer.hits.edge).toBeGreaterThan(0);
    expect(answer.hits.kv).toBeGreaterThan(0);
    expect(answer.misses).toBeGreaterThan(0);
    expect(answer.bypasses).toBeGreaterThanOrEqual(3);
    expect(answer.coalesced).toBeGreaterThan(0);
    expect(answer.coalesced).toBeLessThanOrEqual(19);
    expect(answer.hit_rate.total).toBeGreaterThan(0);
    expect(answer.hit_rate.total).toBeLessThan(1);
    expect(answer.saved.tokens).toBeGreaterThan(0);
    expect(body.cache.embedding.hits.memory).toBeGreaterThan(0);
    expect(body.cache.embedding.misses).toBeGreaterThan(0);
    expect(body.cache.corrupt).toBeGreaterThanOrEqual(3);
  });
});
