// Glue between /v1/query (and anything else that answers RAG queries) and the answer cache: takes
// the index version and purge epochs the isolate holds (workers/cache/cache-state), builds the three
// tiers (isolate memory, the colo's Cache API, KV) with those epochs in their keys, and hands
// over to shared/cache/answer-cache.
import {
  answerWithCache,
  type CachedAnswer,
  type Computed,
} from "../../shared/cache/answer-cache.js";
import type { AnswerKeyParts, CacheScope } from "../../shared/cache/answer-key.js";
import type { CacheDirectives } from "../../shared/cache/directives.js";
import { memoryBlobStore } from "../../shared/cache/memory-store.js";
import { TieredCache, withKeySuffix } from "../../shared/cache/tiered.js";
import type { QueryRequest } from "../../shared/api/schemas.js";
import type { QueryAnswer } from "../../shared/rag/answer-query.js";
import { parseQueryAnswer } from "../../shared/rag/answer-schema.js";
import type { AppContext } from "../context.js";
import type { CacheState } from "../../shared/cache/cache-state.js";
import { embedderFor, embeddingCost } from "../embedder.js";
import { spendHold } from "../limits/spend.js";
import { indexObjectName, isLive, namespaceNotFound } from "../tenancy/namespace-index.js";
import { answerCacheState } from "./cache-state.js";
import { edgeBlobStore } from "./edge-store.js";
import { cacheFaultHooks, isolateCaches } from "./isolate.js";
import { kvBlobStore } from "./kv-store.js";

export interface QueryCacheParams {
  body: QueryRequest;
  /** The requested model: a catalog id or `auto` (a pure function of what the key holds). */
  model: string;
  scope: CacheScope;
  directives: CacheDirectives;
  /** The namespace whose index (version, purge epochs, liveness) the answer depends on. */
  namespace: string;
}

/** The answer tiers of one request, their keys suffixed with the scope's purge epochs. */
export function answerTiers(app: AppContext, state: CacheState): TieredCache {
  const config = app.config;
  const isolate = isolateCaches(config);
  return new TieredCache({
    tiers: [
      {
        name: "memory",
        store: withKeySuffix(memoryBlobStore(isolate.answers), `:e${state.epochs.memory}`),
        ttlSeconds: config.ANSWER_CACHE_MEMORY_TTL_SECONDS,
      },
      {
        name: "edge",
        store: withKeySuffix(edgeBlobStore(caches.default, app.origin), `:e${state.epochs.edge}`),
        ttlSeconds: config.ANSWER_CACHE_EDGE_TTL_SECONDS,
      },
      {
        name: "kv",
        store: withKeySuffix(kvBlobStore(app.env.CACHE), `:e${state.epochs.kv}`),
        ttlSeconds: config.ANSWER_CACHE_KV_TTL_SECONDS,
      },
    ],
    background: app.exec,
    ...cacheFaultHooks(app, "answer"),
  });
}

/** Answers `params.body` through the answer cache; `compute` runs only on a miss or bypass. */
export async function answerThroughCache(
  params: QueryCacheParams,
  app: AppContext,
  compute: (queryVector: Float32Array | null) => Promise<Computed<QueryAnswer>>,
): Promise<CachedAnswer<QueryAnswer>> {
  const { body, scope } = params;
  // At most CACHE_STATE_TTL_MS old, and never older than this isolate's own writes (0: read now).
  // Held per namespace's INDEX object, which answers whether the namespace is live in the same
  // read: a deleted namespace's answers are not served past that window.
  const state = await answerCacheState(app, scope, indexObjectName(params.namespace));
  if (!isLive(params.namespace, state.live)) throw namespaceNotFound(params.namespace);
  const parts: AnswerKeyParts = {
    query: body.query,
    k: body.k,
    ...(body.filter ? { filter: body.filter } : {}),
    model: params.model,
    priority: body.priority,
    ...(body.max_context_tokens !== undefined ? { maxContextTokens: body.max_context_tokens } : {}),
    retrieval: body.retrieval,
    embeddingModel: app.config.embeddingModel,
    indexVersion: state.version,
    scope,
    namespace: params.namespace,
  };
  const isolate = isolateCaches(app.config);
  const semanticOn = app.config.SEMANTIC_CACHE && body.retrieval !== "lexical";
  const embed = embedderFor(app);
  return answerWithCache(
    { directives: params.directives, parts, semantic: semanticOn },
    {
      tiers: answerTiers(app, state),
      flight: isolate.flight,
      semantic: semanticOn
        ? {
            index: isolate.semantic,
            threshold: app.config.SEMANTIC_CACHE_THRESHOLD,
            // The question is embedded before any answer exists: reserved first, like every
            // paid call, and settled as spent (the computation reuses the vector, unbilled).
            embed: async (query) => {
              const cost = embeddingCost(app, query);
              const hold = spendHold(app);
              await hold.raise(cost);
              const r = await embed([query]);
              await hold.settle(r.ok ? cost : { tokens: 0, usd: 0 });
              return r.ok ? (r.value.vectors[0] ?? null) : null;
            },
          }
        : null,
      compute,
      versionOf: (answer) => answer.index_version,
      parse: parseQueryAnswer,
      background: app.exec,
      metrics: app.metrics,
      clock: () => Date.now(),
      // A coalesced computation must outlive its leader's client hanging up.
      onLead: (shared) => app.exec.waitUntil(shared),
    },
  );
}
