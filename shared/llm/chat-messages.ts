// OpenAI chat messages as the gateway reads them: plain text per message (content parts joined)
// and the ask (last user message). Their prompt tokens are counted from the request itself, every
// part included (shared/tokens/request-prompt.ts), not from this text.
import type { ChatMessage } from "./types.js";

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
