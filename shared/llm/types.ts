// Provider-facing types: what an embedding model and a chat model take and give back.
// Failures a caller should expect (429, 5xx, timeouts) are values, not exceptions.

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool" | "developer";
  content: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface EmbedRequest {
  model: string;
  texts: string[];
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
    | "bad_response";
  status?: number;
  message: string;
  retryable: boolean;
  /** Milliseconds the upstream asked us to wait (Retry-After / retry-after-ms). */
  retryAfterMs?: number;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: UpstreamFailure };

/** An embedding and chat backend. `local` is offline; `openai` is any OpenAI-compatible API. */
export interface Provider {
  readonly name: "local" | "openai";
  embed(request: EmbedRequest): Promise<Outcome<EmbedResult>>;
  chat(request: ChatRequest): Promise<Outcome<ChatResult>>;
}
