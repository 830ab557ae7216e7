// The descriptions of the admin routes (stats, metrics, keys, the request log, cache purge,
// namespaces), for the API description. The admin token opens them all (/metrics also opens with
// METRICS_TOKEN): that comes from the route table, not from these entries.
import type { RouteDoc } from "./route-doc.js";
import { named } from "./route-doc.js";
import type { RouteKey } from "./route-table.js";
import {
  CachePurgeResponseSchema,
  CreatedKeyResponseSchema,
  KeyListResponseSchema,
  KeyResponseSchema,
  MetricsTextSchema,
  NamespaceCreatedResponseSchema,
  NamespaceDeletedResponseSchema,
  NamespaceListResponseSchema,
  StatsResponseSchema,
} from "./responses.js";
import {
  CachePurgeRequestSchema,
  CreateKeyRequestSchema,
  CreateNamespaceRequestSchema,
} from "./schemas.js";
import { RequestLogResponseSchema } from "./request-log-api.js";

/** The Admin routes' descriptions: stats, metrics, keys, the request log, cache purge and namespaces. */
export const ADMIN_ROUTE_DOCS = {
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
} satisfies Partial<Record<RouteKey, RouteDoc>>;
