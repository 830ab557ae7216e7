// The OpenAI-compatible provider over the `openai` SDK, mapping every failure to an Outcome.
// The client is built with maxRetries 0: retries have one owner (shared/llm/retry), not the SDK.
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "openai";
import type { Clock, FetchLike } from "../ports.js";
import { parseRetryAfter } from "./retry-after.js";
import {
  badResponse,
  parseChatBody,
  parseCompletionBody,
  parseEmbedBody,
} from "./openai-bodies.js";
import { errorMessageOf, readChatChunks } from "./sse.js";
import type {
  ChatMessage,
  ChatRequest,
  ChatResult,
  Completion,
  CompletionRequest,
  EmbedRequest,
  EmbedResult,
  Outcome,
  Provider,
  StreamEvent,
  UpstreamFailure,
} from "./types.js";

/** Options for {@link createOpenAIProvider}. */
export interface OpenAIProviderOptions {
  apiKey: string;
  /** e.g. `https://api.openai.com/v1` or a mock upstream. */
  baseURL: string;
  /** Per-call timeout, enforced by the SDK; expiry maps to a retryable `timeout`. */
  timeoutMs: number;
  /** Injected fetch (tests, mock upstream); defaults to the global one. */
  fetch?: FetchLike;
  /** Clock for HTTP-date `Retry-After` values. Default `Date.now`. */
  now?: Clock;
}

/**
 * Creates the `openai` provider for any OpenAI-compatible API. Never throws for upstream
 * trouble: 429 -> `rate_limited` (with `retryAfterMs`; `insufficient_quota` -> `quota`), 408 ->
 * `timeout`, 409/5xx -> `server_error`, 400/404/422 -> `bad_request`, 401/403 -> `auth`,
 * connection failures -> `network`/`timeout`, malformed 200 bodies -> `bad_response`. Results
 * echo the requested model id.
 *
 * @example
 * const openai = createOpenAIProvider({ apiKey, baseURL: "https://api.openai.com/v1", timeoutMs: 20_000 });
 * const out = await openai.chat({ model: "gpt-4o-mini", messages });
 * if (!out.ok && out.failure.retryable) { ... }
 */
export function createOpenAIProvider(opts: OpenAIProviderOptions): Provider {
  const client = new OpenAI({
    apiKey: opts.apiKey,
    baseURL: opts.baseURL,
    maxRetries: 0,
    timeout: opts.timeoutMs,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const now = opts.now ?? Date.now;

  return {
    name: "openai",

    async embed(request: EmbedRequest): Promise<Outcome<EmbedResult>> {
      if (request.texts.length === 0)
        return { ok: true, value: { model: request.model, vectors: [] } };
      let body: unknown;
      try {
        body = await client.embeddings.create({
          model: request.model,
          input: request.texts,
          encoding_format: "float",
        });
      } catch (error) {
        return { ok: false, failure: mapOpenAIError(error, now()) };
      }
      return parseEmbedBody(body, request);
    },

    async chat(request: ChatRequest): Promise<Outcome<ChatResult>> {
      let body: unknown;
      try {
        body = await client.chat.completions.create(
          {
            model: request.model,
            messages: request.messages.map(toOpenAIMessage),
            ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
            ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
          },
          request.signal ? { signal: request.signal } : undefined,
        );
      } catch (error) {
        return { ok: false, failure: mapOpenAIError(error, now()) };
      }
      return parseChatBody(body, request.model);
    },

    async chatCompletion(request: CompletionRequest): Promise<Outcome<Completion>> {
      let body: unknown;
      try {
        // The body was validated by the route against OpenAI's shape; the SDK sends it as is.
        const params = {
          ...request.body,
          model: request.model,
          stream: false,
        } as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
        body = await client.chat.completions.create(
          params,
          request.signal ? { signal: request.signal } : undefined,
        );
      } catch (error) {
        return { ok: false, failure: mapOpenAIError(error, now()) };
      }
      return parseCompletionBody(body, request.model);
    },

    async chatCompletionStream(
      request: CompletionRequest,
    ): Promise<Outcome<AsyncGenerator<StreamEvent, void, undefined>>> {
      let response: Response;
      try {
        // Usage is always requested upstream so it can be recorded; the relay hides it from
        // callers who did not ask for it.
        const params = {
          ...request.body,
          model: request.model,
          stream: true,
          stream_options: { include_usage: true },
        } as unknown as OpenAI.Chat.ChatCompletionCreateParamsStreaming;
        response = await client.chat.completions
          .create(params, request.signal ? { signal: request.signal } : undefined)
          .asResponse();
      } catch (error) {
        return { ok: false, failure: mapOpenAIError(error, now()) };
      }
      if (!response.body) return badResponse("stream response has no body");
      const type = response.headers.get("content-type") ?? "";
      if (!/text\/event-stream/i.test(type)) {
        // A 200 that is not a stream: usually an error object from a proxy or a gateway.
        const text = await response.text().catch(() => "");
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON either
        }
        const upstreamError = errorMessageOf(json);
        return badResponse(
          upstreamError !== undefined
            ? `upstream error in 200 body: ${upstreamError}`
            : `expected an event stream, got ${type || "no content type"}`,
        );
      }
      return {
        ok: true,
        value: readChatChunks(response.body as ReadableStream<Uint8Array>),
      };
    },
  };
}

/**
 * Maps anything the SDK throws to an {@link UpstreamFailure}. Exported for callers that use the
 * SDK directly (streaming), so both paths classify errors the same way.
 */
export function mapOpenAIError(error: unknown, now: number): UpstreamFailure {
  const message = error instanceof Error ? error.message : String(error);
  // Order matters: the timeout and abort classes are subclasses of APIError.
  if (error instanceof APIConnectionTimeoutError) {
    return { reason: "timeout", message: "upstream timed out", retryable: true };
  }
  if (error instanceof APIUserAbortError || isAbortError(error)) {
    return { reason: "timeout", message: "upstream call aborted", retryable: true };
  }
  if (error instanceof APIConnectionError) {
    return { reason: "network", message, retryable: true };
  }
  if (error instanceof APIError) {
    // `instanceof` narrows to APIError<any, any>; read the fields as unknown and check them.
    const rawStatus: unknown = error.status;
    const rawHeaders: unknown = error.headers;
    const status = typeof rawStatus === "number" ? rawStatus : undefined;
    const retryAfterMs =
      rawHeaders instanceof Headers ? parseRetryAfter(rawHeaders, now) : undefined;
    const base = { status, message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    const rawCode: unknown = error.code;
    if (status === 429 && rawCode === "insufficient_quota") {
      return { reason: "quota", retryable: false, ...base };
    }
    if (status === 429) return { reason: "rate_limited", retryable: true, ...base };
    if (status === 408) return { reason: "timeout", retryable: true, ...base };
    if (status === 409 || (status !== undefined && status >= 500)) {
      return { reason: "server_error", retryable: true, ...base };
    }
    if (status === 401 || status === 403) return { reason: "auth", retryable: false, ...base };
    if (status !== undefined && status >= 400) {
      return { reason: "bad_request", retryable: false, ...base };
    }
  }
  // JSON that failed to parse, or anything else the SDK let through: the body was unusable.
  return { reason: "bad_response", message, retryable: false };
}

// Our `tool` messages carry no tool_call_id, which the API would reject; send them as user text.
function toOpenAIMessage(m: ChatMessage): OpenAI.Chat.ChatCompletionMessageParam {
  switch (m.role) {
    case "tool":
      return { role: "user", content: m.content };
    case "system":
    case "user":
    case "assistant":
    case "developer":
      return { role: m.role, content: m.content };
  }
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}
