// The descriptions of the OpenAI-compatible routes (chat completions, embeddings, models), for
// the API description. Request and response schemas are OpenAI's shapes (shared/api/openai*), so
// these entries only say what ragway adds or restricts.
import type { RouteDoc } from "./route-doc.js";
import { named } from "./route-doc.js";
import type { RouteKey } from "./route-table.js";
import { ChatCompletionRequestSchema, EmbeddingsRequestSchema } from "./openai.js";
import {
  ChatCompletionResponseSchema,
  EmbeddingsResponseSchema,
  ModelListResponseSchema,
  ModelResponseSchema,
} from "./openai-responses.js";

/** The OpenAI-compatible routes' descriptions: chat completions, embeddings and models. */
export const OPENAI_ROUTE_DOCS = {
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
        Age: "on a cache hit: seconds since the completion was computed",
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
} satisfies Partial<Record<RouteKey, RouteDoc>>;
