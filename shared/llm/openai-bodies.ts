// Validation of an OpenAI-compatible upstream's 200 bodies. A 200 can still be wrong (a proxy's
// HTML page, an `error` object, no choices): each is checked and mapped to an Outcome here.
import { z } from "zod";
import { absent, isRecord } from "../util/json-values.js";
import { l2normalize } from "../vector/vector.js";
import { errorMessageOf, toUsage, UsageSchema } from "./openai-wire.js";
import type { ChatResult, Completion, EmbedRequest, EmbedResult, Outcome, Usage } from "./types.js";

const ChatBodySchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: UsageSchema.nullish(),
});
// The completion passes through as the upstream sent it; only what the gateway reads is checked.
const CompletionBodySchema = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        message: z.looseObject({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          tool_calls: z.array(z.unknown()).nullish(),
          function_call: z.unknown().optional(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: UsageSchema.nullish(),
});
const EmbedBodySchema = z.object({
  data: z.array(
    z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) }),
  ),
  usage: z.object({ prompt_tokens: z.number().nonnegative() }).nullish(),
});

/** A `chat.completion` body as the RAG path reads it: text, finish reason, usage. */
export function parseChatBody(body: unknown, model: string): Outcome<ChatResult> {
  const upstreamError = errorInBody(body);
  if (upstreamError) return badResponse(upstreamError);
  const parsed = ChatBodySchema.safeParse(body);
  if (!parsed.success) return badResponse("chat completion body has no usable choices");
  const { choices, usage } = parsed.data;
  const choice = choices[0];
  const value: ChatResult = {
    model,
    text: choice?.message.content ?? choice?.message.refusal ?? "",
    finishReason: choice?.finish_reason ?? "stop",
  };
  if (usage) value.usage = toUsage(usage);
  return { ok: true, value };
}

/** A `chat.completion` body passed through whole, `model` set to the catalog id. */
export function parseCompletionBody(body: unknown, model: string): Outcome<Completion> {
  const upstreamError = errorInBody(body);
  if (upstreamError) return badResponse(upstreamError);
  const read = plainCompletion(body) ?? completionBySchema(body);
  if (!read) return badResponse("chat completion body has no usable choices");
  return { ok: true, value: { ...read, body: { ...read.body, model } } };
}

/** A completion body checked by CompletionBodySchema (the body as the schema returns it, what
 * was generated, its usage), or null when the schema refuses it. */
export function completionBySchema(body: unknown): Completion | null {
  const parsed = CompletionBodySchema.safeParse(body);
  if (!parsed.success) return null;
  // Everything generated, in every choice: what a count must cover when no usage came back.
  const text = parsed.data.choices
    .map(({ message: m }) => {
      const calls = [m.tool_calls, m.function_call].filter((c) => c !== undefined && c !== null);
      return (m.content ?? "") + (m.refusal ?? "") + calls.map((c) => JSON.stringify(c)).join("");
    })
    .join("");
  const value: Completion = { body: parsed.data, text };
  if (parsed.data.usage) value.usage = toUsage(parsed.data.usage);
  return value;
}

const count = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= 0;

/**
 * A completion body of the common shape, checked without the schema: choices whose message
 * carries text (content, refusal) and no tool or function call, and a usage object of OpenAI's
 * fields with numeric details. Every body it accepts, CompletionBodySchema accepts with the same
 * text and usage, and returns deep-equal (it would only list its own keys first); anything else
 * (null) goes to the schema. Nearly every answer has this shape; in the Worker, where zod runs
 * without its compiled fast path, reading it here took a chat's CPU from 1.90 to 1.75 ms
 * (bench:compare chat).
 */
export function plainCompletion(body: unknown): Completion | null {
  if (!isRecord(body) || !Array.isArray(body.choices) || body.choices.length === 0) return null;
  let text = "";
  for (const choice of body.choices as unknown[]) {
    if (!isRecord(choice) || !isRecord(choice.message)) return null;
    const { message, finish_reason: finish } = choice;
    if (!absent(finish) && typeof finish !== "string") return null;
    if (!absent(message.tool_calls) || !absent(message.function_call)) return null;
    for (const part of [message.content, message.refusal]) {
      if (typeof part === "string") text += part;
      else if (!absent(part)) return null;
    }
  }
  if (absent(body.usage)) return { body, text };
  const usage = plainUsage(body.usage);
  return usage ? { body, text, usage } : null;
}

const USAGE_FIELDS = new Set([
  "prompt_tokens",
  "completion_tokens",
  "total_tokens",
  "prompt_tokens_details",
  "completion_tokens_details",
]);

/** `usage` as recorded, when it has only OpenAI's fields, counts where counts go and numbers in
 * its details (so UsageSchema would return it unchanged); else null. */
function plainUsage(usage: unknown): Usage | null {
  if (!isRecord(usage)) return null;
  for (const key in usage) if (!USAGE_FIELDS.has(key)) return null;
  const { completion_tokens: completion, total_tokens: total } = usage;
  if (!count(usage.prompt_tokens)) return null;
  if ((completion !== undefined && !count(completion)) || (total !== undefined && !count(total))) {
    return null;
  }
  for (const details of [usage.prompt_tokens_details, usage.completion_tokens_details]) {
    if (absent(details)) continue;
    if (!isRecord(details)) return null;
    for (const key in details) {
      const n = details[key];
      if (typeof n !== "number" || !Number.isFinite(n)) return null;
    }
  }
  return toUsage(usage as z.output<typeof UsageSchema>);
}

/** An embeddings body: unit vectors in input order, checked against the input count. */
export function parseEmbedBody(body: unknown, request: EmbedRequest): Outcome<EmbedResult> {
  const upstreamError = errorInBody(body);
  if (upstreamError) return badResponse(upstreamError);
  const parsed = EmbedBodySchema.safeParse(body);
  if (!parsed.success) return badResponse("embeddings body has no usable data");
  const { data, usage } = parsed.data;
  const vectors: Float32Array[] = new Array<Float32Array>(request.texts.length);
  for (const item of data) {
    if (item.index >= vectors.length || vectors[item.index] !== undefined) {
      return badResponse(`embeddings body has an unexpected index ${item.index}`);
    }
    vectors[item.index] = l2normalize(Float32Array.from(item.embedding));
  }
  if (data.length !== request.texts.length) {
    return badResponse(`expected ${request.texts.length} embeddings, got ${data.length}`);
  }
  const value: EmbedResult = { model: request.model, vectors };
  if (usage) value.promptTokens = usage.prompt_tokens;
  return { ok: true, value };
}

/** Some gateways answer 200 with `{ "error": {...} }`; returns its message, if any. */
function errorInBody(body: unknown): string | undefined {
  const message = errorMessageOf(body);
  return message === undefined ? undefined : `upstream error in 200 body: ${message}`;
}

/** A `bad_response` failure (status 200). */
export function badResponse(message: string): Outcome<never> {
  // Not retried on the same model (an error dressed as a 200 tends to repeat): the fallback
  // chain moves on instead.
  return { ok: false, failure: { reason: "bad_response", status: 200, message, retryable: false } };
}
