// Response shapes of the public API, for the API description. Integration tests parse real
// responses with these, so a route that changes its output without changing them fails a test.
import { z } from "zod";
import { SCOPES } from "../tenancy/grants.js";
import type { IngestJobView } from "../jobs/job-types.js";
import { MetadataSchema } from "./schemas.js";

export const ErrorResponseSchema = z
  .object({
    error: z.object({
      message: z.string().describe("what went wrong, for humans"),
      type: z
        .string()
        .describe(
          "OpenAI's error class: invalid_request_error, authentication_error, permission_error, rate_limit_error, insufficient_quota, api_error or server_error",
        ),
      code: z.string().describe("the machine-readable reason, e.g. invalid_request"),
      param: z.string().nullable().describe("the offending field, when there is one"),
    }),
    request_id: z.string(),
  })
  .describe("Every error, in OpenAI's shape plus the request id.");

export const HealthResponseSchema = z.object({
  status: z.literal("ok"),
  version: z.string(),
  environment: z.enum(["development", "test", "production"]),
  provider: z.enum(["local", "openai"]).describe("local: offline provider; openai: upstream"),
  embedding_model: z.string(),
});

const DocumentStatusSchema = z.enum(["created", "updated", "unchanged"]);

export const IngestResponseSchema = z.object({
  object: z.literal("list"),
  namespace: z
    .string()
    .optional()
    .describe("the namespace acted on (always sent; optional so clients accept older gateways)"),
  documents: z.array(
    z.object({
      id: z.string(),
      status: DocumentStatusSchema,
      chunks: z.number().int().describe("chunks written (0 when unchanged)"),
    }),
  ),
  index_version: z.number().int(),
  usage: z.object({ embedding_tokens: z.number().int() }),
});

export const IngestJobStateSchema = z.enum([
  "queued",
  "running",
  "completed",
  "completed_with_errors",
  "failed",
]);

export const IngestJobResponseSchema = z.object({
  object: z.literal("ingest.job"),
  id: z.string().describe("job_ followed by 32 hex digits"),
  namespace: z.string(),
  state: IngestJobStateSchema.describe(
    "queued, running, then completed (every document stored), completed_with_errors (some failed) or failed (all failed)",
  ),
  total: z.number().int().describe("distinct documents in the job"),
  done: z.number().int().describe("documents stored, or found unchanged"),
  failed: z.number().int().describe("documents that kept failing; their reasons are in `errors`"),
  remaining: z.number().int().describe("documents not yet done or failed"),
  errors: z.array(z.object({ id: z.string(), reason: z.string() })),
  chunks: z.number().int().describe("chunks written so far"),
  embedding_tokens: z.number().int().describe("tokens embedded so far (what is billed)"),
  created_at: z.number().int().describe("Unix seconds"),
  finished_at: z.number().int().nullable().describe("Unix seconds; `null` until nothing remains"),
}) satisfies z.ZodType<IngestJobView>;

export const DocumentSummarySchema = z.object({
  id: z.string(),
  content_hash: z.string().describe("SHA-256 over text, title, source and metadata"),
  embedding_model: z.string().describe("the model the stored chunks were embedded with"),
  metadata: MetadataSchema,
  chunks: z.number().int(),
  updated_at: z.iso.datetime(),
});

export const LookupResponseSchema = z.object({
  object: z.literal("list"),
  namespace: z
    .string()
    .optional()
    .describe("the namespace acted on (always sent; optional so clients accept older gateways)"),
  embedding_model: z
    .string()
    .describe("the index's current embedding model: a document embedded otherwise is stale"),
  documents: z.array(DocumentSummarySchema).describe("the ids that exist, without their text"),
  missing: z.array(z.string()).describe("the ids that do not exist"),
});

export const DocumentResponseSchema = z.object({
  object: z.literal("document"),
  namespace: z.string().describe("the namespace acted on"),
  id: z.string(),
  title: z.string(),
  source: z.string(),
  metadata: MetadataSchema,
  text: z.string(),
  content_hash: z.string(),
  embedding_model: z.string(),
  chunks: z.number().int(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});

/** `GET /v1/documents`: one page of documents without their text. */
export const DocumentListResponseSchema = z.object({
  object: z.literal("list"),
  namespace: z.string().describe("the namespace listed"),
  data: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      source: z.string(),
      metadata: MetadataSchema,
      chunks: z.number().int().describe("chunks the document was split into"),
      updated_at: z.iso.datetime(),
    }),
  ),
  next_cursor: z
    .string()
    .nullable()
    .describe("pass as `cursor` for the next page; `null` on the last page"),
});

export const DocumentDeletedResponseSchema = z.object({
  object: z.literal("document.deleted"),
  namespace: z.string().describe("the namespace acted on"),
  id: z.string(),
  deleted: z.literal(true),
  index_version: z.number().int(),
});

export const QueryResponseSchema = z.object({
  answer: z.string().describe("the answer, citing sources as [n]"),
  sources: z.array(
    z.object({
      id: z.string(),
      chunk_id: z.string(),
      title: z.string(),
      source: z.string(),
      score: z.number(),
      text: z.string(),
    }),
  ),
  model: z.string(),
  degraded: z.boolean().describe("true when a fallback answered instead of the chosen model"),
  from_cache: z.boolean(),
  cache: z
    .enum(["HIT-MEMORY", "HIT-EDGE", "HIT-KV", "HIT-SEMANTIC", "MISS", "BYPASS"])
    .describe("which cache tier answered, MISS, or BYPASS when the cache was skipped"),
  coalesced: z
    .boolean()
    .describe("served by waiting for an identical question already being answered"),
  cache_saved: z
    .object({ total_tokens: z.number().int(), cost_usd: z.number() })
    .nullable()
    .describe("on a hit: what the original computation cost"),
  semantic_match: z
    .object({ similarity: z.number() })
    .nullable()
    .describe(
      "on a semantic hit: how similar the cached question was (the question itself is another caller's, never returned)",
    ),
  usage: z.object({
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    total_tokens: z.number().int(),
    cost_usd: z.number(),
  }),
  attempts: z.array(
    z.object({
      model: z.string(),
      ok: z.boolean(),
      reason: z.string().optional(),
      status: z.number().int().optional(),
    }),
  ),
  timings: z.object({
    total_ms: z.number(),
    retrieval_ms: z.number(),
    generation_ms: z.number(),
  }),
  index_version: z.number().int(),
  context_tokens: z.number().int(),
  request_id: z.string(),
});

const CacheSectionSchema = z.object({
  lookups: z.number().int(),
  hits: z.record(z.string(), z.number()).describe("hits per tier"),
  misses: z.number().int(),
  hit_rate: z.record(z.string(), z.number()).describe("per tier and total, 0..1"),
  saved: z.object({ tokens: z.number(), usd: z.number() }),
});

const numbers = z.record(z.string(), z.number());

/** GET /metrics: Prometheus text. */
export const MetricsTextSchema = z
  .string()
  .describe("Prometheus text exposition: # HELP / # TYPE lines, then one sample per line");

export const StatsResponseSchema = z.object({
  object: z.literal("stats"),
  generated_at: z.string().describe("ISO 8601 time of this summary"),
  metrics_enabled: z.boolean(),
  requests: z.object({
    total: z.number(),
    errors_5xx: z.number(),
    by_status_class: numbers,
    by_route: numbers,
  }),
  latency_seconds: z.object({
    p50: z.number().nullable(),
    p95: z.number().nullable(),
    count: z.number(),
  }),
  caches: z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .describe("per cache: lookups, hits per tier, hit rates"),
  saved: z.object({ tokens: z.number(), usd: z.number() }),
  tokens: z.object({ in: z.number(), out: z.number() }),
  cost_usd: z.number(),
  rate_limited: z.object({ total: z.number(), by_reason: numbers }),
  degraded_answers: z.number(),
  models: z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .describe("per model: calls, failures, fallbacks, breaker state"),
  index: z
    .object({
      documents: z.number(),
      chunks: z.number(),
      version: z
        .number()
        .int()
        .describe("the `default` namespace's version: bumped by every write there"),
    })
    .describe("document and chunk totals over every namespace"),
  namespaces: z
    .array(
      z.object({
        name: z.string(),
        documents: z.number(),
        chunks: z.number(),
        version: z.number().int().describe("bumped by every write; answer caches key on it"),
      }),
    )
    .describe("each live namespace's counts, `default` first"),
  history: z
    .array(z.record(z.string(), z.unknown()))
    .describe("recent per-interval rates for charts"),
  cache: z.object({
    answer: CacheSectionSchema.extend({ coalesced: z.number(), bypasses: z.number() }),
    embedding: CacheSectionSchema,
    saved: z.object({ tokens: z.number(), usd: z.number() }),
    errors: z.number(),
    corrupt: z.number(),
  }),
  overhead: z
    .record(
      z.string(),
      z.object({ p50_ms: z.number().nullable(), p95_ms: z.number().nullable(), count: z.number() }),
    )
    .describe("per route: what the gateway adds (request time minus upstream wait), in ms"),
  counters: z.record(
    z.string(),
    z.array(z.object({ labels: z.record(z.string(), z.string()), value: z.number() })),
  ),
});

export const OpenApiDocumentSchema = z
  .object({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }) })
  .describe("This document.");

const EpochsSchema = z
  .object({ memory: z.number().int(), edge: z.number().int(), kv: z.number().int() })
  .describe("the purge epochs now in force per tier");

export const CachePurgeResponseSchema = z.object({
  object: z.literal("cache.purge"),
  scope: z.string().describe('"all", "shared" or "principal:<id>"'),
  caches: z.array(z.enum(["answer", "embedding"])),
  tiers: z.array(z.enum(["memory", "edge", "kv"])),
  answer: z
    .object({
      epochs: EpochsSchema,
      namespaces: z.array(z.string()).describe("the namespaces whose epochs were bumped"),
      memory_entries_deleted: z.number().int().optional(),
      kv_keys_deleted: z.number().int().optional(),
      kv_reclaim_complete: z.boolean().optional(),
    })
    .optional(),
  embedding: z
    .object({
      memory_entries_deleted: z.number().int().optional(),
      kv_keys_deleted: z.number().int().optional(),
      kv_complete: z.boolean().optional(),
    })
    .optional(),
});

/** An API key as admins see it: never the secret, never its hash. */
export const KeyResponseSchema = z.object({
  object: z.literal("key"),
  id: z.string().describe("`key_` + 24 hex digits; also the key's principal id"),
  name: z.string(),
  status: z.enum(["active", "revoked"]),
  created_at: z.iso.datetime(),
  revoked_at: z.iso.datetime().nullable(),
  rpm: z.number().int().describe("requests per minute (exact sliding window)"),
  tpm: z.number().int().describe("tokens per minute (token bucket)"),
  daily_budget_usd: z.number().describe("USD per UTC day"),
  monthly_budget_usd: z.number().describe("USD per UTC month"),
  namespaces: z.array(z.string()).describe("namespaces the key may use; the first is its default"),
  scopes: z.array(z.enum(SCOPES)).describe("what the key may do"),
});

/** POST /admin/namespaces. */
export const NamespaceCreatedResponseSchema = z.object({
  object: z.literal("namespace"),
  name: z.string(),
  created_at: z.iso.datetime(),
  shards: z.number().int().describe("INDEX objects the namespace's documents are spread over"),
});

export const NamespaceListResponseSchema = z.object({
  object: z.literal("list"),
  data: z
    .array(
      z.object({
        object: z.literal("namespace"),
        name: z.string(),
        created_at: z.iso.datetime().nullable().describe("null for `default`"),
        documents: z.number().int(),
        chunks: z.number().int(),
        index_version: z.number().int(),
        shards: z
          .number()
          .int()
          .describe("INDEX objects the documents are spread over; `default` always has 1"),
      }),
    )
    .describe("`default` first, then by name"),
});

export const NamespaceDeletedResponseSchema = z.object({
  object: z.literal("namespace.deleted"),
  name: z.string(),
  deleted: z.literal(true),
  documents_deleted: z.number().int(),
});

export const CreatedKeyResponseSchema = KeyResponseSchema.extend({
  key: z
    .string()
    .describe(
      "the secret, `rgw_<24 hex>_<49 base62>` (43 random, 6 checksum): shown only in this response, stored hashed",
    ),
});

export const KeyListResponseSchema = z.object({
  object: z.literal("list"),
  data: z
    .array(
      KeyResponseSchema.extend({
        usage: z
          .object({
            requests_this_minute: z.number().int(),
            tokens_today: z.number().int(),
            spent_today_usd: z.number(),
            spent_this_month_usd: z.number(),
          })
          .nullable()
          .describe("what the key has used, from its LIMITER object; `null` when unavailable"),
      }),
    )
    .describe("newest first; may lag ~1 min in other locations"),
});

const RateSchema = z.object({
  limit: z.number().int(),
  window_seconds: z.number().int(),
  remaining: z.number().int(),
  reset_seconds: z.number().int().describe("until remaining next grows (tokens: until full)"),
});

const BudgetSchema = z.object({
  period: z.string().describe("the UTC day (YYYY-MM-DD) or month (YYYY-MM)"),
  limit_usd: z.number(),
  spent_usd: z.number(),
  reserved_usd: z.number().describe("held by requests in flight"),
  remaining_usd: z.number(),
  resets_at: z.iso.datetime(),
});

export const UsageResponseSchema = z.object({
  object: z.literal("usage"),
  principal: z.object({ id: z.string(), kind: z.enum(["key", "anonymous"]) }).nullable(),
  requests: RateSchema.extend({ used: z.number().int() }).optional(),
  tokens: RateSchema.extend({
    used_today: z.number().int(),
    used_this_month: z.number().int(),
  }).optional(),
  budget: z.object({ daily: BudgetSchema, monthly: BudgetSchema }).optional(),
  rate_limits: z
    .literal("disabled")
    .optional()
    .describe("only for anonymous callers with RATE_LIMITS_ENABLED=false (development)"),
  request_id: z.string(),
});
