import { describe, expect, it } from "vitest";
import { z } from "zod";
import { closestField, editDistance } from "../../../shared/api/closest-field.js";
import {
  ChatCompletionRequestSchema,
  EmbeddingsRequestSchema,
} from "../../../shared/api/openai.js";
import {
  describeRequestIssues,
  requestErrorMap,
  type RequestIssue,
} from "../../../shared/api/request-issues.js";
import {
  CreateKeyRequestSchema,
  IngestRequestSchema,
  QueryRequestSchema,
} from "../../../shared/api/schemas.js";

function issueOf(schema: z.ZodType, value: unknown): RequestIssue {
  const result = schema.safeParse(value, { error: requestErrorMap });
  if (result.success) throw new Error("expected a violation");
  return describeRequestIssues(result.error.issues);
}

const QUERY_FIELDS = Object.keys(QueryRequestSchema.shape);

describe("closestField", () => {
  it.each([
    ["question", "query"],
    ["top_k", "k"],
    ["filters", "filter"],
    ["Query", "query"],
    ["use-cache", "use_cache"],
    ["max_tokens", "max_context_tokens"],
  ])("suggests for %s: %s", (unknown, known) => {
    expect(closestField(unknown, QUERY_FIELDS)).toBe(known);
  });

  it("suggests nothing when no field is plausibly meant", () => {
    expect(closestField("colour", QUERY_FIELDS)).toBeUndefined();
    expect(closestField("x", [])).toBeUndefined();
  });

  it("measures edits", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });
});

describe("describeRequestIssues", () => {
  it("names an unknown field and the closest known one before the missing field it explains", () => {
    expect(issueOf(QueryRequestSchema, { question: "hi" })).toEqual({
      param: "question",
      message: "question: unknown field `question`; did you mean `query`?",
    });
  });

  it("sets param to an unknown field even when the rest is valid", () => {
    expect(issueOf(QueryRequestSchema, { query: "hi", top_k: 3 })).toEqual({
      param: "top_k",
      message: "top_k: unknown field `top_k`; did you mean `k`?",
    });
  });

  it("lists further unknown fields and leaves out a suggestion when none is close", () => {
    expect(issueOf(QueryRequestSchema, { query: "hi", colour: 1, zzz: 2 })).toEqual({
      param: "colour",
      message: "colour: unknown field `colour` (also unknown: `zzz`)",
    });
  });

  it("gives a nested unknown field its full path", () => {
    const issue = issueOf(ChatCompletionRequestSchema, {
      model: "auto",
      messages: [{ role: "user", content: "hi" }],
      stream_options: { includ_usage: true },
    });
    expect(issue).toEqual({
      param: "stream_options.includ_usage",
      message:
        "stream_options.includ_usage: unknown field `includ_usage`; did you mean `include_usage`?",
    });
    expect(issueOf(IngestRequestSchema, { documents: [{ text: "a", titel: "b" }] })).toEqual({
      param: "documents.0.titel",
      message: "documents.0.titel: unknown field `titel`; did you mean `title`?",
    });
  });

  it("calls a missing required field missing and names it in param", () => {
    expect(issueOf(CreateKeyRequestSchema, {})).toEqual({
      param: "name",
      message: "name: required field is missing (expected string)",
    });
    expect(issueOf(EmbeddingsRequestSchema, { input: "x" })).toEqual({
      param: "model",
      message: "model: required field is missing (expected string)",
    });
  });

  it("keeps the schema's own messages for other violations", () => {
    expect(issueOf(QueryRequestSchema, { query: "  " })).toEqual({
      param: "query",
      message: "query: must not be empty",
    });
  });

  it("suggests the OpenAI parameter for a misspelt one", () => {
    const issue = issueOf(ChatCompletionRequestSchema, {
      model: "auto",
      messages: [{ role: "user", content: "hi" }],
      temprature: 0.2,
    });
    expect(issue.param).toBe("temprature");
    expect(issue.message).toContain("did you mean `temperature`?");
  });
});

describe("OpenAI-compatible bodies keep accepting what OpenAI clients send", () => {
  it("accepts the chat parameters the SDKs pass through", () => {
    const body = {
      model: "auto",
      messages: [{ role: "user", content: "hi", name: "u" }],
      user: "u-1",
      logprobs: true,
      top_logprobs: 2,
      seed: 7,
      n: 1,
      stop: ["\n"],
      temperature: 0.2,
      top_p: 1,
      frequency_penalty: 0,
      presence_penalty: 0,
      logit_bias: { "50256": -100 },
      max_tokens: 10,
      max_completion_tokens: 10,
      response_format: { type: "json_object" },
      tools: [{ type: "function", function: { name: "f" } }],
      tool_choice: "auto",
      parallel_tool_calls: true,
      stream: false,
      stream_options: null,
      metadata: { a: "b" },
      store: false,
      service_tier: "auto",
      reasoning_effort: "low",
      safety_identifier: "s",
      prompt_cache_key: "p",
    };
    expect(ChatCompletionRequestSchema.safeParse(body, { error: requestErrorMap }).success).toBe(
      true,
    );
    expect(
      EmbeddingsRequestSchema.safeParse(
        { model: "m", input: ["a"], encoding_format: "base64", dimensions: 8, user: "u" },
        { error: requestErrorMap },
      ).success,
    ).toBe(true);
  });
});
