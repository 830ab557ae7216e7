// The query service of this isolate (shared/rag/query-service), built once per config over
// Cloudflare's ports, and the one way a route answers a query through it: the model checked, the
// sample corpus seeded, the request's own account and log fields handed over, its usage recorded.
import type { CacheScope } from "../shared/cache/answer-key.js";
import type { CacheDirectives } from "../shared/cache/directives.js";
import type { QueryRequest } from "../shared/api/schemas.js";
import { usableModel } from "../shared/llm/usable-model.js";
import type { QueryLogFields } from "../shared/metrics/log-fields.js";
import type { SearchParams } from "../shared/rag/query-ports.js";
import {
  createQueryService,
  type QueryService,
  type ServedQuery,
} from "../shared/rag/query-service.js";
import type { RetrievedChunk } from "../shared/rag/types.js";
import { float32ToBytes } from "../shared/vector/vector.js";
import { answerTiers } from "./cache/answer-tiers.js";
import { answerCacheState, observeSearchState } from "./cache/cache-state.js";
import { isolateCaches } from "./cache/isolate.js";
import type { AppContext } from "./context.js";
import type { Config } from "./env.js";
import { embedderFor, embeddingCost } from "./embedder.js";
import { HttpError } from "./errors.js";
import { ensureAdmitted } from "./limits/admission.js";
import { spendHold } from "./limits/spend.js";
import { recordUsage } from "./record-usage.js";
import { deadlineFor, resilienceFor } from "./resilience.js";
import { ensureSeeded } from "./seed.js";
import { searchNamespace } from "./search/search-namespace.js";
import { getServices } from "./services.js";
import { isLive } from "../shared/tenancy/namespace-name.js";
import { indexObjectName, namespaceNotFound } from "./tenancy/namespace-index.js";
import { upstreamFor } from "./upstream-timing.js";

/** Completion cap for grounded answers. */
const ANSWER_MAX_TOKENS = 512;

const memo = new WeakMap<Config, QueryService<AppContext>>();

/** The isolate's query service for this config, built on first use. */
export function queryService(config: Config): QueryService<AppContext> {
  const built = memo.get(config);
  if (built) return built;
  const services = getServices(config);
  const isolate = isolateCaches(config);
  const service = createQueryService<AppContext>({
    catalog: config.catalog,
    available: services.available,
    counter: services.counter,
    ...(config.fallbackModels ? { fallbackModels: config.fallbackModels } : {}),
    embeddingModel: config.embeddingModel,
    clock: () => Date.now(),
    semantic: config.SEMANTIC_CACHE
      ? { index: isolate.semantic, threshold: config.SEMANTIC_CACHE_THRESHOLD }
      : null,
    cacheState: async (app, namespace, scope) => {
      // At most CACHE_STATE_TTL_MS old, and never older than this isolate's own writes (0: read
      // now). The namespace's INDEX object says whether it is live in the same read: a deleted
      // namespace's answers are not served past that window.
      const state = await answerCacheState(app, scope, indexObjectName(namespace));
      if (!isLive(namespace, state.live)) throw namespaceNotFound(namespace);
      return state;
    },
    tiers: answerTiers,
    search: searchNamespaceIndex,
    embed: async (app, text) => {
      const made = await embedderFor(app, "request")([text]);
      if (!made.ok) return made;
      const vector = made.value.vectors[0];
      return vector
        ? { ok: true, value: vector }
        : {
            ok: false,
            failure: { reason: "bad_response", message: "no vector", retryable: false },
          };
    },
    embeddingCost: (text) => embeddingCost(config, text),
    providerFor: (app, model) => upstreamFor(app, services.providerFor(model)),
    resilience: resilienceFor,
    deadlineAt: deadlineFor,
    waitUntil: (app, work) => app.exec.waitUntil(work),
    metrics: (app) => app.metrics,
  });
  memo.set(config, service);
  return service;
}

/**
 * Retrieves from a namespace's index, and lets the search's cache state refresh what this
 * isolate knows (a miss's own search carries the version and purge epochs).
 */
async function searchNamespaceIndex(
  app: AppContext,
  namespace: string,
  scope: CacheScope,
  params: SearchParams,
): Promise<{ version: number; chunks: RetrievedChunk[] }> {
  const indexName = indexObjectName(namespace);
  const found = await searchNamespace(app, namespace, {
    text: params.text,
    vector: params.vector ? float32ToBytes(params.vector) : null,
    embeddingModel: app.config.embeddingModel,
    k: params.k,
    ...(params.filter ? { filter: params.filter } : {}),
    mode: params.mode,
    scope,
  });
  observeSearchState(app, scope, found.state, indexName);
  return found;
}

export interface RunQueryOptions {
  /** Who may share the cached answer; default `shared` (answers over the shared index). */
  scope?: CacheScope;
  /** Default: look up and store. */
  directives?: CacheDirectives;
  /** The namespace whose index answers (already authorized). */
  namespace: string;
}

/**
 * Answers one validated query for `app` through the isolate's query service, with this query's
 * own spend account and log fields (a batch item has its own of both). On a hit, or when another
 * request's identical computation served it, the answer's `usage` is zero and `attempts` empty.
 */
export async function runQuery(
  body: Omit<QueryRequest, "namespace">,
  app: AppContext,
  options: RunQueryOptions,
  fields: QueryLogFields,
): Promise<ServedQuery> {
  const services = getServices(app.config);
  const requested = body.model === "auto" ? app.config.DEFAULT_MODEL : body.model;
  if (requested !== "auto") {
    const explicit = usableModel(requested, "chat", app.config.catalog, services.available);
    if (!explicit.ok) throw new HttpError("invalid_request", explicit.message, { param: "model" });
  }
  await ensureSeeded(app);
  const served = await queryService(app.config).answer(
    {
      query: body.query,
      k: body.k,
      ...(body.filter ? { filter: body.filter } : {}),
      model: requested,
      priority: body.priority,
      ...(body.max_context_tokens !== undefined
        ? { maxContextTokens: body.max_context_tokens }
        : {}),
      retrieval: body.retrieval,
      maxTokens: ANSWER_MAX_TOKENS,
      namespace: options.namespace,
      scope: options.scope ?? "shared",
      directives: options.directives ?? { lookup: true, store: true },
    },
    { request: app, account: spendHold(app), admit: () => ensureAdmitted(app) },
  );
  const { answer } = served;
  fields.cache = served.cache.status;
  fields.model = answer.model;
  if (served.generated) {
    recordUsage(app, answer.model, answer.usage, answer.usage.cost_usd, fields);
    // For tracing one request: which models were tried and where the time went.
    fields.degraded = answer.degraded;
    fields.attempts = answer.attempts;
    fields.retrieval_ms = answer.timings.retrieval_ms;
    fields.generation_ms = answer.timings.generation_ms;
    if (answer.degraded) app.metrics.inc("ragway_degraded_answers_total", { route: app.route });
  } else {
    // This request ran no model: it spent nothing on generation.
    fields.tokens ??= 0;
    fields.cost_usd ??= 0;
  }
  return served;
}
