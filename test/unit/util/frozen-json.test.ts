import { describe, expect, it } from "vitest";
import { encodeJsonEntry, memoizedJsonDecoder } from "../../../shared/cache/entry-codec.js";
import type { QueryAnswer } from "../../../shared/rag/answer-query.js";
import { parseQueryAnswer } from "../../../shared/rag/answer-schema.js";
import { deepFreeze, stringifyJson } from "../../../shared/util/frozen-json.js";

const answer: QueryAnswer = {
  answer: 'ragway caches answers in three tiers. [1] "Quoted" \u2028 and ünïcode.',
  sources: [
    {
      id: "doc-1",
      chunk_id: "doc-1#0",
      title: "Caching",
      source: "docs/caching.md",
      score: 0.8123456789,
      text: "The memory tier lives in the isolate.\nEdge and KV follow.",
    },
    { id: "d2", chunk_id: "d2#3", title: "", source: "s", score: -0, text: "\\ back" },
  ],
  model: "local-extractive",
  degraded: false,
  usage: { prompt_tokens: 86, completion_tokens: 20, total_tokens: 106, cost_usd: 0.00012 },
  attempts: [{ model: "local-extractive", ok: true }],
  timings: { retrieval_ms: 7, generation_ms: 12 },
  index_version: 3,
  context_tokens: 80,
};

/** A /v1/query cache hit's body as the route builds it (workers/routes/query.ts). */
function hitPayload(cached: QueryAnswer, requestId: string, totalMs: number) {
  const served = {
    ...cached,
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0 },
    attempts: [],
    timings: { retrieval_ms: 0, generation_ms: 0 },
  };
  return {
    ...served,
    from_cache: true,
    cache: "HIT-MEMORY",
    coalesced: false,
    cache_saved: { total_tokens: 106, cost_usd: 0.00012 },
    semantic_match: null,
    timings: { total_ms: totalMs, ...served.timings },
    request_id: requestId,
  };
}

describe("stringifyJson", () => {
  it("serialises a cache hit's response exactly as JSON.stringify does, first time and after", () => {
    const decode = memoizedJsonDecoder(parseQueryAnswer);
    const bytes = encodeJsonEntry(answer, { tokens: 106, usd: 0.00012, createdAt: 1 });
    for (let i = 0; i < 3; i++) {
      const decoded = decode(bytes);
      if (!decoded.ok) throw new Error("the entry did not decode");
      const payload = hitPayload(decoded.value, `req_${i}`, i * 7);
      expect(stringifyJson(payload)).toBe(JSON.stringify(payload));
    }
  });

  it("matches JSON.stringify on what it leaves out and on values that are not plain objects", () => {
    const shared = deepFreeze({ list: [1, { a: "x" }], when: null });
    const odd = {
      gone: undefined,
      fn: () => 1,
      kept: shared,
      again: shared,
      3: "integer-like keys first",
      nested: { inner: shared, skip: undefined },
      toJsonInside: { toJSON: () => "custom" },
    };
    expect(stringifyJson(odd)).toBe(JSON.stringify(odd));
    for (const v of [null, 1, "s", [shared, 2], { toJSON: () => ({ b: 1 }) }, undefined]) {
      expect(stringifyJson(v)).toBe(JSON.stringify(v));
    }
  });

  it("freezes all the way down, so a value whose text was kept cannot change", () => {
    const value = deepFreeze({ sources: [{ text: "a" }] });
    expect(stringifyJson({ value })).toBe('{"value":{"sources":[{"text":"a"}]}}');
    expect(() => {
      (value.sources as { text: string }[]).push({ text: "b" });
    }).toThrow(TypeError);
    expect(() => {
      (value.sources[0] as { text: string }).text = "b";
    }).toThrow(TypeError);
    expect(stringifyJson({ value })).toBe('{"value":{"sources":[{"text":"a"}]}}');
  });
});
