import { describe, expect, it } from "vitest";
import {
  cachedEmbedder,
  embeddingKey,
  type EmbedBatch,
} from "../../../shared/cache/embedding-cache.js";
import { encodeVectorEntry } from "../../../shared/cache/entry-codec.js";
import { ByteLru } from "../../../shared/util/byte-lru.js";
import { memoryBlobStore } from "../../../shared/cache/memory-store.js";
import { TieredCache } from "../../../shared/cache/tiered.js";
import { fakeBackground, fakeBlobStore, fakeClock } from "../../fakes/blob-store.js";
import { recordingMetrics } from "../../fakes/metrics.js";

/** A deterministic upstream: the vector of a text is [length, first char code]. */
function fakeUpstream(options: { fail?: boolean; reportTokens?: number } = {}) {
  const calls: string[][] = [];
  const embed: EmbedBatch = async (texts) => {
    calls.push([...texts]);
    if (options.fail) {
      return { ok: false, failure: { reason: "server_error", message: "503", retryable: true } };
    }
    return {
      ok: true,
      value: {
        vectors: texts.map((t) => Float32Array.from([t.length, t.charCodeAt(0)])),
        ...(options.reportTokens !== undefined ? { promptTokens: options.reportTokens } : {}),
      },
    };
  };
  return { embed, calls };
}

function setup(upstream = fakeUpstream()) {
  const memoryLru = new ByteLru<ArrayBuffer>({ maxBytes: 1 << 20 });
  const kv = fakeBlobStore();
  const background = fakeBackground();
  const metrics = recordingMetrics();
  const cache = new TieredCache({
    tiers: [
      { name: "memory", store: memoryBlobStore(memoryLru), ttlSeconds: 600 },
      { name: "kv", store: kv, ttlSeconds: 86_400 },
    ],
    background,
  });
  const embed = cachedEmbedder({
    identity: "openai@http://mock|text-embedding-3-small",
    embed: upstream.embed,
    cache,
    tokens: (t) => t.split(" ").length,
    usdPerToken: 0.02 / 1e6,
    clock: fakeClock(),
    metrics,
  });
  return { embed, upstream, memoryLru, kv, background, metrics };
}

const texts = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix} text number ${i}`);

describe("cachedEmbedder", () => {
  it("embeds a batch of 50 with 30 seen before in one upstream call of exactly the 20 new", async () => {
    const { embed, upstream } = setup();
    const seen = texts("seen", 30);
    await embed(seen);
    const fresh = texts("fresh", 20);
    // Interleave so order matters: fresh inputs sit between cached ones.
    const batch = seen.flatMap((t, i) => (i < 20 ? [t, fresh[i] ?? ""] : [t]));
    expect(batch).toHaveLength(50);
    const result = await embed(batch);
    expect(upstream.calls).toHaveLength(2);
    expect(upstream.calls[1]).toEqual(fresh);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.vectors.map((v) => Array.from(v))).toEqual(
      batch.map((t) => [t.length, t.charCodeAt(0)]),
    );
  });

  it("makes no upstream call when everything is cached and reports no billed tokens", async () => {
    const { embed, upstream, metrics } = setup();
    await embed(["alpha beta", "gamma"]);
    const again = await embed(["gamma", "alpha beta"]);
    expect(upstream.calls).toHaveLength(1);
    expect(again.ok && again.value.promptTokens).toBe(0);
    expect(metrics.total("ragway_cache_lookups_total", { cache: "embedding", result: "hit" })).toBe(
      2,
    );
    // What the two cached texts cost the first time (2 + 1 tokens) is now saved.
    expect(metrics.total("ragway_cache_saved_tokens_total", { cache: "embedding" })).toBe(3);
  });

  it("sends a text repeated within a batch upstream once", async () => {
    const { embed, upstream } = setup();
    const result = await embed(["x", "y", "x", "x"]);
    expect(upstream.calls).toEqual([["x", "y"]]);
    expect(result.ok && result.value.vectors).toHaveLength(4);
  });

  it("stores raw Float32 vectors in KV, and reads KV when memory has lost them", async () => {
    const { embed, upstream, memoryLru, kv, background } = setup();
    await embed(["persist me"]);
    await background.settle();
    const key = await embeddingKey("openai@http://mock|text-embedding-3-small", "persist me");
    const stored = kv.data.get(key);
    expect(stored).toBeDefined();
    expect(new DataView(stored ?? new ArrayBuffer(48), 40).getFloat32(0, true)).toBe(10);
    memoryLru.clear();
    const again = await embed(["persist me"]);
    expect(upstream.calls).toHaveLength(1);
    expect(again.ok && Array.from(again.value.vectors[0] ?? [])).toEqual([10, 112]);
  });

  it("treats a corrupt KV entry as a miss and overwrites it", async () => {
    const { embed, upstream, kv, background } = setup();
    const key = await embeddingKey("openai@http://mock|text-embedding-3-small", "broken");
    kv.data.set(key, new TextEncoder().encode("not a vector").buffer as ArrayBuffer);
    const result = await embed(["broken"]);
    expect(result.ok).toBe(true);
    expect(upstream.calls).toEqual([["broken"]]);
    await background.settle();
    const fixed = kv.data.get(key);
    expect(fixed?.byteLength).toBe(40 + 8);
  });

  it("keys by provider identity and model as well as text", async () => {
    expect(await embeddingKey("openai@a|m", "t")).not.toBe(await embeddingKey("openai@b|m", "t"));
    expect(await embeddingKey("local|m1", "t")).not.toBe(await embeddingKey("local|m2", "t"));
    expect(await embeddingKey("local|m", "t")).not.toBe(await embeddingKey("local|m", "t "));
  });

  it("passes an upstream failure through and caches nothing", async () => {
    const { embed, kv, background, memoryLru } = setup(fakeUpstream({ fail: true }));
    const result = await embed(["a"]);
    expect(result.ok).toBe(false);
    await background.settle();
    expect(kv.data.size).toBe(0);
    expect(memoryLru.size).toBe(0);
  });

  it("apportions the upstream's reported tokens to the entries it creates", async () => {
    const { embed, kv, background } = setup(fakeUpstream({ reportTokens: 30 }));
    const result = await embed(["one two", "three"]); // counted 2 and 1 -> 20 and 10
    expect(result.ok && result.value.promptTokens).toBe(30);
    await background.settle();
    const key = await embeddingKey("openai@http://mock|text-embedding-3-small", "one two");
    const meta = new DataView(kv.data.get(key) ?? new ArrayBuffer(40));
    expect(meta.getFloat64(24, true)).toBeCloseTo(20, 9);
  });

  it("returns an empty list for an empty batch without calling upstream", async () => {
    const { embed, upstream } = setup();
    expect(await embed([])).toEqual({ ok: true, value: { vectors: [], promptTokens: 0 } });
    expect(upstream.calls).toEqual([]);
  });

  it("refuses an upstream that returns the wrong number of vectors", async () => {
    const short: EmbedBatch = async () => ({ ok: true, value: { vectors: [] } });
    const { embed } = setup({ embed: short, calls: [] });
    const result = await embed(["a"]);
    expect(result.ok).toBe(false);
  });
});

it("encodes what the cache stores with the shared codec", () => {
  // Guards the KV layout assumed above: 40-byte header, then Float32 LE.
  const bytes = encodeVectorEntry(Float32Array.from([1.5]), { tokens: 1, usd: 0, createdAt: 0 });
  expect(new DataView(bytes, 40).getFloat32(0, true)).toBe(1.5);
});
