// Pins the mock upstream's contract with the official openai SDK and raw fetch, because the
// integration and e2e suites trust it to behave like OpenAI, faults included.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "../mock-upstream/server.js";

let upstream: MockUpstream;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startMockUpstream({ port: 0 });
  client = new OpenAI({ apiKey: "test", baseURL: upstream.url, maxRetries: 0 });
});
afterAll(async () => {
  await upstream.close();
});
beforeEach(() => {
  upstream.reset();
});

const chatBody = (model = "gpt-4o-mini", content = "hello"): string =>
  JSON.stringify({ model, messages: [{ role: "user", content }] });

async function post(path: string, body: string): Promise<Response> {
  return fetch(`${upstream.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
}

describe("chat completions", () => {
  it("answers deterministically from the last user message, with usage", async () => {
    const res = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "What is ragway?" },
      ],
    });
    expect(res.object).toBe("chat.completion");
    expect(res.choices[0]?.message.content).toBe("Mock answer from gpt-4o-mini: What is ragway?");
    expect(res.choices[0]?.finish_reason).toBe("stop");
    // ceil(("be brief" + "What is ragway?").length / 4) = ceil(23 / 4)
    expect(res.usage?.prompt_tokens).toBe(6);
    expect(res.usage?.total_tokens).toBe(
      (res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0),
    );
  });

  it("cites numbered sources present in the prompt", async () => {
    const res = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [
        { role: "system", content: "Sources:\n[1] Caching\nTiers...\n\n[2] Limits\nDO..." },
        { role: "user", content: "how do caches work?" },
      ],
    });
    expect(res.choices[0]?.message.content).toMatch(/\[1\].*\[2\]/);
  });

  it("streams chunks, a usage chunk with include_usage, then [DONE]", async () => {
    const res = await post(
      "/chat/completions",
      JSON.stringify({
        model: "gpt-4o-mini",
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "stream me a few words please" }],
      }),
    );
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    const events = text.split("\n\n").filter((e) => e.startsWith("data: "));
    expect(events.at(-1)).toBe("data: [DONE]");
    const chunks = events.slice(0, -1).map(
      (e) =>
        JSON.parse(e.slice(6)) as {
          object: string;
          choices: { delta: { role?: string; content?: string }; finish_reason: string | null }[];
          usage: { total_tokens: number } | null;
        },
    );
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(content).toBe("Mock answer from gpt-4o-mini: stream me a few words please");
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(3);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("streams through the SDK", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "hi there" }],
    });
    let text = "";
    let total = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      total = chunk.usage?.total_tokens ?? total;
    }
    expect(text).toBe("Mock answer from gpt-4o-mini: hi there");
    expect(total).toBeGreaterThan(0);
    expect(upstream.counts()).toMatchObject({ chat: 1, chatStream: 1 });
  });
});

describe("billing details", () => {
  it("bills image parts (85 tokens at low detail, 765 otherwise) on top of the text", async () => {
    const image = (detail: "low" | "high") => ({
      type: "image_url" as const,
      image_url: { url: "https://x.example/a.png", detail },
    });
    const res = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [
        { role: "user", content: [{ type: "text", text: "abcd" }, image("low"), image("high")] },
      ],
    });
    expect(res.usage?.prompt_tokens).toBe(1 + 85 + 765);
  });

  it("reports cached and reasoning token details when configured, and can omit usage", async () => {
    upstream.configure({ usage: { prompt_tokens: 100, cached_tokens: 80, reasoning_tokens: 5 } });
    const res = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.usage?.prompt_tokens_details?.cached_tokens).toBe(80);
    expect(res.usage?.completion_tokens_details?.reasoning_tokens).toBe(5);

    upstream.configure({ omitUsage: true });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) expect(chunk.usage ?? null).toBeNull();
  });

  it("answers a required tool with a tool call, streamed in argument pieces", async () => {
    const tools = [{ type: "function" as const, function: { name: "search" } }];
    const messages = [{ role: "user" as const, content: "find the billing docs" }];
    const whole = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages,
      tools,
      tool_choice: "required",
    });
    const call = whole.choices[0]?.message.tool_calls?.[0];
    expect(whole.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" && call.function.name).toBe("search");
    const args = call?.type === "function" ? call.function.arguments : "";
    expect(JSON.parse(args)).toEqual({ query: "find the billing docs", limit: 10 });

    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages,
      tools,
      tool_choice: "required",
      stream: true,
    });
    let streamed = "";
    let pieces = 0;
    for await (const chunk of stream) {
      for (const t of chunk.choices[0]?.delta.tool_calls ?? []) {
        streamed += t.function?.arguments ?? "";
        pieces++;
      }
    }
    expect(streamed).toBe(args);
    expect(pieces).toBeGreaterThan(2);
  });
});

describe("embeddings", () => {
  it("returns one normalized vector per input, in order, deterministically", async () => {
    const input = ["alpha", "beta", "alpha"];
    const a = await client.embeddings.create({
      model: "text-embedding-3-small",
      input,
      encoding_format: "float",
    });
    expect(a.data.map((d) => d.index)).toEqual([0, 1, 2]);
    const [v0, v1, v2] = a.data.map((d) => d.embedding);
    expect(v0).toHaveLength(1536);
    expect(v0).toEqual(v2);
    expect(v0).not.toEqual(v1);
    const norm = Math.sqrt((v1 ?? []).reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 5);
    // ceil(5 / 4) + ceil(4 / 4) + ceil(5 / 4)
    expect(a.usage.prompt_tokens).toBe(5);

    const b = await client.embeddings.create({ model: "text-embedding-3-small", input: "beta" });
    expect(b.data[0]?.embedding).toEqual(v1);
  });

  it("honours dimensions and decodes base64 (the SDK's default) to the same floats", async () => {
    const floats = await client.embeddings.create({
      model: "m",
      input: "x",
      dimensions: 8,
      encoding_format: "float",
    });
    const raw = await post(
      "/embeddings",
      JSON.stringify({ model: "m", input: "x", dimensions: 8, encoding_format: "base64" }),
    );
    const body = await raw.json<{ data: { embedding: string }[] }>();
    const bytes = Buffer.from(body.data[0]?.embedding ?? "", "base64");
    const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, 8));
    expect(floats.data[0]?.embedding).toHaveLength(8);
    expect(decoded).toEqual(floats.data[0]?.embedding);
    const viaSdk = await client.embeddings.create({ model: "m", input: "x", dimensions: 8 });
    expect(viaSdk.data[0]?.embedding).toEqual(floats.data[0]?.embedding);
  });

  it("counts one call with all of its inputs", async () => {
    const input = Array.from({ length: 20 }, (_, i) => `text ${i}`);
    await client.embeddings.create({ model: "text-embedding-3-small", input });
    expect(upstream.counts()).toEqual({
      total: 1,
      chat: 0,
      chatStream: 0,
      embeddings: 1,
      embeddingInputs: 20,
      models: 0,
      errors: 0,
      abandoned: 0,
      connections: 0, // the client reuses the connection an earlier test opened
      byModel: { "text-embedding-3-small": 1 },
    });
  });
});

describe("models, counts and the control plane", () => {
  it("lists models in OpenAI's shape", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain("gpt-4o-mini");
    expect(ids).toContain("text-embedding-3-small");
    expect(upstream.counts().models).toBe(1);
  });

  it("serves counts, faults and reset over HTTP", async () => {
    const origin = upstream.url.replace(/\/v1$/, "");
    await post("/chat/completions", chatBody("a"));
    await post("/chat/completions", chatBody("b"));
    const counts = await (
      await fetch(`${origin}/_mock/counts`)
    ).json<{ chat: number; byModel: Record<string, number> }>();
    expect(counts.chat).toBe(2);
    expect(counts.byModel).toEqual({ a: 1, b: 1 });

    const set = await fetch(`${origin}/_mock/faults`, {
      method: "POST",
      body: JSON.stringify({ errorStatus: 503 }),
    });
    expect(set.status).toBe(200);
    expect((await post("/chat/completions", chatBody())).status).toBe(503);
    const bad = await fetch(`${origin}/_mock/faults`, {
      method: "POST",
      body: JSON.stringify({ errorRate: 2 }),
    });
    expect(bad.status).toBe(400);

    await fetch(`${origin}/_mock/reset`, { method: "POST" });
    expect(upstream.counts().total).toBe(0);
    expect((await post("/chat/completions", chatBody())).status).toBe(200);
  });

  it("answers bad JSON with 400 and unknown paths with 404, in OpenAI's error shape", async () => {
    const bad = await post("/chat/completions", "{not json");
    expect(bad.status).toBe(400);
    const body = await bad.json<{ error: { type: string; param: unknown } }>();
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error).toHaveProperty("param");
    const missing = await fetch(`${upstream.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toHaveProperty("error.message");
    expect(upstream.counts()).toMatchObject({ total: 2, errors: 2 });
  });

  it("records what the client sent", async () => {
    await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "recorded" }],
    });
    const [req] = upstream.requests();
    expect(req?.path).toBe("/v1/chat/completions");
    expect(req?.headers.authorization).toBe("Bearer test");
    expect(req?.body).toMatchObject({ model: "gpt-4o-mini" });
  });
});

describe("fault injection", () => {
  async function failurePattern(): Promise<number[]> {
    upstream.reset();
    upstream.configure({ errorRate: 0.4, errorStatus: 503, seed: 42 });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++)
      statuses.push((await post("/chat/completions", chatBody())).status);
    return statuses;
  }

  it("fails a seeded, reproducible share of requests", async () => {
    const first = await failurePattern();
    const second = await failurePattern();
    expect(second).toEqual(first);
    const failed = first.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(20);
    expect(failed).toBeLessThan(60);
    expect(upstream.counts()).toMatchObject({ total: 100, chat: 100, errors: failed });
  });

  it("sends Retry-After and retry-after-ms, and the SDK sees a RateLimitError", async () => {
    upstream.configure({ errorStatus: 429, retryAfter: "2", retryAfterMs: 1500 });
    const res = await post("/chat/completions", chatBody());
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(res.headers.get("retry-after-ms")).toBe("1500");
    expect(await res.json()).toMatchObject({ error: { code: "rate_limit_exceeded" } });
    await expect(
      client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("rotates an array of error statuses", async () => {
    upstream.configure({ errorStatus: [500, 502, 503] });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await post("/embeddings", '{"model":"e","input":"x"}')).status);
    expect(statuses).toEqual([500, 502, 503, 500]);
  });

  it("cuts a stream before [DONE] so the SDK's iteration throws", async () => {
    upstream.configure({ cutStreamAfterChunks: 2 });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      messages: [{ role: "user", content: "a long enough answer to be cut" }],
    });
    const received: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? "");
    };
    await expect(consume()).rejects.toThrow();
    expect(received.join("")).toBe("Mock answer ");
  });

  it("hangs past a client timeout", async () => {
    upstream.configure({ hangMs: 1000 });
    const impatient = new OpenAI({
      apiKey: "test",
      baseURL: upstream.url,
      maxRetries: 0,
      timeout: 200,
    });
    const started = Date.now();
    await expect(
      impatient.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(900);
    expect(upstream.counts().chat).toBe(1);
  });

  it("can answer 200 with an error body", async () => {
    upstream.configure({ errorInBody200: true });
    const res = await post("/chat/completions", chatBody());
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      error: { message: expect.any(String) as unknown, type: "server_error" },
    });
    expect(upstream.counts().errors).toBe(1);
  });

  it("fails only the listed models", async () => {
    upstream.configure({ failModels: ["gpt-4o"], errorStatus: 503 });
    expect((await post("/chat/completions", chatBody("gpt-4o"))).status).toBe(503);
    expect((await post("/chat/completions", chatBody("gpt-4o-mini"))).status).toBe(200);
    expect(upstream.counts().byModel).toEqual({ "gpt-4o": 1, "gpt-4o-mini": 1 });
  });

  it("fails only the first N targeted requests with failFirst, then answers", async () => {
    upstream.configure({ failFirst: 2, errorStatus: 429, retryAfter: "1" });
    const first = await post("/chat/completions", chatBody());
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("1");
    expect((await post("/chat/completions", chatBody())).status).toBe(429);
    expect((await post("/chat/completions", chatBody())).status).toBe(200);
    expect((await post("/chat/completions", chatBody())).status).toBe(200);
  });

  it("reports overridden usage and adds latency", async () => {
    upstream.configure({
      usage: { prompt_tokens: 100_000, completion_tokens: 50_000 },
      latencyMs: 50,
    });
    const started = Date.now();
    const res = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "x" }],
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(res.usage).toEqual({
      prompt_tokens: 100_000,
      completion_tokens: 50_000,
      total_tokens: 150_000,
    });
  });
});
