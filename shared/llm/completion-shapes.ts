// OpenAI `chat.completion` and `chat.completion.chunk` objects built from text: for answers that
// do not come from an OpenAI-compatible upstream (the local provider) and for chunks the gateway
// adds itself (the usage chunk). Field order and nulls follow OpenAI's own responses.
import type { Usage } from "./types.js";

/** A fresh completion id in OpenAI's style. */
export function completionId(): string {
  return `chatcmpl-${crypto.randomUUID().replace(/-/g, "")}`;
}

/** A non-streamed completion with one choice. */
export function completionObject(p: {
  id: string;
  created: number;
  model: string;
  text: string;
  finishReason: string;
  usage?: Usage;
}): Record<string, unknown> {
  return {
    id: p.id,
    object: "chat.completion",
    created: p.created,
    model: p.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: p.text, refusal: null },
        logprobs: null,
        finish_reason: p.finishReason,
      },
    ],
    ...(p.usage ? { usage: p.usage } : {}),
  };
}

/** One stream chunk: a delta for choice 0, or (with `usage` and no delta) the usage chunk. */
export function chunkObject(p: {
  id: string;
  created: number;
  model: string;
  delta?: Record<string, unknown>;
  finishReason?: string | null;
  usage?: Usage;
}): Record<string, unknown> {
  return {
    id: p.id,
    object: "chat.completion.chunk",
    created: p.created,
    model: p.model,
    choices:
      p.delta === undefined
        ? []
        : [{ index: 0, delta: p.delta, logprobs: null, finish_reason: p.finishReason ?? null }],
    ...(p.usage ? { usage: p.usage } : {}),
  };
}

/** Splits text into stream-sized pieces (a word and its trailing space each). */
export function streamPieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}
