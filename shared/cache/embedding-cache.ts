// The embedding cache (LangChain's CacheBackedEmbeddings, at the edge): vectors keyed by a hash of
// the provider, the model and the exact text, stored as raw Float32 behind the entry header.
// A batch looks every input up, sends only its distinct misses upstream in one call, and returns
// the vectors in input order.
import type { Outcome } from "../llm/types.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Clock } from "../ports.js";
import { sha256Hex, stableStringify } from "../util/hash.js";
import { decodeVectorEntry, encodeVectorEntry, type EntryMeta } from "./entry-codec.js";
import type { TieredCache } from "./tiered.js";

/** Prefix of every embedding key in every tier. */
export const EMBEDDING_KEY_PREFIX = "emb:v1:";

/** Embeds texts; vectors in input order. The shape of `workers/embedder.ts`'s EmbedFn. */
export type EmbedBatch = (
  texts: string[],
) => Promise<Outcome<{ vectors: Float32Array[]; promptTokens?: number }>>;

export interface EmbeddingCacheOptions {
  /** Who computes the vectors: provider identity and model, e.g. `openai@https://…|text-embedding-3-small`. */
  identity: string;
  /** The upstream call, made at most once per batch and only with misses. */
  embed: EmbedBatch;
  /** Tiers named `memory` and `kv`. */
  cache: TieredCache;
  /** Tokens of one text (to apportion and remember what embedding it cost). */
  tokens(text: string): number;
  /** USD per input token of the embedding model. */
  usdPerToken: number;
  clock: Clock;
  metrics: Metrics;
}

/** The key of one text's vector under one provider and model. */
export async function embeddingKey(identity: string, text: string): Promise<string> {
  return `${EMBEDDING_KEY_PREFIX}${await sha256Hex(stableStringify([identity, text]))}`;
}

/**
 * Wraps an embedding function with the cache. `promptTokens` in the result counts only what
 * went upstream (0 when every input was cached).
 * @example
 * const embed = cachedEmbedder({ identity, embed: upstream, cache, ... });
 * await embed(["a", "b", "a"]); // one upstream call with ["a", "b"] on a cold cache
 */
export function cachedEmbedder(options: EmbeddingCacheOptions): EmbedBatch {
  const decode = (bytes: ArrayBuffer): { vector: Float32Array; meta: EntryMeta } | null => {
    const decoded = decodeVectorEntry(bytes);
    return decoded.ok ? { vector: decoded.value, meta: decoded.meta } : null;
  };
  return async (texts) => {
    if (texts.length === 0) return { ok: true, value: { vectors: [], promptTokens: 0 } };
    const keys = await Promise.all(texts.map((t) => embeddingKey(options.identity, t)));
    const distinct = new Map<string, string>();
    keys.forEach((key, i) => distinct.set(key, texts[i] ?? ""));

    const found = new Map<string, Float32Array>();
    await Promise.all(
      [...distinct.keys()].map(async (key) => {
        const hit = await options.cache.get(key, decode);
        if (!hit) return;
        found.set(key, hit.value.vector);
        options.metrics.inc("ragway_cache_lookups_total", {
          cache: "embedding",
          tier: hit.tier,
          result: "hit",
        });
        options.metrics.inc(
          "ragway_cache_saved_tokens_total",
          { cache: "embedding" },
          hit.value.meta.tokens,
        );
        options.metrics.inc(
          "ragway_cache_saved_usd_total",
          { cache: "embedding" },
          hit.value.meta.usd,
        );
      }),
    );

    const missKeys = [...distinct.keys()].filter((k) => !found.has(k));
    let promptTokens = 0;
    if (missKeys.length > 0) {
      options.metrics.inc(
        "ragway_cache_lookups_total",
        { cache: "embedding", tier: "none", result: "miss" },
        missKeys.length,
      );
      const missTexts = missKeys.map((k) => distinct.get(k) ?? "");
      const result = await options.embed(missTexts);
      if (!result.ok) return result;
      const { vectors } = result.value;
      if (vectors.length !== missTexts.length) {
        return {
          ok: false,
          failure: {
            reason: "bad_response",
            message: `embedding returned ${vectors.length} vectors for ${missTexts.length} inputs`,
            retryable: false,
          },
        };
      }
      const counted = missTexts.map((t) => options.tokens(t));
      const countedSum = counted.reduce((a, b) => a + b, 0);
      promptTokens = result.value.promptTokens ?? countedSum;
      // The upstream bills the batch as a whole: share its figure out in proportion to counts.
      const scale = countedSum > 0 ? promptTokens / countedSum : 0;
      const now = options.clock();
      const writes: Array<Promise<void>> = [];
      // Memory now (the next batch in this isolate must see these), KV in the background.
      missKeys.forEach((key, i) => {
        const vector = vectors[i];
        if (!vector) return;
        found.set(key, vector);
        const tokens = (counted[i] ?? 0) * scale;
        const meta = { tokens, usd: tokens * options.usdPerToken, createdAt: now };
        writes.push(options.cache.fill(key, encodeVectorEntry(vector, meta)));
      });
      await Promise.all(writes);
    }

    const out: Float32Array[] = [];
    for (const key of keys) {
      const vector = found.get(key);
      if (!vector) {
        return {
          ok: false,
          failure: { reason: "bad_response", message: "missing vector", retryable: false },
        };
      }
      out.push(vector);
    }
    return { ok: true, value: { vectors: out, promptTokens } };
  };
}
