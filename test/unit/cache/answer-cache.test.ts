import { describe, expect, it } from "vitest";
import {
  answerWithCache,
  type AnswerCacheDeps,
  type FlightOutcome,
} from "../../../shared/cache/answer-cache.js";
import { answerKey, type AnswerKeyParts } from "../../../shared/cache/answer-key.js";
import type { CacheDirectives } from "../../../shared/cache/directives.js";
import { encodeJsonEntry } from "../../../shared/cache/entry-codec.js";
import { SemanticIndex } from "../../../shared/cache/semantic.js";
import { SingleFlight } from "../../../shared/cache/single-flight.js";
import { TieredCache } from "../../../shared/cache/tiered.js";
import { fakeBackground, fakeBlobStore, fakeClock } from "../../fakes/blob-store.js";
import { recordingMetrics } from "../../fakes/metrics.js";

interface Answer {
  text: string;
  index_version: number;
}

const parts: AnswerKeyParts = {
  query: "How are answers cached?",
  k: 5,
  model: "gpt-4o-mini",
  priority: "cost",
  retrieval: "hybrid",
  embeddingModel: "local-hash-embed",
  indexVersion: 1,
  scope: "shared",
};
const normal: CacheDirectives = { lookup: true, store: true };

/** Vectors for the fake embedder: paraphrases of the base question point almost the same way. */
const VECTORS: Record<string, number[]> = {
  "How are answers cached?": [1, 0, 0],
  "how are the answers cached": [0.99, 0.1, 0],
  "Why is the sky blue?": [0, 0, 1],
};

function world(options: { semantic?: boolean; threshold?: number } = {}) {
  const memory = fakeBlobStore();
  const edge = fakeBlobStore();
  const kv = fakeBlobStore();
  const background = fakeBackground();
  const metrics = recordingMetrics();
  const clock = fakeClock();
  const flight = new SingleFlight<FlightOutcome<Answer>>();
  const index = new SemanticIndex({ maxBytes: 1 << 20, ttlMs: 60_000, clock });
  const tiers = new TieredCache({
    tiers: [
      { name: "memory", store: memory, ttlSeconds: 60 },
      { name: "edge", store: edge, ttlSeconds: 600 },
      { name: "kv", store: kv, ttlSeconds: 6000 },
    ],
    background,
  });
  let computeCalls = 0;
  let embedCalls = 0;
  /** The version the fake search sees; a test can move it mid-flight. */
  const state = { searchVersion: 1, gate: null as Promise<void> | null, degraded: false };
  const deps = (): AnswerCacheDeps<Answer> => ({
    tiers,
    flight,
    semantic: options.semantic
      ? {
          index,
          threshold: options.threshold ?? 0.95,
          embed: async (q) => {
            embedCalls++;
            const v = VECTORS[q];
            return v ? Float32Array.from(v) : null;
          },
        }
      : null,
    compute: async (queryVector) => {
      computeCalls++;
      if (state.gate) await state.gate;
      return {
        answer: { text: `answer #${computeCalls}`, index_version: state.searchVersion },
        cost: { tokens: 100, usd: 0.002 },
        cacheable: !state.degraded,
        queryVector: queryVector ?? Float32Array.from([1, 0, 0]),
      };
    },
    versionOf: (a) => a.index_version,
    parse: (v) => {
      const a = v as Partial<Answer> | null;
      return a && typeof a.text === "string" && typeof a.index_version === "number"
        ? (a as Answer)
        : null;
    },
    background,
    metrics,
    clock,
  });
  const ask = (
    p: Partial<AnswerKeyParts> = {},
    directives = normal,
    semantic = !!options.semantic,
  ) => answerWithCache({ directives, parts: { ...parts, ...p }, semantic }, deps());
  return {
    memory,
    edge,
    kv,
    index,
    background,
    metrics,
    state,
    ask,
    computeCalls: () => computeCalls,
    embedCalls: () => embedCalls,
  };
}

describe("answerWithCache", () => {
  it("computes on a miss and serves the same answer from memory the second time", async () => {
    const w = world();
    const first = await w.ask();
    expect(first).toMatchObject({ status: "MISS", fromCache: false, saved: null });
    const second = await w.ask({ query: "  how ARE answers cached? " });
    expect(second).toMatchObject({ status: "HIT-MEMORY", fromCache: true });
    expect(second.answer).toEqual(first.answer);
    expect(second.saved).toEqual({ tokens: 100, usd: 0.002 });
    expect(w.computeCalls()).toBe(1);
    expect(w.metrics.total("ragway_cache_saved_usd_total", { cache: "answer" })).toBeCloseTo(0.002);
  });

  it("reports each tier a hit came from as the tiers above it are emptied", async () => {
    const w = world();
    await w.ask();
    await w.background.settle();
    w.memory.data.clear();
    expect((await w.ask()).status).toBe("HIT-EDGE");
    await w.background.settle();
    expect(w.memory.data.size).toBe(1); // back-filled
    w.memory.data.clear();
    w.edge.data.clear();
    expect((await w.ask()).status).toBe("HIT-KV");
    await w.background.settle();
    expect([w.memory.data.size, w.edge.data.size]).toEqual([1, 1]);
    expect((await w.ask()).status).toBe("HIT-MEMORY");
    expect(w.computeCalls()).toBe(1);
    expect(w.metrics.total("ragway_cache_lookups_total", { tier: "edge", result: "hit" })).toBe(1);
    expect(w.metrics.total("ragway_cache_lookups_total", { tier: "kv", result: "hit" })).toBe(1);
  });

  it("bypasses the lookup for use_cache false / no-cache but refreshes the entry", async () => {
    const w = world();
    await w.ask();
    const fresh = await w.ask({}, { lookup: false, store: true });
    expect(fresh).toMatchObject({ status: "BYPASS", fromCache: false });
    expect(fresh.answer.text).toBe("answer #2");
    expect((await w.ask()).answer.text).toBe("answer #2");
  });

  it("neither looks up nor stores for no-store", async () => {
    const w = world();
    const r = await w.ask({}, { lookup: false, store: false });
    expect(r.status).toBe("BYPASS");
    await w.background.settle();
    expect([w.memory.data.size, w.edge.data.size, w.kv.data.size]).toEqual([0, 0, 0]);
    expect((await w.ask()).status).toBe("MISS");
    expect(w.metrics.total("ragway_cache_lookups_total", { result: "bypass" })).toBe(1);
  });

  it("keys on the index version: an answer from version 1 is never served at version 2", async () => {
    const w = world();
    await w.ask();
    await w.background.settle();
    w.state.searchVersion = 2;
    const after = await w.ask({ indexVersion: 2 });
    expect(after.status).toBe("MISS");
    expect(after.answer.text).toBe("answer #2");
  });

  it("files an answer under the version its search saw when a write lands mid-computation", async () => {
    const w = world();
    // The lookup read version 1, but a write bumped the index to 2 before the search ran.
    w.state.searchVersion = 2;
    await w.ask({ indexVersion: 1 });
    await w.background.settle();
    const v1 = await answerKey({ ...parts, indexVersion: 1 });
    const v2 = await answerKey({ ...parts, indexVersion: 2 });
    expect(w.kv.data.has(v1)).toBe(false);
    expect(w.kv.data.has(v2)).toBe(true);
    expect((await w.ask({ indexVersion: 2 })).status).toBe("HIT-MEMORY");
  });

  it("coalesces 20 concurrent identical misses into one computation", async () => {
    const w = world();
    let open = (): void => {};
    w.state.gate = new Promise((r) => (open = r));
    const all = Array.from({ length: 20 }, () => w.ask());
    await new Promise((r) => setTimeout(r, 10));
    open();
    const results = await Promise.all(all);
    expect(w.computeCalls()).toBe(1);
    expect(results.filter((r) => r.status === "MISS")).toHaveLength(1);
    const followers = results.filter((r) => r.coalesced);
    expect(followers).toHaveLength(19);
    expect(followers.every((r) => r.status === "HIT-MEMORY" && r.fromCache)).toBe(true);
    expect(new Set(results.map((r) => r.answer.text))).toEqual(new Set(["answer #1"]));
    expect(w.metrics.total("ragway_cache_lookups_total", { result: "coalesced" })).toBe(19);
    expect(w.metrics.total("ragway_cache_saved_tokens_total")).toBe(1900);
  });

  it("does not cache a degraded answer", async () => {
    const w = world();
    w.state.degraded = true;
    await w.ask();
    await w.background.settle();
    expect(w.kv.data.size).toBe(0);
    w.state.degraded = false;
    expect((await w.ask()).status).toBe("MISS");
  });

  it("treats a corrupt entry as a miss and overwrites it in every tier", async () => {
    const w = world();
    const key = await answerKey(parts);
    const junk = new TextEncoder().encode('{"text":').buffer as ArrayBuffer;
    w.memory.data.set(key, junk);
    w.kv.data.set(key, encodeJsonEntry({ wrong: "shape" }, { tokens: 1, usd: 0, createdAt: 0 }));
    const r = await w.ask();
    expect(r.status).toBe("MISS");
    await w.background.settle();
    w.memory.data.clear();
    w.edge.data.clear();
    expect((await w.ask()).status).toBe("HIT-KV");
  });

  it("serves a paraphrase from the semantic index when semantic hits are on", async () => {
    const w = world({ semantic: true, threshold: 0.95 });
    await w.ask();
    const para = await w.ask({ query: "how are the answers cached" });
    expect(para.status).toBe("HIT-SEMANTIC");
    expect(para.fromCache).toBe(true);
    expect(para.answer.text).toBe("answer #1");
    expect(para.semantic?.similarity).toBeGreaterThanOrEqual(0.95);
    expect(para.semantic?.matchedQuery).toBe("how are answers cached?");
    expect(w.computeCalls()).toBe(1);
    expect(w.metrics.total("ragway_cache_lookups_total", { tier: "semantic", result: "hit" })).toBe(
      1,
    );
  });

  it("does not serve an unrelated question or a different bucket semantically", async () => {
    const w = world({ semantic: true });
    await w.ask();
    expect((await w.ask({ query: "Why is the sky blue?" })).status).toBe("MISS");
    expect((await w.ask({ query: "how are the answers cached", k: 3 })).status).toBe("MISS");
    expect(
      (await w.ask({ query: "how are the answers cached", scope: "principal:eve" })).status,
    ).toBe("MISS");
  });

  it("never serves semantic hits when they are off", async () => {
    const w = world({ semantic: false });
    await w.ask();
    expect((await w.ask({ query: "how are the answers cached" })).status).toBe("MISS");
    expect(w.embedCalls()).toBe(0);
  });

  it("hands the semantic step's embedding to the computation instead of embedding twice", async () => {
    const w = world({ semantic: true });
    await w.ask({ query: "Why is the sky blue?" });
    expect(w.embedCalls()).toBe(1);
  });

  it("re-registers a question found in a lower tier after the semantic index was lost", async () => {
    const w = world({ semantic: true });
    await w.ask();
    await w.background.settle();
    // A new isolate: empty memory and an empty semantic index; the answer is still at the edge.
    w.memory.data.clear();
    w.index.clear();
    expect((await w.ask()).status).toBe("HIT-EDGE");
    await w.background.settle();
    const para = await w.ask({ query: "how are the answers cached" });
    expect(para.status).toBe("HIT-SEMANTIC");
    expect(w.computeCalls()).toBe(1);
  });

  it("forgets a semantic candidate whose answer is gone and computes instead", async () => {
    const w = world({ semantic: true });
    await w.ask();
    await w.background.settle();
    for (const s of [w.memory, w.edge, w.kv]) s.data.clear();
    const para = await w.ask({ query: "how are the answers cached" });
    expect(para.status).toBe("MISS");
    expect(w.computeCalls()).toBe(2);
  });
});
