import { describe, expect, it } from "vitest";
import {
  completionBySchema,
  parseCompletionBody,
  plainCompletion,
} from "../../../shared/llm/openai-bodies.js";
import { pick, seeded } from "../../support/seeded-random.js";

const TEXTS: unknown[] = ["an answer", "", null, undefined, 7, ["parts"], { text: "x" }];
const FINISH: unknown[] = ["stop", "length", null, undefined, 1];
const CALLS: unknown[] = [
  undefined,
  undefined,
  undefined,
  null,
  [],
  [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
  { name: "f", arguments: "{}" },
  "call",
];
const COUNTS: unknown[] = [0, 10, 18, 28, 1.5, -1, "10", null, undefined, Infinity];
const DETAILS: unknown[] = [
  undefined,
  null,
  {},
  { cached_tokens: 0, audio_tokens: 0 },
  { reasoning_tokens: 5, accepted_prediction_tokens: 0 },
  { cached_tokens: "0" },
  { nested: { a: 1 } },
  [1, 2],
  7,
];

/** A message of random parts, most of them what upstreams send. */
function message(rand: () => number): unknown {
  if (rand() < 0.03) return pick(rand, [null, "text", []]);
  const m: Record<string, unknown> = { role: "assistant" };
  const content = rand() < 0.7 ? `answer ${rand()}` : pick(rand, TEXTS);
  if (content !== undefined) m.content = content;
  const refusal = rand() < 0.7 ? null : pick(rand, TEXTS);
  if (refusal !== undefined) m.refusal = refusal;
  const calls = rand() < 0.6 ? undefined : pick(rand, CALLS);
  if (calls !== undefined) m[rand() < 0.5 ? "tool_calls" : "function_call"] = calls;
  if (rand() < 0.3) m.annotations = [];
  return m;
}

function usage(rand: () => number): unknown {
  if (rand() < 0.1) return pick(rand, [null, undefined, "usage", []]);
  const u: Record<string, unknown> = {};
  for (const field of ["prompt_tokens", "completion_tokens", "total_tokens"]) {
    const value = rand() < 0.9 ? Math.floor(rand() * 100) : pick(rand, COUNTS);
    if (value !== undefined) u[field] = value;
  }
  for (const field of ["prompt_tokens_details", "completion_tokens_details"]) {
    const value = rand() < 0.6 ? pick(rand, DETAILS.slice(0, 5)) : pick(rand, DETAILS);
    if (value !== undefined) u[field] = value;
  }
  if (rand() < 0.05) u.cost = 0.01;
  return u;
}

/** A `chat.completion` body of random parts, most of them what upstreams send. */
function generated(rand: () => number): unknown {
  if (rand() < 0.02) return pick(rand, [null, "text", [], 5]);
  const choices =
    rand() < 0.05
      ? pick(rand, [[], null, "choices", [null]])
      : Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, index) => {
          const choice: Record<string, unknown> = { index, message: message(rand) };
          const finish = pick(rand, FINISH);
          if (finish !== undefined) choice.finish_reason = finish;
          if (rand() < 0.2) choice.logprobs = null;
          return choice;
        });
  const body: Record<string, unknown> = {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "gpt-4o-mini",
    choices,
  };
  const u = usage(rand);
  if (u !== undefined) body.usage = u;
  if (rand() < 0.2) body.system_fingerprint = "fp_1";
  return body;
}

describe("plainCompletion", () => {
  it("reads only bodies the schema accepts, with the schema's text, usage and body", () => {
    const rand = seeded(20261207);
    let plain = 0;
    let declined = 0;
    for (let i = 0; i < 20_000; i++) {
      const body = generated(rand);
      const read = plainCompletion(body);
      if (!read) {
        declined++;
        continue;
      }
      plain++;
      const bySchema = completionBySchema(body);
      expect(bySchema, JSON.stringify(body)).not.toBeNull();
      expect(read.text, JSON.stringify(body)).toBe(bySchema?.text);
      expect(read.usage, JSON.stringify(body)).toStrictEqual(bySchema?.usage);
      expect(read.body, JSON.stringify(body)).toStrictEqual(bySchema?.body);
    }
    // Both sides are exercised, so the checks above had something to fail on.
    expect(plain).toBeGreaterThan(2_000);
    expect(declined).toBeGreaterThan(2_000);
  });

  it("reads OpenAI's answer as sent, keeping the upstream's order of keys", () => {
    const body = {
      id: "chatcmpl-9",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "gpt-4o-mini-2024-07-18",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Hi!", refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: {
        prompt_tokens: 9,
        completion_tokens: 3,
        total_tokens: 12,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
      },
      service_tier: "default",
      system_fingerprint: "fp_1",
    };
    const parsed = parseCompletionBody(body, "gpt-4o-mini");
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.text).toBe("Hi!");
    expect(parsed.value.usage?.total_tokens).toBe(12);
    expect(Object.keys(parsed.value.body)).toEqual(Object.keys(body));
    expect(parsed.value.body).toStrictEqual({ ...body, model: "gpt-4o-mini" });
  });

  it("leaves tool calls, odd usage and malformed choices to the schema", () => {
    const choice = { index: 0, message: { role: "assistant", content: "x" } };
    const call = [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }];
    for (const body of [
      { choices: [{ ...choice, message: { role: "assistant", content: null, tool_calls: call } }] },
      { choices: [choice], usage: { prompt_tokens: 1, cost: 0.1 } },
      { choices: [choice], usage: { prompt_tokens: 1, prompt_tokens_details: { cached: "0" } } },
      { choices: [choice], usage: { completion_tokens: 1 } },
      { choices: [] },
      { choices: [{ index: 0 }] },
      { choices: [{ ...choice, finish_reason: 3 }] },
      [],
      null,
    ]) {
      expect(plainCompletion(body), JSON.stringify(body)).toBeNull();
    }
    // The schema still reads what it accepts: a tool call's arguments are generated text.
    const withCall = parseCompletionBody(
      { choices: [{ ...choice, message: { role: "assistant", content: null, tool_calls: call } }] },
      "m",
    );
    expect(withCall.ok && withCall.value.text).toBe(JSON.stringify(call));
  });
});
