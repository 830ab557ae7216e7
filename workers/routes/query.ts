// POST /v1/query: validate, choose the model, answer through the answer cache (which runs the RAG
// path only on a miss), shape the documented response.
import type { IRequest } from "itty-router";
import { QueryRequestSchema, type QueryRequest } from "../../shared/api/schemas.js";
import type { CacheStatus, Computed, Cost } from "../../shared/cache/answer-cache.js";
import type { CacheScope } from "../../shared/cache/answer-key.js";
import { cacheDirectives, type CacheDirectives } from "../../shared/cache/directives.js";
import { usableModel } from "../../shared/llm/usable-model.js";
import { answerQuery, type QueryAnswer } from "../../shared/rag/answer-query.js";
import { float32ToBytes } from "../../shared/vector/vector.js";
import { observeSearchState } from "../cache/cache-state.js";
import type { Spend } from "../../shared/util/spend.js";
import { answerThroughCache } from "../cache/query-cache.js";
import type { AppContext } from "../context.js";
import { embedderFor, embeddingCost } from "../embedder.js";
import { HttpError } from "../errors.js";
import { readJson } from "../http/read-json.js";
import { json } from "../http/respond.js";
import { LimitRefusal } from "../limits/limiter-client.js";
import { ensureAdmitted, ensureGrants } from "../limits/admission.js";
import { spendHold } from "../limits/spend.js";
import { recordUsage } from "../record-usage.js";
import { deadlineFor, resilienceFor } from "../resilience.js";
import { ensureSeeded } from "../seed.js";
import { getServices } from "../services.js";
import { searchNamespace } from "../search/search-namespace.js";
import { upstreamFor } from "../upstream-timing.js";
import { DEFAULT_NAMESPACE } from "../../shared/tenancy/grants.js";
import { indexObjectName } from "../tenancy/namespace-index.js";
import { namespaceFor } from "../tenancy/permissions.js";

/** Completion cap for grounded answers. */
const ANSWER_MAX_TOKENS = 512;

export async function postQuery(request: IRequest, app: AppContext): Promise<Response> {
  const body = await readJson(request, QueryRequestSchema, app.config.MAX_BODY_BYTES);
  // Questions can carry personal data: their text reaches the log only when the operator opts in.
  if (app.config.LOG_QUERIES) app.logFields.query = body.query;
  const directives = cacheDirectives(
    body.use_cache,
    request.headers.get("cache-control"),
    request.headers.get("pragma"),
  );
  await ensureGrants(app);
  const namespace = namespaceFor(app, body.namespace);
  const result = await runQuery(body, app, { scope: "shared", directives, namespace });
  const payload = {
    ...result.answer,
    ...cacheFields(result.cache),
    timings: { total_ms: Date.now() - app.started, ...result.answer.timings },
    request_id: app.requestId,
  };
  const headers = { "x-cache": result.cache.status, "x-model-reason": result.reason };
  if (body.stream) return sseAnswer(payload, headers);
  return json(payload, { headers });
}

/** How a query's answer was obtained. */
export interface QueryCacheInfo {
  status: CacheStatus;
  fromCache: boolean;
  /** Served by waiting for an identical in-flight computation in this isolate. */
  coalesced: boolean;
  semantic?: { similarity: number; matchedQuery: string };
  /** On a hit: what the original computation cost. */
  saved: Cost | null;
}

export interface QueryOptions {
  /**
   * Who may share the cached answer: `shared` for answers over the shared index that depend on
   * nothing about the caller; `principal:<id>` for anything caller-dependent. Default `shared`.
   */
  scope?: CacheScope;
  /** Default: look up and store. */
  directives?: CacheDirectives;
  /** The namespace whose index answers (already authorized); default `default`. */
  namespace?: string;
}

/**
 * Runs one validated query through the answer cache; shared by /v1/query and the batch route.
 * On a hit the answer's `usage` is zero and `attempts` empty: this request called no model
 * (what the original computation cost is in `cache.saved`), and the reason is `cached`. The
 * cache keys on the requested model (`auto` or an id): `auto`'s choice is a pure function of the
 * request and the index version, both of which the key holds.
 */
export async function runQuery(
  body: QueryRequest,
  app: AppContext,
  options: QueryOptions = {},
): Promise<{ answer: QueryAnswer; reason: string; cache: QueryCacheInfo }> {
  const services = getServices(app.config);
  const requested = body.model === "auto" ? app.config.DEFAULT_MODEL : body.model;
  if (requested !== "auto") {
    const explicit = usableModel(requested, "chat", app.config.catalog, services.available);
    if (!explicit.ok) throw new HttpError("invalid_request", explicit.message, { param: "model" });
  }
  await ensureSeeded(app);
  let reason = "cached";
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const scope = options.scope ?? "shared";
  const compute = async (queryVector: Float32Array | null) => {
    const computed = await computeAnswer(body, requested, app, queryVector, scope, namespace);
    reason = computed.reason;
    return computed;
  };
  const params = {
    body,
    model: requested,
    scope,
    directives: options.directives ?? { lookup: true, store: true },
    namespace,
  };
  let cached: Awaited<ReturnType<typeof answerThroughCache>>;
  try {
    cached = await answerThroughCache(params, app, compute);
  } catch (err) {
    // This request joined another's computation, and that request's own limits refused it:
    // answer on this request's account instead of inheriting someone else's 429.
    if (!(err instanceof LimitRefusal) || err.requestId === app.requestId) throw err;
    cached = await answerThroughCache(
      { ...params, directives: { lookup: false, store: params.directives.store } },
      app,
      compute,
    );
  }
  // A hit (or a shared computation) reserved nothing: the request window still admits it.
  await ensureAdmitted(app);
  app.logFields.cache = cached.status;
  app.logFields.model = cached.answer.model;
  const answer = cached.fromCache ? asServedFromCache(cached.answer) : cached.answer;
  if (cached.fromCache) {
    // This request spent nothing on it; a batch sibling may have spent, and its total stands.
    app.logFields.tokens ??= 0;
    app.logFields.cost_usd ??= 0;
  }
  return {
    answer,
    reason,
    cache: {
      status: cached.status,
      fromCache: cached.fromCache,
      coalesced: cached.coalesced,
      ...(cached.semantic ? { semantic: cached.semantic } : {}),
      saved: cached.saved,
    },
  };
}

/** The cache fields of a query response body. */
export function cacheFields(cache: QueryCacheInfo): Record<string, unknown> {
  return {
    from_cache: cache.fromCache,
    cache: cache.status,
    coalesced: cache.coalesced,
    cache_saved: cache.saved
      ? { total_tokens: cache.saved.tokens, cost_usd: cache.saved.usd }
      : null,
    // Only the similarity: the matched question is another caller's text, never shown.
    semantic_match: cache.semantic ? { similarity: cache.semantic.similarity } : null,
  };
}

/** A cached answer as this request experienced it: nothing spent, nothing attempted. */
function asServedFromCache(answer: QueryAnswer): QueryAnswer {
  return {
    ...answer,
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0 },
    attempts: [],
    timings: { retrieval_ms: 0, generation_ms: 0 },
  };
}

/**
 * The RAG path itself (no cache): embed, retrieve, choose, pack, reserve, generate, settle,
 * account. The reservation is made once the prompts are built (the costliest link of the
 * fallback chain: its counted tokens plus the completion cap, with the question's embedding) and
 * settled with the reported usage, or with the embedding alone on failure.
 */
async function computeAnswer(
  body: QueryRequest,
  model: string,
  app: AppContext,
  knownVector: Float32Array | null,
  scope: CacheScope,
  namespace: string,
): Promise<Computed<QueryAnswer> & { reason: string }> {
  const services = getServices(app.config);
  const indexName = indexObjectName(namespace);
  const embed = embedderFor(app);
  // What embedding the question costs: reserved with the generation, part of the answer's cost.
  // A vector the semantic lookup already made was reserved and paid for there.
  const { tokens: embedTokens, usd: embedUsd } =
    body.retrieval === "lexical" || knownVector
      ? { tokens: 0, usd: 0 }
      : embeddingCost(app, body.query);
  const hold = spendHold(app);
  // Admission and the question's embedding are reserved before anything is embedded or searched.
  await hold.raise({ tokens: embedTokens, usd: embedUsd });
  const withEmbedding = (e: Spend) => ({
    tokens: e.tokens + embedTokens,
    usd: e.usd + embedUsd,
  });
  let queryVector = knownVector;
  let result: Awaited<ReturnType<typeof answerQuery>>;
  try {
    result = await answerQuery(
      {
        query: body.query,
        k: body.k,
        ...(body.filter ? { filter: body.filter } : {}),
        model,
        priority: body.priority,
        ...(body.max_context_tokens !== undefined
          ? { maxContextTokens: body.max_context_tokens }
          : {}),
        retrieval: body.retrieval,
        maxTokens: ANSWER_MAX_TOKENS,
        deadlineAt: deadlineFor(app),
      },
      {
        counter: services.counter,
        catalog: app.config.catalog,
        available: services.available,
        ...(app.config.fallbackModels ? { fallbackModels: app.config.fallbackModels } : {}),
        clock: () => Date.now(),
        resilience: resilienceFor(app),
        embedQuery: async (text) => {
          if (queryVector) return { ok: true, value: queryVector };
          const r = await embed([text]);
          if (!r.ok) return r;
          const vector = r.value.vectors[0];
          if (!vector) {
            return {
              ok: false,
              failure: { reason: "bad_response", message: "no vector", retryable: false },
            };
          }
          queryVector = vector;
          return { ok: true, value: vector };
        },
        search: async (p) => {
          const found = await searchNamespace(app, namespace, {
            text: p.text,
            vector: p.vector ? float32ToBytes(p.vector) : null,
            embeddingModel: app.config.embeddingModel,
            k: p.k,
            ...(p.filter ? { filter: p.filter } : {}),
            mode: p.mode,
            scope,
          });
          // A miss's own search refreshes what this isolate knows of the cache state.
          observeSearchState(app, scope, found.state, indexName);
          return found;
        },
        providerFor: (m) => upstreamFor(app, services.providerFor(m)),
        beforeGenerate: (estimate) => hold.raise(withEmbedding(estimate)),
        coverLink: (estimate) => hold.tryRaise(withEmbedding(estimate)),
      },
    );
  } catch (err) {
    // The question was embedded; nothing else was billed.
    await hold.settle({ tokens: embedTokens, usd: embedUsd });
    throw err;
  }
  const { answer, reason } = result;
  await hold.settle({
    tokens: answer.usage.total_tokens + embedTokens,
    usd: answer.usage.cost_usd + embedUsd,
  });
  recordUsage(app, answer.model, answer.usage, answer.usage.cost_usd);
  // For tracing one request: which models were tried and where the time went.
  app.logFields.degraded = answer.degraded;
  app.logFields.attempts = answer.attempts;
  app.logFields.retrieval_ms = answer.timings.retrieval_ms;
  app.logFields.generation_ms = answer.timings.generation_ms;
  if (answer.degraded) app.metrics.inc("ragway_degraded_answers_total", { route: app.route });

  // What answering from scratch costs: the generation plus embedding the question.
  return {
    answer,
    reason,
    cost: {
      tokens: answer.usage.total_tokens + embedTokens,
      usd: answer.usage.cost_usd + embedUsd,
    },
    // A degraded answer reflects a passing outage: never freeze it into the cache.
    cacheable: !answer.degraded,
    queryVector,
  };
}

/** The answer as Server-Sent Events: a `sources` event, the answer in pieces, then `done`. */
function sseAnswer(
  payload: QueryAnswer & Record<string, unknown>,
  headers: Record<string, string>,
): Response {
  const { answer, ...rest } = payload;
  const events: string[] = [];
  events.push(
    `event: sources\ndata: ${JSON.stringify({ sources: rest.sources, model: rest.model })}\n\n`,
  );
  for (const piece of answer.match(/\S+\s*/g) ?? []) {
    events.push(`event: delta\ndata: ${JSON.stringify({ text: piece })}\n\n`);
  }
  events.push(`event: done\ndata: ${JSON.stringify(rest)}\n\n`);
  return new Response(events.join(""), {
    headers: {
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
    },
  });
}
