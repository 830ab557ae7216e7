// Response shapes of the OpenAI-compatible routes and the batch route, for the API description.
// OpenAI's objects are open (an upstream may add fields, which pass through), so they are loose;
// ragway's own additions (degraded, attempts, from_cache) are declared.
import { z } from "zod";
import { ErrorResponseSchema, QueryResponseSchema } from "./responses.js";

const AttemptSchema = z
  .object({
    model: z.string(),
    ok: z.boolean(),
    reason: z
      .string()
      .optional()
      .describe(
        "rate_limited, server_error, timeout, network, bad_request, auth, quota, bad_response, truncated, or a skip: circuit_open, context_window, deadline",
      ),
    status: z.number().int().optional().describe("the upstream's HTTP status"),
  })
  .describe("one try (or skip) of one model");

const UsageSchema = z.looseObject({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

export const ChatCompletionResponseSchema = z
  .looseObject({
    id: z.string(),
    object: z.literal("chat.completion"),
    created: z.number().int(),
    model: z.string().describe("the catalog model that answered"),
    choices: z
      .array(
        z.looseObject({
          index: z.number().int(),
          message: z.looseObject({ role: z.string(), content: z.string().nullable() }),
          finish_reason: z.string().nullable(),
        }),
      )
      .min(1),
    usage: UsageSchema.describe(
      "always present; counted exactly when the provider reported none; zero on a cache hit",
    ),
    degraded: z.boolean().describe("true when a fallback answered instead of the first choice"),
    attempts: z.array(AttemptSchema).describe("every try, retries included (empty on a hit)"),
    from_cache: z.boolean(),
  })
  .describe("OpenAI's chat.completion, plus ragway's degraded, attempts and from_cache.");

export const EmbeddingsResponseSchema = z.object({
  object: z.literal("list"),
  data: z.array(
    z.object({
      object: z.literal("embedding"),
      index: z.number().int(),
      embedding: z
        .union([z.array(z.number()), z.string()])
        .describe("floats, or base64 of little-endian float32 with encoding_format base64"),
    }),
  ),
  model: z.string(),
  usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
});

export const ModelResponseSchema = z.object({
  id: z.string(),
  object: z.literal("model"),
  created: z.number().int(),
  owned_by: z.string(),
  kind: z.enum(["chat", "embedding"]),
  description: z.string().optional(),
  context_window: z.number().int().optional(),
  max_output_tokens: z.number().int().optional(),
  pricing: z.object({ input_usd_per_mtok: z.number(), output_usd_per_mtok: z.number() }).optional(),
  speed_tier: z.number().int().optional().describe("1 slowest .. 3 fastest"),
  quality_tier: z.number().int().optional().describe("1 weakest .. 3 best"),
  dimensions: z.number().int().optional(),
});

export const ModelListResponseSchema = z.object({
  object: z.literal("list"),
  data: z
    .array(ModelResponseSchema)
    .describe("`auto` first, then the models this deployment can call"),
});

const BatchAnswerSchema = QueryResponseSchema.omit({ request_id: true, timings: true }).extend({
  timings: z.object({ retrieval_ms: z.number(), generation_ms: z.number() }),
});

export const BatchQueryResponseSchema = z.object({
  object: z.literal("batch"),
  results: z
    .array(
      z.object({
        index: z.number().int().describe("the query's position in the request"),
        status: z.number().int().describe("200, or the status the query alone would have had"),
        response: BatchAnswerSchema.optional().describe("with status 200: the /v1/query answer"),
        error: ErrorResponseSchema.shape.error.optional().describe("otherwise: why it failed"),
      }),
    )
    .describe("in input order"),
  succeeded: z.number().int(),
  failed: z.number().int(),
  timings: z.object({ total_ms: z.number() }),
  request_id: z.string(),
});
