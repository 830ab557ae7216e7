// The chat request most clients send (a model, text messages, a few scalar parameters), vouched
// for without running the schema. In a Worker, zod validates on its interpreted path (no `new
// Function`, see narrowed-schema.ts): the first validation in a request took about 55 us there,
// this check about 1 us, and a chat's CPU in the Worker fell by about 4% (bench:compare chat,
// 1.86 against 1.94 ms per request). ChatCompletionRequestSchema stays the contract: this
// accepts only bodies the schema accepts and returns deep-equal, and leaves everything else, and
// every error message, to the schema. test/unit/api/plain-chat-request.test.ts checks that on
// generated bodies.
import { isRecord } from "../util/json-values.js";
import type { ChatCompletionRequest } from "./openai.js";

/** Message roles whose content may be plain text and that need no other field. */
const TEXT_ROLES = new Set(["system", "developer", "user", "assistant"]);

const PRIORITIES = new Set(["cost", "speed", "quality"]);

type Check = (value: unknown) => boolean;

/** A finite number in [min, max], or null. */
const numberIn =
  (min: number, max: number): Check =>
  (v) =>
    v === null || (typeof v === "number" && Number.isFinite(v) && v >= min && v <= max);

/** A safe integer in [min, max], or null. */
const intIn =
  (min: number, max: number): Check =>
  (v) =>
    v === null || (typeof v === "number" && Number.isSafeInteger(v) && v >= min && v <= max);

/** A string of at most `max` UTF-16 units (zod's length). */
const stringUpTo =
  (max: number): Check =>
  (v) =>
    typeof v === "string" && v.length <= max;

/** Every parameter vouched for, with the schema's own bounds. */
const PARAMS: Record<string, Check> = {
  model: (v) => typeof v === "string" && v.length >= 1 && v.length <= 128,
  messages: (v) => Array.isArray(v) && v.length >= 1 && v.length <= 2048 && v.every(isTextMessage),
  stream: (v) => v === null || typeof v === "boolean",
  stream_options: (v) => v === null || isStreamOptions(v),
  priority: (v) => typeof v === "string" && PRIORITIES.has(v),
  max_tokens: intIn(1, Number.MAX_SAFE_INTEGER),
  max_completion_tokens: intIn(1, Number.MAX_SAFE_INTEGER),
  temperature: numberIn(0, 2),
  top_p: numberIn(0, 1),
  n: intIn(1, 8),
  seed: intIn(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  presence_penalty: numberIn(-2, 2),
  frequency_penalty: numberIn(-2, 2),
  stop: (v) =>
    v === null ||
    typeof v === "string" ||
    (Array.isArray(v) && v.length <= 4 && v.every((s) => typeof s === "string")),
  user: stringUpTo(256),
};

/**
 * Whether `value` is a chat request of the common shape that ChatCompletionRequestSchema accepts
 * as it is: known scalar parameters within their bounds, and messages of role system, developer,
 * user or assistant with text content and at most a name. False says nothing: validate it.
 *
 * @example
 * isPlainChatRequest({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] }); // true
 * isPlainChatRequest({ model: "gpt-4o-mini", messages: [], tools: [] }); // false: the schema decides
 */
export function isPlainChatRequest(value: unknown): value is ChatCompletionRequest {
  if (!isRecord(value) || !("model" in value) || !("messages" in value)) return false;
  for (const key in value) {
    // Own keys only: "__proto__" or "constructor" in a body are not parameters vouched for.
    if (!Object.hasOwn(PARAMS, key) || PARAMS[key]?.(value[key]) !== true) return false;
  }
  return true;
}

function isTextMessage(value: unknown): boolean {
  if (!isRecord(value)) return false;
  let keys = 0;
  for (const key in value) {
    keys++;
    if (key !== "role" && key !== "content" && key !== "name") return false;
  }
  const { role, content, name } = value;
  if (typeof role !== "string" || !TEXT_ROLES.has(role) || typeof content !== "string") {
    return false;
  }
  if (name === undefined) return keys === 2;
  return typeof name === "string" && name.length >= 1 && name.length <= 128;
}

function isStreamOptions(value: unknown): boolean {
  if (!isRecord(value)) return false;
  for (const key in value) {
    if (key !== "include_usage" && key !== "include_obfuscation") return false;
    if (typeof value[key] !== "boolean") return false;
  }
  return true;
}
