// Provider-facing types: what an embedding model and a chat model take and give back.
// Failures a caller should expect (429, 5xx, timeouts) are values, not exceptions.

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool" | "developer";
  content: string;
}

/**
 * Token usage in OpenAI's shape. The details, when the provider reports them, change the price:
 * cached prompt tokens are cheaper, reasoning tokens are output (see `costUsd`).
 */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** e.g. `cached_tokens`, `audio_tokens` (numeric fields only). */
  prompt_tokens_details?: Record<string, number>;
  /** e.g. `reasoning_tokens`, `accepted_prediction_tokens` (numeric fields only). */
  completion_tokens_details?: Record<string, number>;
}

export interface EmbedRequest {
  model: string;
  texts: string[];
  /** Aborts the upstream call (per-attempt timeout). */
  signal?: AbortSignal;
}

export interface EmbedResult {
  model: string;
  /** One vector per input text, in input order, L2-normalized. */
  vectors: Float32Array[];
  /** Tokens billed for the inputs, when the provider reports it. */
  promptTokens?: number;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /** Aborts the upstream call (per-attempt timeout, client gone). */
  signal?: AbortSignal;
}

export interface ChatResult {
  model: string;
  text: string;
  finishReason: string;
  /** The provider's reported usage, when it reported one. */
  usage?: Usage;
}

/** Why an upstream call failed; `retryable` decides whether the same model may be tried again. */
export interface UpstreamFailure {
  reason:
    | "rate_limited"
    | "server_error"
    | "timeout"
    | "network"
    | "bad_request"
    | "auth"
    | "quota"
    | "bad_response"
    | "truncated";
  status?: number;
  message: string;
  retryable: boolean;
  /** Milliseconds the upstream asked us to wait (Retry-After / retry-after-ms). */
  retryAfterMs?: number;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: UpstreamFailure };

/**
 * An OpenAI chat-completions body as the caller sent it (validated by the route), minus `model`,
 * `stream` and `stream_options`, which each link of the fallback chain sets itself.
 */
export type CompletionBody = Record<string, unknown> & { messages: unknown[] };

export interface CompletionRequest {
  /** The catalog id sent upstream. */
  model: string;
  body: CompletionBody;
  /** Aborts the upstream call (per-attempt timeout, client gone). */
  signal?: AbortSignal;
}

/** A non-streamed chat completion: the upstream's JSON (validated), its text and usage. */
export interface Completion {
  /** The `chat.completion` object, `model` set to the catalog id. */
  body: Record<string, unknown>;
  /**
   * Everything generated (every choice's content, refusal and tool calls), for token counting
   * when no usage was reported.
   */
  text: string;
  usage?: Usage;
}

/** One parsed `chat.completion.chunk`. */
export interface ChatChunk {
  /** The chunk object as received (validated loosely: unknown fields pass through). */
  raw: Record<string, unknown>;
  /** Content deltas of all choices, concatenated. */
  content: string;
  /**
   * Generated text that is not content: tool-call names and arguments, function calls, refusals.
   * Billed as completion like content when no usage is reported.
   */
  otherText?: string;
  /** Present on the usage chunk (`stream_options.include_usage`). */
  usage?: Usage;
}

/**
 * What a chunk stream yields. It always ends with `done` (the upstream sent `[DONE]`) or `error`
 * (an error event, a malformed chunk, or a stream cut before `[DONE]`: reason `truncated`).
 */
export type StreamEvent =
  | { type: "chunk"; chunk: ChatChunk }
  | { type: "done" }
  | { type: "error"; failure: UpstreamFailure };

/** An embedding and chat backend. `local` is offline; `openai` is any OpenAI-compatible API. */
export interface Provider {
  readonly name: "local" | "openai";
  embed(request: EmbedRequest): Promise<Outcome<EmbedResult>>;
  /** A grounded-answer call with plain-text messages (the RAG path). */
  chat(request: ChatRequest): Promise<Outcome<ChatResult>>;
  /** The OpenAI chat-completions call, body passed through (the `/v1/chat/completions` path). */
  chatCompletion(request: CompletionRequest): Promise<Outcome<Completion>>;
  /**
   * The same, streamed. Resolves once the upstream accepted the request (status 200 with an
   * event stream); later trouble arrives as an `error` event. Return the generator early (or
   * abort `signal`) to close the upstream connection.
   */
  chatCompletionStream(
    request: CompletionRequest,
  ): Promise<Outcome<AsyncGenerator<StreamEvent, void, undefined>>>;
}
