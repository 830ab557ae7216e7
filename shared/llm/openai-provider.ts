// The OpenAI-compatible provider over plain fetch (`POST {baseURL}/chat/completions` and
// `/embeddings`), mapping every failure to an Outcome. It never retries: retries have one owner
// (shared/llm/retry). Its timeout bounds a whole non-streamed call, but a stream only until the
// response headers arrive: after that the relay's idle timeout watches it, so a long answer is
// never cut by the call's clock.
import type { Clock, FetchLike } from "../ports.js";
import { callSignal, type CallSignal } from "./call-signal.js";
import { httpFailure, MAX_ERROR_BODY_BYTES, readCapped } from "./http-failure.js";
import {
  badResponse,
  parseChatBody,
  parseCompletionBody,
  parseEmbedBody,
} from "./openai-bodies.js";
import type { RetryTimers } from "./retry.js";
import { errorMessageOf, readChatChunks } from "./sse.js";
import { systemTimers } from "./system-timers.js";
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
  /**
   * Per-call timeout: a non-streamed call's whole exchange, a stream's wait for its headers.
   * Expiry maps to a retryable `timeout`.
   */
  timeoutMs: number;
  /** Injected fetch (tests, mock upstream); defaults to the global one. */
  fetch?: FetchLike;
  /** Clock for HTTP-date `Retry-After` values. Default `Date.now`. */
  now?: Clock;
  /** Timer for the per-call timeout. Default: the platform's setTimeout. */
  timers?: Pick<RetryTimers, "setTimer">;
}

/**
 * Creates the `openai` provider for any OpenAI-compatible API. Never throws for upstream
 * trouble: HTTP failures map as {@link httpFailure} says (429 -> `rate_limited` with
 * `retryAfterMs`, `insufficient_quota` -> `quota`, 408 -> `timeout`, 409/5xx -> `server_error`,
 * 400/404/422 -> `bad_request`, 401/403 -> `auth`); the timeout and the caller's abort ->
 * `timeout`; connection failures -> `network`; malformed 200 bodies -> `bad_response`. Results
 * echo the requested model id.
 *
 * @example
 * const openai = createOpenAIProvider({ apiKey, baseURL: "https://api.openai.com/v1", timeoutMs: 20_000 });
 * const out = await openai.chat({ model: "gpt-4o-mini", messages });
 * if (!out.ok && out.failure.retryable) { ... }
 */
export function createOpenAIProvider(opts: OpenAIProviderOptions): Provider {
  // A wrapper, not the bare global: some runtimes reject a fetch called off its global.
  const fetchImpl: FetchLike = opts.fetch ?? ((input, init) => fetch(input, init));
  const now = opts.now ?? Date.now;
  const timers = opts.timers ?? systemTimers;
  const root = opts.baseURL.replace(/\/+$/, "");
  const chatUrl = `${root}/chat/completions`;
  const embeddingsUrl = `${root}/embeddings`;
  const headers = {
    authorization: `Bearer ${opts.apiKey}`,
    "content-type": "application/json",
  };

  /** POSTs `body`; a 2xx response, or the failure (a failed response's body read and released). */
  const send = async (url: string, body: unknown, call: CallSignal): Promise<Outcome<Response>> => {
    const early = call.abortedAlready();
    if (early) return { ok: false, failure: early };
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal: call.signal,
      });
    } catch (error) {
      return { ok: false, failure: call.failureOf(error) };
    }
    if (!response.ok) return { ok: false, failure: await httpFailure(response, now()) };
    return { ok: true, value: response };
  };

  /** A non-streamed call: POST, then the 200's JSON, all within the timeout. */
  const postJson = async (
    url: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<Outcome<unknown>> => {
    const call = callSignal(opts.timeoutMs, signal, timers);
    try {
      const sent = await send(url, body, call);
      if (!sent.ok) return sent;
      let text: string;
      try {
        text = await sent.value.text();
      } catch (error) {
        return { ok: false, failure: call.failureOf(error) };
      }
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch {
        const type = sent.value.headers.get("content-type") || "no content type";
        return badResponse(`upstream 200 body is not JSON (${type})`);
      }
    } finally {
      call.stopTimer();
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
        undefined,
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
      const call = callSignal(opts.timeoutMs, request.signal, timers);
      try {
        const sent = await send(chatUrl, body, call);
        if (!sent.ok) return sent;
        const response = sent.value;
        if (!response.body) return badResponse("stream response has no body");
        const type = response.headers.get("content-type") ?? "";
        // Awaited here, so the timeout still bounds reading what came instead of a stream.
        if (!/text\/event-stream/i.test(type)) return await notAStream(response, type);
        // Workers' types leave a body's chunks untyped; a fetch response's are bytes.
        return { ok: true, value: readChatChunks(response.body as ReadableStream<Uint8Array>) };
      } finally {
        // The caller's signal still closes the connection; the timeout's part is over.
        call.stopTimer();
      }
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
