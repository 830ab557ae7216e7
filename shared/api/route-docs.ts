// What each public route means, for the API description: summary, the zod schemas it validates
// with and answers in, its own errors. Who may call it, and whether it is limited or spends, come
// from its row in the route table (shared/api/route-table), which these entries are keyed by.
import type { z } from "zod";
import type { NamedSchema, RouteDoc } from "./route-doc.js";
import type { RouteKey } from "./route-table.js";
import {
  CachePurgeResponseSchema,
  CreatedKeyResponseSchema,
  DocumentDeletedResponseSchema,
  DocumentListResponseSchema,
  DocumentResponseSchema,
  HealthResponseSchema,
  IngestJobResponseSchema,
  IngestResponseSchema,
  KeyListResponseSchema,
  KeyResponseSchema,
  LookupResponseSchema,
  NamespaceCreatedResponseSchema,
  NamespaceDeletedResponseSchema,
  NamespaceListResponseSchema,
  MetricsTextSchema,
  OpenApiDocumentSchema,
  QueryResponseSchema,
  StatsResponseSchema,
  UsageResponseSchema,
} from "./responses.js";
import {
  BatchQueryRequestSchema,
  CachePurgeRequestSchema,
  CreateKeyRequestSchema,
  CreateNamespaceRequestSchema,
  IngestRequestSchema,
  LookupRequestSchema,
  QueryRequestSchema,
} from "./schemas.js";
import { ChatCompletionRequestSchema, EmbeddingsRequestSchema } from "./openai.js";
import { RequestLogResponseSchema } from "./request-log-api.js";
import {
  BatchQueryResponseSchema,
  ChatCompletionResponseSchema,
  EmbeddingsResponseSchema,
  ModelListResponseSchema,
  ModelResponseSchema,
} from "./openai-responses.js";

export type { NamedSchema, RouteDoc };

const named = (name: string, schema: z.ZodType): NamedSchema => ({ name, schema });

/** Every public route's description, keyed by the route table (a missing or extra key does not
 * compile). */
export const ROUTE_DOCS: Record<RouteKey, RouteDoc> = {
  "GET /health": {
    operationId: "getHealth",
    summary: "Liveness, version and provider mode",
    description:
      "Answered by the isolate alone: never requires a key and calls no Durable Object, so use it for uptime checks. The index's document and chunk counts are in `GET /v1/stats` (admin).",
    tag: "System",
    response: { description: "The gateway is up.", schema: named("Health", HealthResponseSchema) },
  },
  "GET /openapi.json": {
    operationId: "getOpenApi",
    summary: "This API description (OpenAPI 3.1)",
    description:
      "Generated from the zod schemas the routes validate with and the router's route table, so it cannot drift from the code. Rendered readably at /api.",
    tag: "System",
    response: {
      description: "The OpenAPI 3.1 document.",
      schema: named("OpenApiDocument", OpenApiDocumentSchema),
    },
  },
  "POST /v1/documents": {
    operationId: "ingestDocuments",
    summary: "Ingest documents: chunk, embed, upsert",
    description:
      'Up to 100 documents are ingested while the client waits (200). With `"async": true`, or by itself when a call has more than 100 documents (up to 1,000) or more than 1,000,000 characters of text, the call answers 202 with an ingestion job at once: poll `GET /v1/jobs/{id}` (the `Location` header) for its progress. A job reserves its embedding tokens when it is submitted (so a spent budget is a 429 then, not a failed job) and is charged what was actually embedded when it finishes. A document whose content and embedding model are unchanged is not re-embedded (status `unchanged`); an id is derived from the text when absent, so re-ingesting is idempotent.',
    tag: "Documents",
    namespaced: true,
    request: named("IngestRequest", IngestRequestSchema),
    maxBodyBytes: "10 MB",
    response: {
      description: "Each document's status and chunk count, and the new index version.",
      schema: named("IngestResponse", IngestResponseSchema),
    },
    accepted: {
      description: "Ingested as a job: its id and progress so far.",
      schema: named("IngestJob", IngestJobResponseSchema),
      headers: { Location: "`/v1/jobs/{id}`, where the job's progress is read" },
    },
    errors: { 503: "the embedding model could not be reached" },
  },
  "POST /v1/documents/lookup": {
    operationId: "lookupDocuments",
    summary: "Look up documents by id without their text",
    description:
      "Content hashes, metadata and embedding model of up to 1,000 ids in one call, so a client can skip documents that are unchanged. The ingest CLI uses it to resume.",
    tag: "Documents",
    namespaced: true,
    request: named("LookupRequest", LookupRequestSchema),
    response: {
      description: "The ids that exist, and those that do not.",
      schema: named("LookupResponse", LookupResponseSchema),
    },
  },
  "GET /v1/documents": {
    operationId: "listDocuments",
    summary: "List documents, a page at a time",
    description:
      "Documents in id order without their text, with their chunk counts. Filter by id prefix and by exact metadata values (`metadata.lang=en`; `metadata[lang]=en` works too; numbers and booleans match their text). Pass `next_cursor` back as `cursor` for the next page; it is `null` on the last one.",
    tag: "Documents",
    namespaced: true,
    queryParams: {
      namespace: "the namespace (default: the key's first)",
      limit: "documents per page, 1 to 100 (default 20)",
      cursor: "the previous page's `next_cursor`",
      prefix: "only ids that start with this",
      "metadata.<key>": "only documents whose metadata `key` equals this value (repeatable)",
    },
    response: {
      description: "One page of documents and the cursor of the next.",
      schema: named("DocumentList", DocumentListResponseSchema),
    },
  },
  "GET /v1/documents/:id+": {
    operationId: "getDocument",
    summary: "Read one document",
    description:
      "The id is the rest of the path, `/` included (`/v1/documents/guides/setup.md`); `%2F` works too.",
    tag: "Documents",
    namespaced: true,
    queryParams: { namespace: "the namespace (default: the key's first)" },
    pathParams: { id: "the document id; may contain `/`" },
    response: { description: "The document.", schema: named("Document", DocumentResponseSchema) },
    errors: { 404: "also: `not_found`: no document has this id" },
  },
  "DELETE /v1/documents/:id+": {
    operationId: "deleteDocument",
    summary: "Delete one document and its chunks",
    description:
      "Bumps the index version, so cached answers that used it are not served again: at once by the isolate that deleted it, within CACHE_STATE_TTL_MS by every other.",
    tag: "Documents",
    namespaced: true,
    queryParams: { namespace: "the namespace (default: the key's first)" },
    pathParams: { id: "the document id; may contain `/`" },
    response: {
      description: "The document is gone.",
      schema: named("DocumentDeleted", DocumentDeletedResponseSchema),
    },
    errors: { 404: "also: `not_found`: no document has this id" },
  },
  "GET /v1/jobs/:id": {
    operationId: "getJob",
    summary: "An ingestion job's progress",
    description:
      "State, documents done, failed (each with its reason) and remaining, and the embedding tokens billed so far. A key reads the jobs of the namespaces it is granted; a finished job can be read for 7 days.",
    tag: "Documents",
    pathParams: { id: "the job id, as `POST /v1/documents` answered it" },
    response: { description: "The job.", schema: named("IngestJob", IngestJobResponseSchema) },
    errors: { 404: "`job_not_found`: no job has this id in a namespace the key may use" },
  },
  "POST /v1/query": {
    operationId: "query",
    summary: "Answer a question from the documents (RAG)",
    description:
      "Retrieves the best chunks (hybrid dense + BM25 by default), packs them into the model's context budget with exact token counts, and generates a cited answer through the fallback chain; the last link is an extractive answer, so a query is always answered.",
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
  "POST /v1/chat/completions": {
    operationId: "createChatCompletion",
    summary: "OpenAI-compatible chat completion",
    description:
      "OpenAI's request and response, streamed or not. `model` is a catalog chat model or `auto` (task complexity x `priority`, ragway's one extra field). The parameters an OpenAI-compatible upstream understands pass through. Each model of the fallback chain sits behind retries and a circuit breaker; a stream is retried and falls back until its first byte, and a stream the upstream cuts ends with an error event instead of `[DONE]`. A non-streamed request that is reproducible (`temperature` 0, or a `seed`) is answered from the caller's cache when repeated; a sampled one (any other temperature, or none) reaches the model every time (`X-Cache: BYPASS`) unless it sends `Cache-Control: max-age=<n>`, which also bounds the age, in seconds, of a cached completion on any request. `Cache-Control: no-cache` asks for a fresh completion (stored), `no-store` keeps it out of the cache.",
    tag: "OpenAI",
    request: named("ChatCompletionRequest", ChatCompletionRequestSchema),
    response: {
      description: "The completion, with the model that answered, usage, degraded and attempts.",
      schema: named("ChatCompletion", ChatCompletionResponseSchema),
      alternatives: {
        "text/event-stream":
          'with `stream: true`: OpenAI\'s `chat.completion.chunk` events, then `data: [DONE]` (a usage chunk first with `stream_options.include_usage`); a broken upstream stream ends with `data: {"error": ...}` and no [DONE]',
      },
      headers: {
        "X-Model": "the catalog model that answered",
        "X-Model-Reason": "why the first model was chosen, or `cached`",
        "X-Degraded": "true when a fallback answered",
        "X-Attempts": "how many tries and skips it took",
        "X-Cache":
          "MISS, BYPASS (a sampled request, or one that skipped the cache) or the cache tier that answered (non-streamed only)",
      },
    },
    errors: {
      400: "also: an unknown or unavailable model; a prompt no model's window can take (`context_length_exceeded`); the upstream rejected the request",
      503: "no model could answer; `error.attempts` lists every try",
    },
  },
  "POST /v1/embeddings": {
    operationId: "createEmbeddings",
    summary: "OpenAI-compatible embeddings",
    description:
      "`input` is a string or up to 2,048 strings; `model` an embedding model of the catalog whose provider is configured. Through the embedding cache and the retry loop; `encoding_format` float or base64, `dimensions` shortens and re-normalizes.",
    tag: "OpenAI",
    request: named("EmbeddingsRequest", EmbeddingsRequestSchema),
    response: {
      description: "One vector per input, in input order, with exact token usage.",
      schema: named("Embeddings", EmbeddingsResponseSchema),
    },
    errors: {
      400: "also: an unknown or unavailable model; an input longer than the model's window (`context_length_exceeded`)",
      503: "the embedding model could not be reached",
    },
  },
  "GET /v1/models": {
    operationId: "listModels",
    summary: "OpenAI-compatible model list",
    description: "`auto` and every catalog model whose provider this deployment has configured.",
    tag: "OpenAI",
    response: {
      description: "The models in OpenAI's list shape, with kind, window, prices and tiers.",
      schema: named("ModelList", ModelListResponseSchema),
    },
  },
  "GET /v1/models/:id": {
    operationId: "getModel",
    summary: "One model",
    description: "A model from the list above.",
    tag: "OpenAI",
    pathParams: { id: "the model id (`auto` included)" },
    response: { description: "The model.", schema: named("Model", ModelResponseSchema) },
    errors: { 404: "no such model on this deployment" },
  },
  "GET /v1/stats": {
    operationId: "getStats",
    summary: "Global counters and the index's size",
    description:
      "The counters aggregated from every isolate by the METRICS object, and the document index's document and chunk counts and version (read from the INDEX object).",
    tag: "Admin",
    response: {
      description: "Counters by name, and the cache section derived from them.",
      schema: named("Stats", StatsResponseSchema),
    },
  },
  "GET /metrics": {
    operationId: "getMetrics",
    summary: "Prometheus metrics",
    description:
      "Every metric in the Prometheus text exposition format (version 0.0.4), from the global aggregate in the METRICS object. Opens with the admin token or METRICS_TOKEN.",
    tag: "Admin",
    response: {
      description: "The exposition text.",
      schema: named("MetricsText", MetricsTextSchema),
      mediaType: "text/plain; version=0.0.4",
    },
  },
  "POST /admin/keys": {
    operationId: "createKey",
    summary: "Create an API key (the secret is shown once)",
    description:
      'Limits left out come from DEFAULT_RPM, DEFAULT_TPM, DEFAULT_DAILY_BUDGET_USD and DEFAULT_MONTHLY_BUDGET_USD. Bounds: rpm 1..100000, tpm 1..100000000, budgets 0..1000000 USD. `namespaces` (default `["default"]`, each must exist) and `scopes` (default: all but `documents:write`) say where and what the key may do. The key works everywhere at once; only its SHA-256 is stored.',
    tag: "Admin",
    request: named("CreateKeyRequest", CreateKeyRequestSchema),
    response: {
      description: "The new key's record and, only here, its secret.",
      status: 201,
      schema: named("CreatedKey", CreatedKeyResponseSchema),
    },
    errors: { 404: "`namespace_not_found`: a named namespace does not exist" },
  },
  "GET /admin/keys": {
    operationId: "listKeys",
    summary: "List API keys, without secrets",
    description: "Every key's record, newest first, from KV (eventually consistent).",
    tag: "Admin",
    response: { description: "The keys.", schema: named("KeyList", KeyListResponseSchema) },
  },
  "DELETE /admin/keys/:id": {
    operationId: "revokeKey",
    summary: "Revoke an API key",
    description:
      "Recorded in the key's LIMITER object, which every request with the key consults: the next request with it is refused with 401, in every location.",
    tag: "Admin",
    pathParams: { id: "the key id (`key_...`)" },
    response: { description: "The key, now revoked.", schema: named("Key", KeyResponseSchema) },
    errors: { 404: "no key has this id" },
  },
  "GET /admin/requests": {
    operationId: "listRequests",
    summary: "The request log, newest first",
    description:
      "The last 1,000 requests of the last 24 hours (whichever is fewer), as the console shows them: time, route, status, key, model, cache status, tokens, cost, latency and gateway overhead. Query parameters, all optional: `status` (429, or a class such as 4xx), `route` (a route pattern such as /v1/query), `key` (a key id, key name or anonymous id), `limit` (1..200, default 50), `before` (the previous page's `next_before`, or an ISO 8601 time). Question text is recorded only with LOG_QUERIES=true. Records travel with each isolate's metrics flush, so a request appears within METRICS_FLUSH_MS; /health, /metrics, /v1/stats and this route are not logged.",
    tag: "Admin",
    response: {
      description: "A page of the log, and the routes and keys it holds (for filters).",
      schema: named("RequestLog", RequestLogResponseSchema),
    },
  },
  "POST /admin/cache/purge": {
    operationId: "purgeCache",
    summary: "Purge the answer and embedding caches",
    description:
      "No body purges everything. Answers and chat completions are purged by bumping per-tier purge epochs that every lookup keys on, so they become unreachable at once in the isolate that purged and within CACHE_STATE_TTL_MS in every other isolate and colo (chat: plus KV's propagation); KV keys and this isolate's memory are then reclaimed (up to 400 KV deletions per call).",
    tag: "Admin",
    request: named("CachePurgeRequest", CachePurgeRequestSchema),
    optionalBody: true,
    maxBodyBytes: "64 KB",
    response: {
      description: "What was purged.",
      schema: named("CachePurgeResponse", CachePurgeResponseSchema),
    },
  },
  "POST /admin/namespaces": {
    operationId: "createNamespace",
    summary: "Create a namespace",
    description:
      "A namespace is a separate document index with its own INDEX object, version, answer-cache scope and purge. Names match `[a-z0-9][a-z0-9_-]{0,62}`; `default` always exists. `shards` (1..32, default 1) spreads the documents over that many INDEX objects by a hash of their id; a query asks every shard at once and merges their results, so answers do not depend on the count. Use more than 1 for a namespace past about 10k chunks of 1536 dimensions, or whose ingestion should not queue behind one object.",
    tag: "Admin",
    request: named("CreateNamespaceRequest", CreateNamespaceRequestSchema),
    maxBodyBytes: "4 KB",
    response: {
      description: "The new namespace.",
      status: 201,
      schema: named("NamespaceCreated", NamespaceCreatedResponseSchema),
    },
    errors: {
      400: "also: `shards` not an integer 1..32",
      409: "`conflict`: the namespace already exists",
    },
  },
  "GET /admin/namespaces": {
    operationId: "listNamespaces",
    summary: "List namespaces with document and chunk counts",
    description: "`default` first, then by name; each namespace's counts come from its own index.",
    tag: "Admin",
    response: {
      description: "The namespaces.",
      schema: named("NamespaceList", NamespaceListResponseSchema),
    },
  },
  "DELETE /admin/namespaces/:name": {
    operationId: "deleteNamespace",
    summary: "Delete a namespace, its documents and its cached answers",
    description:
      "Empties the namespace's index and marks it deleted: from then on its documents cannot be read and its cached answers are never served (requests to it answer 404). `default` cannot be deleted.",
    tag: "Admin",
    pathParams: { name: "the namespace name" },
    response: {
      description: "What was deleted.",
      schema: named("NamespaceDeleted", NamespaceDeletedResponseSchema),
    },
    errors: {
      400: "also: `default` cannot be deleted",
      404: "`namespace_not_found`: no such namespace",
    },
  },
};
