// Semantic hits on (SEMANTIC_CACHE=true, threshold 0.95) with the local hashing embedder: a
// reworded question inside the same bucket is served the cached answer with its similarity;
// unrelated questions, other buckets and other index versions are not.
import { describe, expect, it } from "vitest";
import { admin, callSettled } from "../helpers.js";

interface QueryBody {
  answer: string;
  cache: string;
  from_cache: boolean;
  semantic_match: { similarity: number; matched_query?: string } | null;
  sources: Array<{ text: string }>;
}

const query = (q: string, extra: Record<string, unknown> = {}) =>
  callSettled<QueryBody>("POST", "/v1/query", { body: { query: q, ...extra } });

const ingest = (documents: unknown[]) =>
  callSettled("POST", "/v1/documents", { body: { documents } });

describe("semantic cache hits (on)", () => {
  it("serves a rewording of a cached question, with the similarity", async () => {
    await ingest([
      { id: "sem-1", text: "Consecutive chunks overlap by about fifty tokens of whole sentences." },
    ]);
    const original = await query("How big is the overlap between consecutive chunks?");
    expect(original.body.cache).toBe("MISS");
    // Different words around the same content words: a different exact key, a near-equal vector.
    const reworded = await query("how big is the overlap between the consecutive chunks");
    expect(reworded.headers.get("x-cache")).toBe("HIT-SEMANTIC");
    expect(reworded.body.from_cache).toBe(true);
    expect(reworded.body.answer).toBe(original.body.answer);
    expect(reworded.body.semantic_match?.similarity).toBeGreaterThanOrEqual(0.95);
    // The cached question may be another caller's: it is never returned.
    expect(reworded.body.semantic_match).toEqual({
      similarity: reworded.body.semantic_match?.similarity,
    });
    expect(JSON.stringify(reworded.body)).not.toContain("between consecutive chunks?");
    expect(original.body.semantic_match).toBeNull();
  });

  it("does not serve a question below the threshold", async () => {
    await query("How does retrieval fuse dense and lexical rankings?");
    const other = await query("How does retrieval pick the embedding model?");
    expect(other.body.cache).toBe("MISS");
  });

  it("does not cross buckets: another k or filter is computed afresh", async () => {
    await query("Which tokens are repeated at the start of the next chunk?");
    const otherK = await query("which tokens are repeated at the start of next chunk", { k: 2 });
    expect(otherK.body.cache).toBe("MISS");
  });

  it("does not outlive a document write", async () => {
    await ingest([{ id: "sem-2", text: "The semantic canary colour is teal." }]);
    await query("What is the semantic canary colour?");
    expect((await query("what is the semantic canary colour")).body.cache).toBe("HIT-SEMANTIC");
    await ingest([{ id: "sem-2", text: "The semantic canary colour is crimson." }]);
    const after = await query("what's the semantic canary colour");
    expect(after.body.cache).toBe("MISS");
    expect(after.body.sources[0]?.text).toContain("crimson");
  });

  it("counts semantic hits in /v1/stats", async () => {
    const { body } = await callSettled<{
      cache: { answer: { hits: { semantic: number }; hit_rate: { semantic: number } } };
    }>("GET", "/v1/stats", { headers: admin });
    expect(body.cache.answer.hits.semantic).toBeGreaterThanOrEqual(2);
    expect(body.cache.answer.hit_rate.semantic).toBeGreaterThan(0);
  });
});
