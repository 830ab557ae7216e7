// Prompt tokens of an OpenAI chat-completions request, every part counted before the call: text
// exactly (bounded, see countBounded), images by their model's rule (see imageTokens), and what
// cannot be sized before the call (files, audio) flagged so the reservation assumes the worst.
// Tool and function definitions, the response format's schema and a prediction are sent to the
// model as text and are counted as their JSON.
import { countBounded } from "./count-bounded.js";
import type { TokenCounter } from "./count.js";
import { REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE } from "./chat-prompt.js";
import { dataUrlImageSize } from "./image-size.js";
import { DEFAULT_VISION, imageTokens, type ImageRef, type VisionRule } from "./image-tokens.js";

/** What a request's prompt is made of, before a model is chosen. */
export interface PromptCount {
  /** Text, framing, names, tool calls, and tool/function/format definitions. */
  textTokens: number;
  /** Every image part; its tokens depend on the model (see {@link promptTokensFor}). */
  images: ImageRef[];
  /** File and audio parts: their tokens are unknown until the provider reports them. */
  unsizedParts: number;
}

/** Top-level parameters the provider renders into the prompt. */
const PROMPT_PARAMS = ["tools", "functions", "tool_choice", "response_format", "prediction"];

/**
 * Counts a chat-completions body's prompt.
 *
 * @example
 * countRequestPrompt({ messages: [{ role: "user", content: "Hello, world!" }] }, counter);
 * // { textTokens: 10, images: [], unsizedParts: 0 }
 */
export function countRequestPrompt(
  body: { messages: readonly unknown[] } & Record<string, unknown>,
  counter: TokenCounter,
): PromptCount {
  const count: PromptCount = { textTokens: REPLY_PRIMING_TOKENS, images: [], unsizedParts: 0 };
  const text = (s: string): void => {
    count.textTokens += countBounded(s, counter);
  };
  for (const raw of body.messages) {
    count.textTokens += TOKENS_PER_MESSAGE;
    const m = record(raw);
    if (typeof m.name === "string") text(m.name);
    countContent(m.content, count, text);
    if (typeof m.refusal === "string") text(m.refusal);
    if (m.tool_calls !== undefined && m.tool_calls !== null) text(JSON.stringify(m.tool_calls));
    if (m.function_call !== undefined && m.function_call !== null)
      text(JSON.stringify(m.function_call));
    // An earlier audio answer referenced by id is replayed as audio tokens.
    if (m.audio !== undefined && m.audio !== null) count.unsizedParts++;
  }
  for (const param of PROMPT_PARAMS) {
    const value = body[param];
    if (value !== undefined && value !== null && typeof value !== "string")
      text(JSON.stringify(value));
  }
  return count;
}

/**
 * The prompt's known tokens on a model with `vision` rule: text plus images. Unsized parts are
 * not in it: see {@link PromptCount.unsizedParts}.
 */
export function promptTokensFor(count: PromptCount, vision: VisionRule = DEFAULT_VISION): number {
  let total = count.textTokens;
  for (const image of count.images) total += imageTokens(vision, image);
  return total;
}

function countContent(content: unknown, count: PromptCount, text: (s: string) => void): void {
  if (typeof content === "string") return text(content);
  if (!Array.isArray(content)) return;
  for (const raw of content) {
    const part = record(raw);
    switch (part.type) {
      case "text":
        if (typeof part.text === "string") text(part.text);
        break;
      case "refusal":
        if (typeof part.refusal === "string") text(part.refusal);
        break;
      case "image_url":
        count.images.push(imageRef(record(part.image_url)));
        break;
      case "input_audio":
      case "file":
        count.unsizedParts++;
        break;
      default:
        // A part type this gateway does not know is at least its JSON, and may be more.
        text(JSON.stringify(raw));
        count.unsizedParts++;
    }
  }
}

function imageRef(image: Record<string, unknown>): ImageRef {
  const detail = image.detail === "low" || image.detail === "high" ? image.detail : "auto";
  const size = typeof image.url === "string" ? dataUrlImageSize(image.url) : undefined;
  return size ? { detail, size } : { detail };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}
