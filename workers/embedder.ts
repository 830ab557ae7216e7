// The deployment's embedding function: the configured embedding model through its provider,
// behind the embedding cache (isolate memory, then KV). Ingestion, query embedding and seeding
// all come through here, so a text is embedded upstream once per provider and model.
import { cachedEmbedder } from "../shared/cache/embedding-cache.js";
import { memoryBlobStore } from "../shared/cache/memory-store.js";
import { TieredCache } from "../shared/cache/tiered.js";
import { findModel } from "../shared/llm/catalog.js";
import type { Outcome } from "../shared/llm/types.js";
import { budgeted, kvBlobStore } from "./cache/kv-store.js";
import { cacheFaultHooks, isolateCaches } from "./cache/isolate.js";
import type { AppContext } from "./context.js";
import { getServices } from "./services.js";

export type EmbedFn = (
  texts: string[],
) => Promise<Outcome<{ vectors: Float32Array[]; promptTokens?: number }>>;

/**
 * KV operations the embedding cache may spend per request. A Worker invocation gets 1,000 KV
 * operations; past this budget lookups count as misses and writes are skipped.
 */
export const EMBEDDING_KV_BUDGET = 800;

const budgets = new WeakMap<AppContext, { remaining: number }>();

/** Embeds texts with the configured embedding model, through the embedding cache. */
export function embedderFor(app: AppContext): EmbedFn {
  const services = getServices(app.config);
  const model = findModel(app.config.catalog, app.config.embeddingModel);
  const provider = model ? services.providerFor(model) : services.local;
  const upstream: EmbedFn = async (texts) => {
    if (texts.length === 0) return { ok: true, value: { vectors: [] } };
    const result = await provider.embed({ model: app.config.embeddingModel, texts });
    app.metrics.inc("ragway_embedding_calls_total", {
      provider: provider.name,
      result: result.ok ? "ok" : "error",
    });
    app.metrics.inc("ragway_embedding_inputs_total", { provider: provider.name }, texts.length);
    return result;
  };

  let budget = budgets.get(app);
  if (!budget) {
    budget = { remaining: EMBEDDING_KV_BUDGET };
    budgets.set(app, budget);
  }
  const ttlSeconds = app.config.EMBEDDING_CACHE_KV_TTL_SECONDS;
  const cache = new TieredCache({
    tiers: [
      // Vectors never go stale, so memory keeps them as long as KV does (the LRU bounds it).
      { name: "memory", store: memoryBlobStore(isolateCaches(app.config).embeddings), ttlSeconds },
      { name: "kv", store: budgeted(kvBlobStore(app.env.CACHE), budget), ttlSeconds },
    ],
    background: app.exec,
    ...cacheFaultHooks(app, "embedding"),
  });
  // The same model name behind a different OpenAI-compatible endpoint may give other vectors.
  const identity =
    provider.name === "openai"
      ? `openai@${app.config.OPENAI_BASE_URL}|${app.config.embeddingModel}`
      : `${provider.name}|${app.config.embeddingModel}`;
  return cachedEmbedder({
    identity,
    embed: upstream,
    cache,
    tokens: (text) => services.counter.count(text),
    usdPerToken: (model?.inputUsdPerMTok ?? 0) / 1e6,
    clock: () => Date.now(),
    metrics: app.metrics,
  });
}
