// Validation of an OpenAI-compatible upstream's 200 bodies. A 200 can still be wrong (a proxy's
// HTML page, an `error` object, no choices): each is checked and mapped to an Outcome here.
import { z } from "zod";
import { l2normalize } from "../vector/vector.js";
import { errorMessageOf, toUsage, UsageSchema } from "./openai-wire.js";
import type { ChatResult, Completion, EmbedRequest, EmbedResult, Outcome } from "./types.js";

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
  const parsed = CompletionBodySchema.safeParse(body);
  if (!parsed.success) return badResponse("chat completion body has no usable choices");
  // Everything generated, in every choice: what a count must cover when no usage came back.
  const text = parsed.data.choices
    .map(({ message: m }) => {
      const calls = [m.tool_calls, m.function_call].filter((c) => c !== undefined && c !== null);
      return (m.content ?? "") + (m.refusal ?? "") + calls.map((c) => JSON.stringify(c)).join("");
    })
    .join("");
  const value: Completion = { body: { ...parsed.data, model }, text };
  if (parsed.data.usage) value.usage = toUsage(parsed.data.usage);
  return { ok: true, value };
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
