import { describe, expect, it } from "vitest";
import { ChatCompletionRequestSchema } from "../../../shared/api/openai.js";
import { isPlainChatRequest } from "../../../shared/api/plain-chat-request.js";
import { pick, seeded } from "../../support/seeded-random.js";

const long = (n: number): string => "x".repeat(n);

/** Values near and past each bound the schema sets, and of the wrong types. */
const SCALARS: unknown[] = [
  null,
  true,
  false,
  0,
  1,
  -1,
  0.5,
  1.5,
  2,
  2.5,
  8,
  9,
  -2,
  -2.5,
  2 ** 53,
  -(2 ** 53),
  Number.MAX_SAFE_INTEGER,
  Infinity,
  NaN,
  "",
  "a",
  "gpt-4o-mini",
  "auto",
  "cost",
  "speed",
  "fastest",
  long(128),
  long(129),
  long(256),
  long(257),
  [],
  ["a"],
  ["a", "b", "c", "d"],
  ["a", "b", "c", "d", "e"],
  [1],
  {},
  { include_usage: true },
  { include_usage: "yes" },
  { include_usage: false, include_obfuscation: true },
  { include_usage: true, extra: 1 },
];

const MESSAGES: unknown[] = [
  { role: "user", content: "hello" },
  { role: "user", content: "" },
  { role: "system", content: "be brief" },
  { role: "developer", content: "rules" },
  { role: "assistant", content: "an answer" },
  { role: "assistant", content: null },
  { role: "user", content: "hi", name: "ada" },
  { role: "user", content: "hi", name: "" },
  { role: "user", content: "hi", name: long(128) },
  { role: "user", content: "hi", name: long(129) },
  { role: "user", content: "hi", name: 7 },
  { role: "user", content: "hi", name: null },
  { role: "user", content: null },
  { role: "user", content: 5 },
  { role: "user" },
  { role: "user", content: [{ type: "text", text: "parts" }] },
  { role: "tool", content: "result", tool_call_id: "call_1" },
  { role: "tool", content: "result" },
  { role: "function", content: "result", name: "f" },
  { role: "wizard", content: "hi" },
  { content: "no role" },
  { role: "user", content: "hi", extra: true },
  { role: "assistant", content: "x", refusal: null },
  "a string",
  null,
  [],
];

const KEYS = [
  "model",
  "messages",
  "stream",
  "stream_options",
  "priority",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "n",
  "seed",
  "presence_penalty",
  "frequency_penalty",
  "stop",
  "user",
  "tools",
  "max_tokenz",
  "__proto__",
];

/** Per parameter, values at and just past its bounds. */
const NEAR: Record<string, unknown[]> = {
  stream: [true, false, null],
  stream_options: [null, { include_usage: true }, { include_obfuscation: false }, { x: 1 }],
  priority: ["cost", "speed", "quality", "fastest", null],
  max_tokens: [1, 16, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, 2 ** 53, null],
  max_completion_tokens: [1, 4096, 0, null],
  temperature: [0, 0.7, 2, 2.0001, -0.1, null],
  top_p: [0, 1, 1.01, null],
  n: [1, 8, 9, 0, 2.5, null],
  seed: [0, -7, 42, 2 ** 53, -(2 ** 53), 0.5, null],
  presence_penalty: [-2, 2, -2.01, 2.01, 0, null],
  frequency_penalty: [-2, 2, 3, null],
  stop: ["\n", ["a", "b"], ["a", "b", "c", "d", "e"], [1], null],
  user: ["u", long(256), long(257), null],
};

/** A body of random keys and values, most of them near what the schema accepts. */
function generated(rand: () => number): unknown {
  const body: Record<string, unknown> = {};
  if (rand() < 0.9) body.model = rand() < 0.8 ? "gpt-4o-mini" : pick(rand, SCALARS);
  if (rand() < 0.9) {
    const n = rand() < 0.1 ? 0 : 1 + Math.floor(rand() * 4);
    body.messages = Array.from({ length: n }, () =>
      rand() < 0.7 ? { role: "user", content: `q ${rand()}` } : pick(rand, MESSAGES),
    );
  }
  const extra = Math.floor(rand() * 5);
  for (let i = 0; i < extra; i++) {
    const key = pick(rand, KEYS);
    const near = NEAR[key];
    const value = near && rand() < 0.7 ? pick(rand, near) : pick(rand, SCALARS);
    // As JSON.parse makes it: "__proto__" an own key, not the prototype.
    Object.defineProperty(body, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return rand() < 0.02 ? pick(rand, SCALARS) : body;
}

describe("isPlainChatRequest", () => {
  it("vouches only for bodies the schema accepts, and returns as they are", () => {
    const rand = seeded(20261207);
    let vouched = 0;
    let declined = 0;
    for (let i = 0; i < 20_000; i++) {
      const body = generated(rand);
      if (!isPlainChatRequest(body)) {
        declined++;
        continue;
      }
      vouched++;
      const parsed = ChatCompletionRequestSchema.safeParse(body);
      expect(parsed.success, JSON.stringify(body)).toBe(true);
      expect(parsed.data, JSON.stringify(body)).toStrictEqual(body);
    }
    // Both sides are exercised, so the check above had something to fail on.
    expect(vouched).toBeGreaterThan(2_000);
    expect(declined).toBeGreaterThan(2_000);
  });

  it("vouches for what most clients send, streamed or not", () => {
    const messages = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "What is a token?", name: "ada" },
      { role: "assistant", content: "A piece of text." },
      { role: "user", content: "And a context window?" },
    ];
    for (const body of [
      { model: "gpt-4o-mini", messages },
      { model: "auto", messages, priority: "speed", max_tokens: 64, temperature: 0, seed: 7 },
      { model: "gpt-4o-mini", messages, stream: true, stream_options: { include_usage: true } },
      { model: "gpt-4o-mini", messages, top_p: 0.9, n: 2, stop: ["\n"], user: "u-1" },
    ]) {
      expect(isPlainChatRequest(body)).toBe(true);
    }
  });

  it("leaves anything else to the schema: other message kinds, other parameters, other types", () => {
    const user = { role: "user", content: "hi" };
    for (const body of [
      {
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
      },
      { model: "gpt-4o-mini", messages: [{ role: "tool", content: "r", tool_call_id: "c" }] },
      { model: "gpt-4o-mini", messages: [{ ...user, extra: 1 }] },
      { model: "gpt-4o-mini", messages: [user], tools: [{ type: "function" }] },
      { model: "gpt-4o-mini", messages: [user], max_tokenz: 5 },
      { model: "gpt-4o-mini", messages: [user], temperature: 2.5 },
      { model: "gpt-4o-mini", messages: [user], max_tokens: 0 },
      { model: "gpt-4o-mini", messages: [user], priority: null },
      { model: "gpt-4o-mini", messages: [] },
      { messages: [user] },
      JSON.parse('{"model":"m","messages":[{"role":"user","content":"hi"}],"__proto__":{}}'),
      [{ model: "gpt-4o-mini", messages: [user] }],
      null,
      "text",
    ]) {
      expect(isPlainChatRequest(body), JSON.stringify(body)).toBe(false);
    }
  });
});
