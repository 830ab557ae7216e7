// The descriptions of the question-answering routes (a query, a batch of them) and of the
// caller's usage, for the API description. Usage sits here because it is the caller's view of
// the limits those routes spend against; its tag (Limits) still comes from its own entry.
import type { RouteDoc } from "./route-doc.js";
import { named } from "./route-doc.js";
import type { RouteKey } from "./route-table.js";
import { QueryResponseSchema, UsageResponseSchema } from "./responses.js";
import { BatchQueryRequestSchema, QueryRequestSchema } from "./schemas.js";
import { BatchQueryResponseSchema } from "./openai-responses.js";

/** The Query routes' descriptions and the caller's usage (tag Limits). */
export const QUERY_ROUTE_DOCS = {
  "POST /v1/query": {
    operationId: "query",
    summary: "Answer a question from the documents (RAG)",
    description:
      "Retrieves the best chunks (hybrid dense + BM25 by default), packs them into the model's context budget with exact token counts, and generates a cited answer through the fallback chain; the last link is an extractive answer, so a query is always answered. A repeated question is answered from the cache, whose keys include the index version: after a document write, an earlier answer is served for at most `CACHE_STATE_TTL_MS` (1 s by default; 0 makes it never). `use_cache: false` or `Cache-Control: no-cache` asks for a fresh answer (stored), `no-store` also keeps it out of the cache, and `Cache-Control: max-age=<n>` accepts a cached answer only up to n seconds old.",
    tag: "Query",
    namespaced: true,
    request: named("QueryRequest", QueryRequestSchema),
    response: {
      description: "The answer with its sources, model, usage, cost and timings.",
      schema: named("QueryResponse", QueryResponseSchema),
      alternatives: {
        "text/event-stream":
          "with `stream: true`: a `sources` event, the answer as `delta` events, then `done` with the rest of the response",
      },
      headers: {
        "X-Cache": "MISS, BYPASS or the cache tier that answered",
        Age: "on a cache hit: seconds since the answer was computed",
        "X-Model-Reason": "why this model was chosen",
      },
    },
    errors: { 400: "also: an unknown or unavailable model" },
  },
  "GET /v1/usage": {
    operationId: "getUsage",
    summary: "The caller's usage, limits and remaining budget",
    description:
      "Requests in the current 60-second window, tokens left in the bucket and used today and this month, USD spent, held and remaining today and this month, with reset times. Not counted against the request limit, so it answers while the caller is limited.",
    tag: "Limits",
    response: {
      description: "The caller's standing.",
      schema: named("Usage", UsageResponseSchema),
      headers: {
        "X-RateLimit-Limit": "requests allowed per minute",
        "X-RateLimit-Remaining": "requests left in the current window",
        RateLimit: "the IETF draft's remaining-quota field",
      },
    },
  },
  "POST /v1/query/batch": {
    operationId: "queryBatch",
    summary: "Answer up to 50 queries at once",
    description:
      "Each item is a `/v1/query` body (without `stream`). The queries run concurrently (BATCH_CONCURRENCY at a time) through the answer cache, and the results come back in input order; an item that fails, including one that fails validation, is an inline error, never a failed batch.",
    tag: "Query",
    namespaced: true,
    request: named("BatchQueryRequest", BatchQueryRequestSchema),
    response: {
      description: "One result per query, in order: an answer or an error.",
      schema: named("BatchQueryResponse", BatchQueryResponseSchema),
    },
  },
} satisfies Partial<Record<RouteKey, RouteDoc>>;
