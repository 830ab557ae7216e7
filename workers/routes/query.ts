// POST /v1/query: parse, authorize the namespace, answer through the isolate's query service
// (workers/query-service), shape the documented response (JSON, or Server-Sent Events).
import type { RoutedRequest } from "../http/routed-request.js";
import { QueryRequestSchema } from "../../shared/api/schemas.js";
import { ageHeader, cacheDirectives } from "../../shared/cache/directives.js";
import type { QueryAnswer } from "../../shared/rag/answer-query.js";
import type { QueryCacheInfo } from "../../shared/rag/query-service.js";
import { stringifyJson } from "../../shared/util/frozen-json.js";
import type { AppContext } from "../context.js";
import { embeddingCost } from "../embedder.js";
import { readJson } from "../http/read-json.js";
import { jsonText } from "../http/respond.js";
import { ensureGrants } from "../limits/admission.js";
import { runQuery } from "../query-service.js";
import { namespaceFor } from "../tenancy/permissions.js";

export async function postQuery(request: RoutedRequest, app: AppContext): Promise<Response> {
  // Repeat questions (cache hits) repeat their bodies: a recent one is not validated again.
  const body = await readJson(request, QueryRequestSchema, app.config.MAX_BODY_BYTES, {
    repeats: true,
  });
  // Questions can carry personal data: their text reaches the log only when the operator opts in.
  if (app.config.LOG_QUERIES) app.logFields.query = body.query;
  const directives = cacheDirectives(
    body.use_cache,
    request.headers.get("cache-control"),
    request.headers.get("pragma"),
  );
  // A key this isolate has not seen is admitted here (its grants name the namespace): the
  // question's embedding, its likely first reservation, rides on the same call (counted only
  // then: a known key's cache hit counts no tokens).
  await ensureGrants(app, () =>
    body.retrieval === "lexical" ? { tokens: 0, usd: 0 } : embeddingCost(app.config, body.query),
  );
  const namespace = namespaceFor(app, body.namespace);
  const served = await runQuery(body, app, { directives, namespace }, app.logFields);
  const payload = {
    ...served.answer,
    ...cacheFields(served.cache),
    timings: { total_ms: Date.now() - app.started, ...served.answer.timings },
    request_id: app.requestId,
  };
  const headers = {
    "x-cache": served.cache.status,
    "x-model-reason": served.reason,
    ...(served.cache.fromCache ? ageHeader(served.cache.createdAt, Date.now()) : {}),
  };
  if (body.stream) return sseAnswer(payload, headers);
  // A cached answer's sources are serialised once per entry in memory, not once per hit.
  return jsonText(stringifyJson(payload), { headers });
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
