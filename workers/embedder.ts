// The deployment's embedding function: an embedding model through its provider, behind the one
// retry loop and the embedding cache. Ingestion, query embedding, seeding and /v1/embeddings all
// come through here. Ingestion and seeding use isolate memory and KV, so a chunk is embedded
// upstream once per provider and model wherever it is ingested again. A request's own texts (the
// question of a /v1/query miss, /v1/embeddings inputs) use memory only: each new text's KV key is
// one KV has never held, a read that leaves the data center before the provider is even called,
// and a KV write per new text costs more than embedding a short text does (KV writes are $5 per
// million; text-embedding-3-small embeds a million 20-token questions for $0.40).
import { cachedEmbedder } from "../shared/cache/embedding-cache.js";
import { memoryBlobStore } from "../shared/cache/memory-store.js";
import { TieredCache, type CacheTier } from "../shared/cache/tiered.js";
import { costUsd, findModel } from "../shared/llm/catalog.js";
import { withRetry } from "../shared/llm/retry.js";
import { systemTimers } from "../shared/llm/system-timers.js";
import type { Outcome } from "../shared/llm/types.js";
import { noopMetrics } from "../shared/metrics/metrics.js";
import { countBounded } from "../shared/tokens/count-bounded.js";
import { budgeted, kvBlobStore } from "./cache/kv-store.js";
import { cacheFaultHooks, isolateCaches } from "./cache/isolate.js";
import { upstreamFor } from "./upstream-timing.js";
import type { Spend } from "../shared/util/spend.js";
import type { AppContext } from "./context.js";
import type { Config } from "./env.js";
import { deadlineFor } from "./resilience.js";
import { getServices } from "./services.js";

export type EmbedFn = (
  texts: string[],
) => Promise<Outcome<{ vectors: Float32Array[]; promptTokens?: number }>>;

/** Who embeds: ingestion (and seeding), whose vectors are kept in KV too, or a request's own
 * texts, kept in isolate memory only. */
export type EmbeddingUse = "ingest" | "request";

/**
 * KV operations the embedding cache may spend per request. A Worker invocation gets 1,000 KV
 * operations; past this budget lookups count as misses and writes are skipped.
 */
export const EMBEDDING_KV_BUDGET = 800;

const budgets = new WeakMap<AppContext, { remaining: number }>();

/**
 * Embeds texts with `modelId` (default: the configured embedding model) through the embedding
 * cache (memory, and KV for `ingest`); misses go upstream behind the retry loop. There is no
 * fallback model: vectors from another model would not be comparable.
 */
export function embedderFor(
  app: AppContext,
  use: EmbeddingUse,
  modelId: string = app.config.embeddingModel,
): EmbedFn {
  const services = getServices(app.config);
  const model = findModel(app.config.catalog, modelId);
  const chosen = model ? services.providerFor(model) : services.local;
  const provider = upstreamFor(app, chosen);
  // The local model is not an upstream: its calls are not upstream metrics.
  const upstreamMetrics = provider.name === "local" ? noopMetrics : app.metrics;
  const upstream: EmbedFn = async (texts) => {
    if (texts.length === 0) return { ok: true, value: { vectors: [] } };
    const result = await withRetry(
      (signal) => provider.embed({ model: modelId, texts, signal }),
      services.retryPolicy,
      systemTimers,
      {
        deadlineAt: deadlineFor(app),
        onAttempt: (report) => {
          upstreamMetrics.inc("ragway_upstream_attempts_total", {
            model: modelId,
            result: report.ok ? "ok" : "error",
          });
          if (report.nextWaitMs !== undefined) {
            upstreamMetrics.inc("ragway_upstream_retries_total", { model: modelId });
          }
        },
      },
    );
    app.metrics.inc("ragway_embedding_calls_total", {
      provider: provider.name,
      result: result.ok ? "ok" : "error",
    });
    app.metrics.inc("ragway_embedding_inputs_total", { provider: provider.name }, texts.length);
    if (!result.ok) {
      upstreamMetrics.inc("ragway_upstream_failures_total", {
        model: modelId,
        reason: result.failure.reason,
      });
      return { ok: false, failure: result.failure };
    }
    return { ok: true, value: result.value };
  };

  const ttlSeconds = app.config.EMBEDDING_CACHE_KV_TTL_SECONDS;
  // Vectors never go stale, so memory keeps them as long as KV does (the LRU bounds it).
  const tiers: CacheTier[] = [
    { name: "memory", store: memoryBlobStore(isolateCaches(app.config).embeddings), ttlSeconds },
  ];
  if (use === "ingest") {
    let budget = budgets.get(app);
    if (!budget) {
      budget = { remaining: EMBEDDING_KV_BUDGET };
      budgets.set(app, budget);
    }
    tiers.push({ name: "kv", store: budgeted(kvBlobStore(app.env.CACHE), budget), ttlSeconds });
  }
  const cache = new TieredCache({
    tiers,
    background: app.exec,
    ...cacheFaultHooks(app, "embedding"),
  });
  // The same model name behind a different OpenAI-compatible endpoint may give other vectors.
  const identity =
    provider.name === "openai"
      ? `openai@${app.config.OPENAI_BASE_URL}|${modelId}`
      : `${provider.name}|${modelId}`;
  return cachedEmbedder({
    identity,
    embed: upstream,
    cache,
    // Bounded: texts can be client input, and exact BPE over a long unbroken run is quadratic.
    tokens: (text) => countBounded(text, services.counter),
    usdPerToken: (model?.inputUsdPerMTok ?? 0) / 1e6,
    clock: () => Date.now(),
    metrics: app.metrics,
  });
}

/** What embedding `text` with the deployment's embedding model costs, to reserve before doing it. */
export function embeddingCost(config: Config, text: string): Spend {
  const model = findModel(config.catalog, config.embeddingModel);
  const tokens = getServices(config).counter.count(text);
  return { tokens, usd: (tokens * (model?.inputUsdPerMTok ?? 0)) / 1e6 };
}

/** The USD of `tokens` embedding tokens with the deployment's embedding model. */
export function embeddingUsd(config: AppContext["config"], tokens: number): number {
  const model = findModel(config.catalog, config.embeddingModel);
  return model ? costUsd(model, { prompt_tokens: tokens, completion_tokens: 0 }) : 0;
}
