// Response shapes of the public API, for the API description (the document and operator routes'
// in their own files, re-exported here). Integration tests parse real responses with these, so a
// route that changes its output without changing them fails a test.
import { z } from "zod";

export * from "./document-responses.js";
export * from "./admin-responses.js";

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
