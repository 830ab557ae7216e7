// The OpenAI-compatible provider over plain fetch (`POST {baseURL}/chat/completions` and
// `/embeddings`), mapping every failure to an Outcome. It never retries and keeps no clock: retries
// and attempt timeouts have one owner (shared/llm/retry), whose attempt signal a call is given. That
// signal ends a non-streamed call anywhere in its exchange, and a stream until the caller stops
// passing it on (shared/llm/chat-gateway unlinks it once the first chunk is in), so a long answer
// is never cut by the attempt's clock.
import type { Clock, FetchLike } from "../ports.js";
import { abortedAlready, failureOf } from "./call-signal.js";
import { httpFailure, MAX_ERROR_BODY_BYTES, readCapped } from "./http-failure.js";
import {
  badResponse,
  parseChatBody,
  parseCompletionBody,
  parseEmbedBody,
} from "./openai-bodies.js";
import { readChatChunks } from "./chat-chunks.js";
import { errorMessageOf } from "./openai-wire.js";
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
} from "./types.js";

/** Options for {@link createOpenAIProvider}. */
export interface OpenAIProviderOptions {
  apiKey: string;
  /** e.g. `https://api.openai.com/v1` or a mock upstream; a trailing slash is allowed. */
  baseURL: string;
  /** Injected fetch (tests, mock upstream); defaults to the global one. */
  fetch?: FetchLike;
  /** Clock for HTTP-date `Retry-After` values. Default `Date.now`. */
  now?: Clock;
}

/**
 * Creates the `openai` provider for any OpenAI-compatible API. Never throws for upstream
 * trouble: HTTP failures map as {@link httpFailure} says (429 -> `rate_limited` with
 * `retryAfterMs`, `insufficient_quota` -> `quota`, 408 -> `timeout`, 409/5xx -> `server_error`,
 * 400/404/422 -> `bad_request`, 401/403 -> `auth`); an abort of the request's signal ->
 * `timeout`; connection failures -> `network`; malformed 200 bodies -> `bad_response`. Results
 * echo the requested model id.
 *
 * @example
 * const openai = createOpenAIProvider({ apiKey, baseURL: "https://api.openai.com/v1" });
 * const out = await openai.chat({ model: "gpt-4o-mini", messages, signal: AbortSignal.timeout(20_000) });
 * if (!out.ok && out.failure.retryable) { ... }
 */
export function createOpenAIProvider(opts: OpenAIProviderOptions): Provider {
  // A wrapper, not the bare global: some runtimes reject a fetch called off its global.
  const fetchImpl: FetchLike = opts.fetch ?? ((input, init) => fetch(input, init));
  const now = opts.now ?? Date.now;
  const root = opts.baseURL.replace(/\/+$/, "");
  const chatUrl = `${root}/chat/completions`;
  const embeddingsUrl = `${root}/embeddings`;
  const headers = {
    authorization: `Bearer ${opts.apiKey}`,
    "content-type": "application/json",
  };

  /** POSTs `body`; a 2xx response, or the failure (a failed response's body read and released). */
  const send = async (
    url: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<Outcome<Response>> => {
    const early = abortedAlready(signal);
    if (early) return { ok: false, failure: early };
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      return { ok: false, failure: failureOf(error, signal) };
    }
    if (!response.ok) return { ok: false, failure: await httpFailure(response, now()) };
    return { ok: true, value: response };
  };

  /** A non-streamed call: POST, then the 200's JSON, all under `signal`. */
  const postJson = async (
    url: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<Outcome<unknown>> => {
    const sent = await send(url, body, signal);
    if (!sent.ok) return sent;
    let text: string;
    try {
      text = await sent.value.text();
    } catch (error) {
      return { ok: false, failure: failureOf(error, signal) };
    }
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      const type = sent.value.headers.get("content-type") || "no content type";
      return badResponse(`upstream 200 body is not JSON (${type})`);
    }
  };

  return {
    name: "openai",

    async embed(request: EmbedRequest): Promise<Outcome<EmbedResult>> {
      if (request.texts.length === 0)
        return { ok: true, value: { model: request.model, vectors: [] } };
      const out = await postJson(
        embeddingsUrl,
        { model: request.model, input: request.texts, encoding_format: "float" },
        request.signal,
      );
      return out.ok ? parseEmbedBody(out.value, request) : out;
    },

    async chat(request: ChatRequest): Promise<Outcome<ChatResult>> {
      const body = {
        model: request.model,
        messages: request.messages.map(toOpenAIMessage),
        ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      };
      const out = await postJson(chatUrl, body, request.signal);
      return out.ok ? parseChatBody(out.value, request.model) : out;
    },

    async chatCompletion(request: CompletionRequest): Promise<Outcome<Completion>> {
      // The body was validated by the route against OpenAI's shape; it is sent as is.
      const body = { ...request.body, model: request.model, stream: false };
      const out = await postJson(chatUrl, body, request.signal);
      return out.ok ? parseCompletionBody(out.value, request.model) : out;
    },

    async chatCompletionStream(
      request: CompletionRequest,
    ): Promise<Outcome<AsyncGenerator<StreamEvent, void, undefined>>> {
      // Usage is always requested upstream so it can be recorded; the relay hides it from
      // callers who did not ask for it.
      const body = {
        ...request.body,
        model: request.model,
        stream: true,
        stream_options: { include_usage: true },
      };
      const sent = await send(chatUrl, body, request.signal);
      if (!sent.ok) return sent;
      const response = sent.value;
      if (!response.body) return badResponse("stream response has no body");
      const type = response.headers.get("content-type") ?? "";
      // Read here, under the signal, like any other failed call.
      if (!/text\/event-stream/i.test(type)) return notAStream(response, type);
      // Workers' types leave a body's chunks untyped; a fetch response's are bytes.
      return { ok: true, value: readChatChunks(response.body as ReadableStream<Uint8Array>) };
    },
  };
}

/** A 200 that is not an event stream: usually an error object from a proxy or a gateway. */
async function notAStream(response: Response, type: string): Promise<Outcome<never>> {
  const text = await readCapped(response, MAX_ERROR_BODY_BYTES);
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

/** A chat message as the API takes it. */
interface OpenAIMessage {
  role: "system" | "user" | "assistant" | "developer";
  content: string;
}

// Our `tool` messages carry no tool_call_id, which the API would reject; send them as user text.
function toOpenAIMessage(m: ChatMessage): OpenAIMessage {
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
