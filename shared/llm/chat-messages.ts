// OpenAI chat messages as the gateway reads them: plain text per message (content parts joined),
// the ask (last user message), and an exact prompt token count for window checks and usage.
import type { TokenCounter } from "../tokens/count.js";
import { countBounded } from "../tokens/count-bounded.js";
import type { ChatMessage } from "./types.js";

// ChatML framing: each message costs a few tokens besides its text, and the reply is primed.
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMER_TOKENS = 3;

/** The text of a message's `content`: a string, or the text of its parts; anything else is "". */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: unknown) =>
      typeof part === "object" && part !== null && "text" in part && typeof part.text === "string"
        ? part.text
        : "",
    )
    .join("");
}

/**
 * Converts OpenAI message params to plain-text {@link ChatMessage}s. Tool calls in assistant
 * messages become their JSON text, so an answer built from them still sees them.
 */
export function toPlainMessages(messages: readonly unknown[]): ChatMessage[] {
  return messages.map((m) => {
    const record = (typeof m === "object" && m !== null ? m : {}) as Record<string, unknown>;
    const role = roleOf(record.role);
    let text = contentText(record.content);
    if (text === "" && record.tool_calls !== undefined) text = JSON.stringify(record.tool_calls);
    return { role, content: text };
  });
}

function roleOf(role: unknown): ChatMessage["role"] {
  switch (role) {
    case "system":
    case "user":
    case "assistant":
    case "tool":
    case "developer":
      return role;
    case "function":
      return "tool";
    default:
      return "user";
  }
}

/** The last user message's text (the ask), or "" when there is none. */
export function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role === "user") return m.content;
  }
  return "";
}

/**
 * Prompt tokens of a chat request, counted over each message's text (exactly, save for very long
 * unbroken runs: see `countBounded`) plus OpenAI's per-message framing, and tool definitions as
 * JSON. Close to (not always equal to) what the
 * upstream bills; used for window checks and when the upstream reports no usage.
 */
export function countPromptTokens(
  messages: readonly ChatMessage[],
  counter: TokenCounter,
  tools?: unknown,
): number {
  let total = REPLY_PRIMER_TOKENS;
  for (const m of messages) total += TOKENS_PER_MESSAGE + countBounded(m.content, counter);
  if (tools !== undefined && tools !== null) total += countBounded(JSON.stringify(tools), counter);
  return total;
}
