// The OpenAI-compatible routes and the batch route in offline mode (local provider): shapes,
// streaming, and every route's bad input answered with a 4xx in the error shape.
import { beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  BatchQueryResponseSchema,
  ChatCompletionResponseSchema,
  EmbeddingsResponseSchema,
  ModelListResponseSchema,
  ModelResponseSchema,
} from "../../shared/api/openai-responses.js";
import { ErrorResponseSchema } from "../../shared/api/responses.js";
import { OFFLINE_NOTICE } from "../../shared/llm/offline-chat.js";
import { call, callJson, withoutObjects } from "./helpers.js";

interface ErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
  request_id: string;
}

beforeAll(async () => {
  const res = await callJson("POST", "/v1/documents", {
    body: {
      documents: [
        {
          id: "oc-limits",
          title: "Limits",
          text: "Each key gets 60 requests per minute by default.",
        },
        {
          id: "oc-cache",
          title: "Cache",
          text: "Answers are cached in three tiers: memory, Cache API and KV.",
        },
      ],
    },
  });
  expect(res.status).toBe(200);
});

describe("POST /v1/chat/completions (local provider)", () => {
  const messages = [
    { role: "system", content: "Keys get 60 requests per minute.\n\nKV is eventually consistent." },
    { role: "user", content: "How many requests per minute does a key get?" },
  ];

  it("answers offline in OpenAI's chat.completion shape with counted usage", async () => {
    const res = await callJson<{
      object: string;
      model: string;
      choices: Array<{ message: { role: string; content: string }; finish_reason: string }>;
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
      degraded: boolean;
    }>("POST", "/v1/chat/completions", { body: { model: "auto", messages } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: "chat.completion",
      model: "local-extractive",
      degraded: false,
    });
    // The offline chat model answers the user, not from the system prompt or the index.
    const content = res.body.choices[0]?.message.content ?? "";
    expect(content).toContain('You asked: "How many requests per minute does a key get?"');
    expect(content).toContain(OFFLINE_NOTICE);
    expect(content).not.toMatch(/Keys get 60|\[1\]|No indexed documents/);
    expect(res.body.usage.prompt_tokens).toBeGreaterThan(10);
    expect(res.body.usage.total_tokens).toBe(
      res.body.usage.prompt_tokens + res.body.usage.completion_tokens,
    );
    expect(res.headers.get("x-model-reason")).toMatch(/^auto priority=cost/);
  });

  it("never calls the INDEX object, on a miss or a hit of the chat cache", async () => {
    const worker = withoutObjects(["INDEX"]);
    // Temperature 0: a reproducible request, cached by default.
    const body = { model: "local-extractive", messages, temperature: 0 };
    const miss = await worker.call("POST", "/v1/chat/completions", body);
    expect(miss.status).toBe(200);
    expect(miss.headers.get("x-cache")).toBe("MISS");
    const hit = await worker.call("POST", "/v1/chat/completions", body);
    expect(hit.headers.get("x-cache")).toBe("HIT-MEMORY");
    expect(worker.used).toEqual([]);
  });

  it("answers the last user message as a deterministic offline model, whatever the index holds", async () => {
    const ask = async () =>
      callJson<{ choices: Array<{ message: { content: string } }> }>(
        "POST",
        "/v1/chat/completions",
        {
          body: {
            model: "local-extractive",
            messages: [
              { role: "system", content: "Answers are cached in three tiers." },
              { role: "user", content: "What is 12 * (3 + 4)?" },
            ],
          },
        },
      );
    const first = await ask();
    expect(first.status).toBe(200);
    const content = first.body.choices[0]?.message.content ?? "";
    expect(content.startsWith("12 * (3 + 4) = 84.")).toBe(true);
    expect(content).not.toMatch(/three tiers|memory, Cache API/);
    expect((await ask()).body.choices[0]?.message.content).toBe(content);
  });

  it("streams offline, with a usage chunk when asked, ending in [DONE]", async () => {
    const res = await call("POST", "/v1/chat/completions", {
      body: {
        model: "local-extractive",
        messages,
        stream: true,
        stream_options: { include_usage: true },
      },
    });
    expect(res.status).toBe(200);
    const data = (await res.text())
      .split("\n\n")
      .filter((e) => e.startsWith("data: "))
      .map((e) => e.slice(6));
    expect(data.at(-1)).toBe("[DONE]");
    const usage = JSON.parse(data.at(-2) ?? "{}") as {
      choices: unknown[];
      usage: { total_tokens: number };
    };
    expect(usage.choices).toEqual([]);
    expect(usage.usage.total_tokens).toBeGreaterThan(0);
  });

  it.each([
    ["no messages", { model: "auto" }, "messages"],
    ["an empty messages array", { model: "auto", messages: [] }, "messages"],
    [
      "an unknown role",
      { model: "auto", messages: [{ role: "robot", content: "hi" }] },
      "messages.0.role",
    ],
    ["a temperature out of range", { model: "auto", messages, temperature: 3 }, "temperature"],
    ["an unknown parameter", { model: "auto", messages, temprature: 0.2 }, "temprature"],
    [
      "a tool message without tool_call_id",
      { model: "auto", messages: [{ role: "tool", content: "x" }] },
      "messages.0.tool_call_id",
    ],
    ["an unknown model", { model: "gpt-9", messages }, "model"],
    ["a model whose provider is not configured", { model: "gpt-4o-mini", messages }, "model"],
    ["a bad priority", { model: "auto", messages, priority: "cheap" }, "priority"],
  ])("answers %s with 400 in the error shape", async (_name, body, param) => {
    const res = await callJson<ErrorBody>("POST", "/v1/chat/completions", { body });
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe("invalid_request_error");
    if (param !== null) expect(res.body.error.param).toBe(param);
    expect(res.body.request_id).toBeTruthy();
  });

  it("answers a prompt no model can hold with 400 context_length_exceeded", async () => {
    const huge = "word ".repeat(20_000);
    const res = await callJson<ErrorBody>("POST", "/v1/chat/completions", {
      body: { model: "auto", messages: [{ role: "user", content: huge }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "context_length_exceeded", param: "messages" });
  });

  it("sizes up a huge unbroken blob without pinning the CPU (bounded token counting)", async () => {
    // Exact BPE over 600 kB without a single space would take minutes; this must answer at once.
    const blob = "QUJDRE".repeat(100_000);
    const res = await callJson<ErrorBody>("POST", "/v1/chat/completions", {
      body: { model: "auto", messages: [{ role: "user", content: blob }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("context_length_exceeded");
  });

  it("answers non-JSON with 400 and a wrong method with 405", async () => {
    expect(
      (
        await call("POST", "/v1/chat/completions", {
          rawBody: "{",
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(400);
    expect((await call("GET", "/v1/chat/completions")).status).toBe(405);
  });
});

describe("POST /v1/embeddings (local provider)", () => {
  interface Embeddings {
    object: string;
    data: Array<{ object: string; index: number; embedding: number[] | string }>;
    model: string;
    usage: { prompt_tokens: number; total_tokens: number };
  }

  it("takes a string or an array and answers in OpenAI's list shape", async () => {
    const one = await callJson<Embeddings>("POST", "/v1/embeddings", {
      body: { model: "local-hash-embed", input: "rate limits" },
    });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ object: "list", model: "local-hash-embed" });
    expect(one.body.data).toHaveLength(1);
    expect(one.body.data[0]?.embedding).toHaveLength(384);
    const many = await callJson<Embeddings>("POST", "/v1/embeddings", {
      body: { model: "local-hash-embed", input: ["rate limits", "caching"] },
    });
    expect(many.body.data.map((d) => d.index)).toEqual([0, 1]);
    expect(many.body.data[0]?.embedding).toEqual(one.body.data[0]?.embedding);
    expect(many.body.usage.prompt_tokens).toBeGreaterThan(one.body.usage.prompt_tokens);
  });

  it("encodes base64 (the SDK default) and shortens to `dimensions`", async () => {
    const res = await callJson<Embeddings>("POST", "/v1/embeddings", {
      body: {
        model: "local-hash-embed",
        input: "hello",
        encoding_format: "base64",
        dimensions: 64,
      },
    });
    expect(res.status).toBe(200);
    const b64 = res.body.data[0]?.embedding;
    expect(typeof b64).toBe("string");
    const bytes = Uint8Array.from(atob(String(b64)), (c) => c.charCodeAt(0));
    const v = new Float32Array(bytes.buffer);
    expect(v).toHaveLength(64);
    expect(Math.hypot(...v)).toBeCloseTo(1, 5);
  });

  it.each([
    ["an unknown model", { model: "nope", input: "x" }, "model"],
    ["a chat model", { model: "local-extractive", input: "x" }, "model"],
    [
      "a model whose provider is not configured",
      { model: "text-embedding-3-small", input: "x" },
      "model",
    ],
    ["an empty string", { model: "local-hash-embed", input: " " }, "input"],
    ["token arrays", { model: "local-hash-embed", input: [[1, 2, 3]] }, "input"],
    ["an empty array", { model: "local-hash-embed", input: [] }, "input"],
    [
      "dimensions above the model's",
      { model: "local-hash-embed", input: "x", dimensions: 1000 },
      "dimensions",
    ],
    [
      "a bad encoding_format",
      { model: "local-hash-embed", input: "x", encoding_format: "hex" },
      "encoding_format",
    ],
    ["no model", { input: "x" }, "model"],
  ])("answers %s with 400", async (_name, body, param) => {
    const res = await callJson<ErrorBody>("POST", "/v1/embeddings", { body });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe(param);
  });

  it("answers an input longer than the model's window with context_length_exceeded", async () => {
    const res = await callJson<ErrorBody>("POST", "/v1/embeddings", {
      body: { model: "local-hash-embed", input: ["short", "many words here ".repeat(3_000)] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "context_length_exceeded", param: "input" });
    expect(res.body.error.message).toMatch(/^input\[1\]/);
  });
});

describe("GET /v1/models", () => {
  it("lists auto and the models this deployment can call, in OpenAI's list shape", async () => {
    const res = await callJson<{
      object: string;
      data: Array<{ id: string; object: string; owned_by: string }>;
    }>("GET", "/v1/models");
    expect(res.status).toBe(200);
    expect(res.body.object).toBe("list");
    const ids = res.body.data.map((m) => m.id);
    expect(ids[0]).toBe("auto");
    expect(ids).toEqual(expect.arrayContaining(["local-extractive", "local-hash-embed"]));
    expect(ids).not.toContain("gpt-4o-mini");
    expect(res.body.data.every((m) => m.object === "model" && typeof m.owned_by === "string")).toBe(
      true,
    );
  });

  it("retrieves one model and 404s an unknown one", async () => {
    expect((await callJson<{ id: string }>("GET", "/v1/models/local-extractive")).body.id).toBe(
      "local-extractive",
    );
    const missing = await callJson<ErrorBody>("GET", "/v1/models/gpt-9");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
    expect((await call("GET", "/v1/models/%E0%A4%A")).status).toBe(400);
  });
});

describe("POST /v1/query/batch", () => {
  interface Batch {
    object: string;
    results: Array<{
      index: number;
      status: number;
      response?: { answer: string; sources: Array<{ id: string }>; model: string };
      error?: { code: string; param: string | null };
    }>;
    succeeded: number;
    failed: number;
    request_id: string;
  }

  it("answers every query in input order, with a bad one as an inline error", async () => {
    const res = await callJson<Batch>("POST", "/v1/query/batch", {
      body: {
        queries: [
          { query: "How many requests per minute?" },
          { query: "", k: 3 },
          { query: "Where are answers cached?", k: 2 },
          { query: "anything", stream: true },
          { query: "What limits apply?", model: "gpt-9" },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: "batch", succeeded: 2, failed: 3 });
    expect(res.body.results.map((r) => [r.index, r.status])).toEqual([
      [0, 200],
      [1, 400],
      [2, 200],
      [3, 400],
      [4, 400],
    ]);
    expect(res.body.results[0]?.response?.sources[0]?.id).toBe("oc-limits");
    expect(res.body.results[2]?.response?.sources[0]?.id).toBe("oc-cache");
    expect(res.body.results[1]?.error).toMatchObject({ code: "invalid_request", param: "query" });
    expect(res.body.results[3]?.error).toMatchObject({ param: "stream" });
    expect(res.body.results[4]?.error).toMatchObject({ param: "model" });
  });

  it.each([
    ["no queries", {}],
    ["an empty list", { queries: [] }],
    ["more than 50 queries", { queries: Array.from({ length: 51 }, () => ({ query: "x" })) }],
    ["an unknown field", { queries: [{ query: "x" }], parallel: true }],
    ["queries that is not a list", { queries: "x" }],
  ])("rejects %s with 400", async (_name, body) => {
    const res = await callJson<ErrorBody>("POST", "/v1/query/batch", { body });
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe("invalid_request_error");
  });
});

/** Parses `body` with `schema` and fails on top-level fields the schema does not declare. */
function expectDocumented(schema: z.ZodObject, body: unknown): void {
  expect(() => schema.parse(body)).not.toThrow();
  const declared = Object.keys(schema.shape);
  expect(Object.keys(body as object).filter((k) => !declared.includes(k))).toEqual([]);
}

describe("responses match their documented schemas (OpenAPI)", () => {
  it("chat (miss and hit), embeddings, models, one model, batch and a 400", async () => {
    const chatBody = {
      model: "auto",
      messages: [{ role: "user", content: "schema check" }],
      temperature: 0,
    };
    const chat = await callJson("POST", "/v1/chat/completions", { body: chatBody });
    expectDocumented(ChatCompletionResponseSchema, chat.body);
    const hit = await callJson<{ from_cache: boolean }>("POST", "/v1/chat/completions", {
      body: chatBody,
    });
    expect(hit.body.from_cache).toBe(true);
    expectDocumented(ChatCompletionResponseSchema, hit.body);
    const embeddings = await callJson("POST", "/v1/embeddings", {
      body: { model: "local-hash-embed", input: ["a", "b"] },
    });
    expectDocumented(EmbeddingsResponseSchema, embeddings.body);
    const models = await callJson<{ data: unknown[] }>("GET", "/v1/models");
    expectDocumented(ModelListResponseSchema, models.body);
    for (const model of models.body.data) expectDocumented(ModelResponseSchema, model);
    expectDocumented(ModelResponseSchema, (await callJson("GET", "/v1/models/auto")).body);
    const batch = await callJson("POST", "/v1/query/batch", {
      body: { queries: [{ query: "How many requests per minute?" }, { query: "" }] },
    });
    expectDocumented(BatchQueryResponseSchema, batch.body);
    const bad = await callJson("POST", "/v1/embeddings", { body: { model: "nope", input: "x" } });
    expectDocumented(ErrorResponseSchema, bad.body);
  });
});
