// Request schemas of the OpenAI-compatible routes. Messages and parameters the upstream
// understands pass through (nested objects loosely validated, unknown nested keys kept); an
// unknown top-level parameter is a 400, as it is at OpenAI, so a typo is never silently dropped.
import { z } from "zod";
import { PrioritySchema } from "./schemas.js";

const nonBlank = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => s.trim().length > 0, { message: "must not be empty" });

const ContentPartSchema = z.looseObject({ type: z.string().min(1).max(64) });
const ContentSchema = z.union([z.string(), z.array(ContentPartSchema).max(256)]);
const name = z.string().min(1).max(128).optional();

const ToolCallSchema = z.looseObject({
  id: z.string().max(256),
  type: z.string().max(64),
  function: z.looseObject({ name: z.string().max(128), arguments: z.string() }).optional(),
});

export const ChatMessageSchema = z.discriminatedUnion("role", [
  z.looseObject({ role: z.literal("system"), content: ContentSchema, name }),
  z.looseObject({ role: z.literal("developer"), content: ContentSchema, name }),
  z.looseObject({ role: z.literal("user"), content: ContentSchema, name }),
  z.looseObject({
    role: z.literal("assistant"),
    content: ContentSchema.nullish(),
    name,
    tool_calls: z.array(ToolCallSchema).max(128).optional(),
    refusal: z.string().nullish(),
  }),
  z.looseObject({
    role: z.literal("tool"),
    content: ContentSchema,
    tool_call_id: z.string().min(1).max(256),
  }),
  z.looseObject({ role: z.literal("function"), content: z.string().nullable(), name: z.string() }),
]);

const penalty = z.number().min(-2).max(2).nullish();
const positiveInt = z.number().int().positive().nullish();

export const ChatCompletionRequestSchema = z.strictObject({
  /** A catalog chat model, or `auto`. */
  model: z.string().min(1).max(128),
  messages: z.array(ChatMessageSchema).min(1).max(2048),
  stream: z.boolean().nullish(),
  stream_options: z
    .strictObject({
      include_usage: z.boolean().optional(),
      include_obfuscation: z.boolean().optional(),
    })
    .nullish(),
  /** ragway's extension: what `model: "auto"` optimizes for. */
  priority: PrioritySchema.optional(),
  // Passed through to the upstream as they are.
  frequency_penalty: penalty,
  presence_penalty: penalty,
  logit_bias: z.record(z.string().max(16), z.number().min(-100).max(100)).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  max_tokens: positiveInt,
  max_completion_tokens: positiveInt,
  n: z.number().int().min(1).max(8).nullish(),
  response_format: z.looseObject({ type: z.string().max(64) }).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  tools: z
    .array(z.looseObject({ type: z.string().max(64) }))
    .max(128)
    .optional(),
  tool_choice: z
    .union([z.enum(["none", "auto", "required"]), z.looseObject({ type: z.string() })])
    .optional(),
  parallel_tool_calls: z.boolean().optional(),
  functions: z
    .array(z.looseObject({ name: z.string().max(128) }))
    .max(128)
    .optional(),
  function_call: z.union([z.string(), z.looseObject({ name: z.string() })]).optional(),
  user: z.string().max(256).optional(),
  safety_identifier: z.string().max(256).optional(),
  prompt_cache_key: z.string().max(256).optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullish(),
  store: z.boolean().nullish(),
  service_tier: z.string().max(32).nullish(),
  reasoning_effort: z.string().max(32).nullish(),
  verbosity: z.string().max(32).nullish(),
  modalities: z.array(z.string().max(32)).max(4).nullish(),
  audio: z.looseObject({}).nullish(),
  prediction: z.looseObject({ type: z.string() }).nullish(),
  web_search_options: z.looseObject({}).optional(),
});

export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/** Most inputs in one embeddings call (OpenAI's limit). */
export const MAX_EMBEDDING_INPUTS = 2048;

const EmbeddingInputText = nonBlank(100_000);

export const EmbeddingsRequestSchema = z.strictObject({
  /** A string, or an array of strings (token arrays are not accepted: send text). */
  input: z.union([
    EmbeddingInputText,
    z.array(EmbeddingInputText).min(1).max(MAX_EMBEDDING_INPUTS),
  ]),
  /** A catalog embedding model whose provider is configured. */
  model: z.string().min(1).max(128),
  encoding_format: z.enum(["float", "base64"]).optional(),
  /** Shorter vectors: the first `dimensions` components, re-normalized. */
  dimensions: z.number().int().positive().max(8192).optional(),
  user: z.string().max(256).optional(),
});

export type EmbeddingsRequest = z.infer<typeof EmbeddingsRequestSchema>;
