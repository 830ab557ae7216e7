// The offline chat model behind `/v1/chat/completions` when no real model is configured. It is
// not retrieval: it answers the last user message only (never the system prompt, never indexed
// documents), deterministically, and every reply says what it is and how to get a real model.
import type { ChatMessage } from "./types.js";

/** What every offline reply ends with: what answered and what to configure instead. */
export const OFFLINE_NOTICE =
  "(This reply comes from ragway's local offline model, which runs without an API key and does " +
  "not understand language. For real answers set OPENAI_API_KEY, and OPENAI_BASE_URL for any " +
  "other OpenAI-compatible server, in .dev.vars or as a secret. To answer from your documents, " +
  "use POST /v1/query.)";

/** A deterministic reply and whether it was cut to fit the caller's cap. */
export interface OfflineReply {
  text: string;
  finishReason: "stop" | "length";
}

/** Options for {@link offlineChatReply}. */
export interface OfflineChatOptions {
  /** Most characters in the reply (from the caller's token cap); the reply is cut to fit. */
  maxChars?: number;
}

const GREETING_RE = /^(hi|hello|hey|hiya|howdy|good (morning|afternoon|evening)|greetings)\b/i;
const THANKS_RE = /^(thanks|thank you|cheers|thx)\b/i;
const IDENTITY_RE =
  /\b(who|what) are you\b|\bwhich model\b|\bwhat model\b|\bare you (an? )?(ai|bot|model|gpt)/i;
// "what is 12 * (3 + 4)?" or a bare expression: digits, operators, parentheses and spaces only.
const ARITHMETIC_RE =
  /^(?:(?:what(?:'s| is)|calculate|compute|how much is)\s+)?([-+*/().\d\s]+?)\s*[=?]*\s*$/i;
const MAX_QUOTE_CHARS = 200;

/**
 * The offline model's reply to a conversation: it reads the last user message only. A greeting
 * is greeted, thanks acknowledged, "who are you" answered, and plain arithmetic computed;
 * anything else is acknowledged by quoting the question and saying why it cannot be answered
 * offline. Every reply ends with {@link OFFLINE_NOTICE}.
 *
 * @example
 * offlineChatReply([{ role: "user", content: "What is 6 * 7?" }]).text;
 * // "6 * 7 = 42.\n\n(This reply comes from ragway's local offline model, ...)"
 */
export function offlineChatReply(
  messages: readonly ChatMessage[],
  opts: OfflineChatOptions = {},
): OfflineReply {
  const ask = lastUserMessage(messages);
  const text = `${replyTo(ask)}\n\n${OFFLINE_NOTICE}`;
  const maxChars = opts.maxChars;
  if (maxChars === undefined || text.length <= maxChars) return { text, finishReason: "stop" };
  return { text: text.slice(0, Math.max(0, maxChars)).trimEnd(), finishReason: "length" };
}

/** The last user message's text, whitespace collapsed; "" when there is none. */
function lastUserMessage(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role === "user") return m.content.replace(/\s+/g, " ").trim();
  }
  return "";
}

function replyTo(ask: string): string {
  if (ask === "") return "There is no user message to answer.";
  if (GREETING_RE.test(ask)) return "Hello! I am ragway's offline model. Ask me anything.";
  if (THANKS_RE.test(ask)) return "You're welcome.";
  if (IDENTITY_RE.test(ask)) {
    return "I am ragway's offline chat model: a deterministic stand-in that lets the API work with no model configured.";
  }
  const sum = arithmetic(ask);
  if (sum !== undefined) return sum;
  const quoted = ask.length > MAX_QUOTE_CHARS ? `${ask.slice(0, MAX_QUOTE_CHARS)}…` : ask;
  return `You asked: "${quoted}". I can't answer that offline: I only greet, do arithmetic and say what I am.`;
}

/** "a op b ... = result." for a plain arithmetic question, else undefined. */
function arithmetic(ask: string): string | undefined {
  const match = ARITHMETIC_RE.exec(ask);
  const expression = match?.[1]?.trim();
  if (!expression || !/\d/.test(expression) || !/[-+*/]/.test(expression.replace(/^-/, ""))) {
    return undefined;
  }
  const value = evaluate(expression);
  if (value === undefined) return undefined;
  return `${expression} = ${formatNumber(value)}.`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12)));
}

/**
 * Evaluates + - * / with parentheses and unary minus by recursive descent (no `eval`): undefined
 * for anything malformed, a division by zero or a non-finite result.
 */
export function evaluate(expression: string): number | undefined {
  const tokens = expression.match(/\d+(?:\.\d+)?|[-+*/()]|\S/g) ?? [];
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const expr = (): number | undefined => {
    let left = term();
    while (left !== undefined && (peek() === "+" || peek() === "-")) {
      const op = tokens[pos++];
      const right = term();
      if (right === undefined) return undefined;
      left = op === "+" ? left + right : left - right;
    }
    return left;
  };
  const term = (): number | undefined => {
    let left = factor();
    while (left !== undefined && (peek() === "*" || peek() === "/")) {
      const op = tokens[pos++];
      const right = factor();
      if (right === undefined || (op === "/" && right === 0)) return undefined;
      left = op === "*" ? left * right : left / right;
    }
    return left;
  };
  const factor = (): number | undefined => {
    const token = tokens[pos++];
    if (token === "-") {
      const inner = factor();
      return inner === undefined ? undefined : -inner;
    }
    if (token === "(") {
      const inner = expr();
      return tokens[pos++] === ")" ? inner : undefined;
    }
    return token !== undefined && /^\d/.test(token) ? Number(token) : undefined;
  };
  const value = expr();
  return pos === tokens.length && value !== undefined && Number.isFinite(value) ? value : undefined;
}
