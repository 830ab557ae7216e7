// Response shapes of the operator's routes (/metrics, /v1/stats, /openapi.json, cache purge,
// keys, namespaces), for the API description; re-exported by ./responses. Integration tests
// parse real responses with these.
import { z } from "zod";
import { SCOPES } from "../tenancy/grants.js";

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
  namespaces_pending: z
    .array(z.string())
    .describe(
      "namespaces whose size is not known yet: none of their INDEX objects has reported since they were registered, and reading them was past this request's budget (the next requests read them)",
    ),
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
        documents: z.number().int().nullable().describe("null while its size is not known yet"),
        chunks: z.number().int().nullable().describe("null while its size is not known yet"),
        index_version: z.number().int().nullable().describe("null while its size is not known yet"),
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
