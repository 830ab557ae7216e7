// What each public route means, for the API description: summary, auth, the zod schemas it
// validates with and answers in, its errors. Keyed "METHOD /path" exactly as the router's ROUTES
// table; a test fails when the two disagree in either direction.
import type { z } from "zod";
import {
  CachePurgeResponseSchema,
  DocumentDeletedResponseSchema,
  DocumentResponseSchema,
  HealthResponseSchema,
  IngestResponseSchema,
  LookupResponseSchema,
  MetricsTextSchema,
  OpenApiDocumentSchema,
  QueryResponseSchema,
  StatsResponseSchema,
} from "./responses.js";
import {
  CachePurgeRequestSchema,
  IngestRequestSchema,
  LookupRequestSchema,
  QueryRequestSchema,
} from "./schemas.js";

/** A schema and the name it gets under `components.schemas`. */
export interface NamedSchema {
  name: string;
  schema: z.ZodType;
}

/** One route's description. Statuses every route shares (400/413/415 for bodies, 401 for auth,
 * 429 when limited, 500) are derived from `request`, `auth` and `rateLimited`. */
export interface RouteDoc {
  operationId: string;
  summary: string;
  description: string;
  tag: "System" | "Documents" | "Query" | "Admin";
  /** none: open; key: an API key (optional in dev with ALLOW_ANONYMOUS); admin: ADMIN_TOKEN. */
  auth: "none" | "key" | "admin";
  /** True when the route counts against the caller's request limit (rate-limit headers, 429). */
  rateLimited: boolean;
  request?: NamedSchema;
  /** The body size limit the route enforces (413 beyond it). */
  maxBodyBytes?: string;
  /** The body may be left out entirely. */
  optionalBody?: boolean;
  response: {
    description: string;
    schema: NamedSchema;
    /** Extra representations of the same 200, e.g. Server-Sent Events. */
    alternatives?: Record<string, string>;
    /** A non-JSON body: its media type; `schema` then describes the text. */
    mediaType?: string;
    headers?: Record<string, string>;
  };
  pathParams?: Record<string, string>;
  /** Route-specific errors beyond the shared ones: status -> when. */
  errors?: Record<number, string>;
}

const named = (name: string, schema: z.ZodType): NamedSchema => ({ name, schema });

/** Every public route. Keys must match the router's ROUTES entries exactly. */
export const ROUTE_DOCS: Record<string, RouteDoc> = {
  "GET /health": {
    operationId: "getHealth",
    summary: "Liveness, version, provider mode and index size",
    description: "Never requires a key; use it for uptime checks.",
    tag: "System",
    auth: "none",
    rateLimited: false,
    response: { description: "The gateway is up.", schema: named("Health", HealthResponseSchema) },
  },
  "GET /openapi.json": {
    operationId: "getOpenApi",
    summary: "This API description (OpenAPI 3.1)",
    description:
      "Generated from the zod schemas the routes validate with and the router's route table, so it cannot drift from the code. Rendered readably at /api.",
    tag: "System",
    auth: "none",
    rateLimited: false,
    response: {
      description: "The OpenAPI 3.1 document.",
      schema: named("OpenApiDocument", OpenApiDocumentSchema),
    },
  },
  "POST /v1/documents": {
    operationId: "ingestDocuments",
    summary: "Ingest documents: chunk, embed, upsert",
    description:
      "Up to 100 documents per call. A document whose content and embedding model are unchanged is not re-embedded (status `unchanged`); an id is derived from the text when absent, so re-ingesting is idempotent.",
    tag: "Documents",
    auth: "key",
    rateLimited: true,
    request: named("IngestRequest", IngestRequestSchema),
    maxBodyBytes: "10 MB",
    response: {
      description: "Each document's status and chunk count, and the new index version.",
      schema: named("IngestResponse", IngestResponseSchema),
    },
    errors: { 503: "the embedding model could not be reached" },
  },
  "POST /v1/documents/lookup": {
    operationId: "lookupDocuments",
    summary: "Look up documents by id without their text",
    description:
      "Content hashes, metadata and embedding model of up to 1,000 ids in one call, so a client can skip documents that are unchanged. The ingest CLI uses it to resume.",
    tag: "Documents",
    auth: "key",
    rateLimited: true,
    request: named("LookupRequest", LookupRequestSchema),
    response: {
      description: "The ids that exist, and those that do not.",
      schema: named("LookupResponse", LookupResponseSchema),
    },
  },
  "GET /v1/documents/:id": {
    operationId: "getDocument",
    summary: "Read one document",
    description: "URL-encode ids that contain `/`.",
    tag: "Documents",
    auth: "key",
    rateLimited: true,
    pathParams: { id: "the document id (URL-encoded)" },
    response: { description: "The document.", schema: named("Document", DocumentResponseSchema) },
    errors: { 404: "no document has this id" },
  },
  "DELETE /v1/documents/:id": {
    operationId: "deleteDocument",
    summary: "Delete one document and its chunks",
    description: "Bumps the index version, so cached answers that used it are not served again.",
    tag: "Documents",
    auth: "key",
    rateLimited: true,
    pathParams: { id: "the document id (URL-encoded)" },
    response: {
      description: "The document is gone.",
      schema: named("DocumentDeleted", DocumentDeletedResponseSchema),
    },
    errors: { 404: "no document has this id" },
  },
  "POST /v1/query": {
    operationId: "query",
    summary: "Answer a question from the documents (RAG)",
    description:
      "Retrieves the best chunks (hybrid dense + BM25 by default), packs them into the model's context budget with exact token counts, and generates a cited answer through the fallback chain; the last link is an extractive answer, so a query is always answered.",
    tag: "Query",
    auth: "key",
    rateLimited: true,
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
  "GET /v1/stats": {
    operationId: "getStats",
    summary: "Global counters",
    description: "The counters aggregated from every isolate by the METRICS object.",
    tag: "Admin",
    auth: "admin",
    rateLimited: false,
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
    auth: "admin",
    rateLimited: false,
    response: {
      description: "The exposition text.",
      schema: named("MetricsText", MetricsTextSchema),
      mediaType: "text/plain; version=0.0.4",
    },
  },
  "POST /admin/cache/purge": {
    operationId: "purgeCache",
    summary: "Purge the answer and embedding caches",
    description:
      "No body purges everything. Answers are purged by bumping per-tier purge epochs that every lookup reads, so they become unreachable at once in every isolate and colo; KV keys and this isolate's memory are then reclaimed (up to 400 KV deletions per call).",
    tag: "Admin",
    auth: "admin",
    rateLimited: false,
    request: named("CachePurgeRequest", CachePurgeRequestSchema),
    optionalBody: true,
    maxBodyBytes: "64 KB",
    response: {
      description: "What was purged.",
      schema: named("CachePurgeResponse", CachePurgeResponseSchema),
    },
  },
};
