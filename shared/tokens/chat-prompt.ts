// Prompt tokens of a chat request as OpenAI bills them: each message's content plus a fixed
// framing cost per message and for priming the reply (the o200k/gpt-4o convention). Used to
// reserve a call's tokens before it is made. This layer sits below shared/llm and shared/rag, so it
// takes messages by the one field it reads rather than by their type.
import type { TokenCounter } from "./count.js";

/** Framing tokens around each message (role and separators). */
export const TOKENS_PER_MESSAGE = 3;
/** Tokens that prime the assistant's reply. */
export const REPLY_PRIMING_TOKENS = 3;

/**
 * The prompt tokens of `messages` (shared/llm's `ChatMessage` among them; only the text is read).
 *
 * @example
 * countChatPromptTokens([{ role: "user", content: "Hello, world!" }], counter); // 4 + 3 + 3
 */
export function countChatPromptTokens(
  messages: ReadonlyArray<{ readonly content: string }>,
  counter: TokenCounter,
): number {
  let total = REPLY_PRIMING_TOKENS;
  for (const m of messages) total += TOKENS_PER_MESSAGE + counter.count(m.content);
  return total;
}
