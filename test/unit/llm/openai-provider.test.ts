import { describe, expect, it } from "vitest";
import { createOpenAIProvider } from "../../../shared/llm/openai-provider.js";
import type { FetchLike } from "../../../shared/ports.js";

interface Call {
  url: string;
  body: unknown;
}

/** A fake upstream: answers each call with the next canned response and records the call. */
function fakeFetch(...responses: Array<() => Response | Promise<Response>>): {
  fetch: FetchLike;
  calls: Call[];
} {
  const calls: Call[] = [];
  const fetch: FetchLike = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const text = typeof init?.body === "string" ? init.body : "";
    calls.push({ url, body: text ? JSON.parse(text) : undefined });
    const next = responses[calls.length - 1] ?? responses.at(-1);
    if (!next) throw new Error("no canned response");
    return next();
  };
  return { fetch, calls };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

const chatBody = {
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o-mini-2024-07-18",
  choices: [
    { index: 0, message: { role: "assistant", content: "Paris [1]" }, finish_reason: "stop" },
  ],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
};

function provider(fetch: FetchLike, timeoutMs = 5_000) {
  return createOpenAIProvider({
    apiKey: "sk-test",
    baseURL: "http://upstream.test/v1",
    timeoutMs,
    fetch,
  });
}

const messages = [{ role: "user" as const, content: "Capital of France?" }];

describe("createOpenAIProvider chat", () => {
  it("returns text, finish reason and usage from a 200 and sends the request once", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, chatBody));
    const out = await provider(fetch).chat({
      model: "gpt-4o-mini",
      messages,
      maxTokens: 50,
      temperature: 0,
    });
    expect(out).toEqual({
      ok: true,
      value: {
        model: "gpt-4o-mini",
        text: "Paris [1]",
        finishReason: "stop",
        usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
      },
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe("http://upstream.test/v1/chat/completions");
    expect(calls[0]?.body).toMatchObject({ model: "gpt-4o-mini", max_tokens: 50, temperature: 0 });
  });

  it("maps 429 to rate_limited with retryAfterMs, without retrying (maxRetries 0)", async () => {
    const { fetch, calls } = fakeFetch(() =>
      json(429, { error: { message: "slow down" } }, { "retry-after": "2" }),
    );
    const out = await provider(fetch).chat({ model: "gpt-4o-mini", messages });
    expect(out).toMatchObject({
      ok: false,
      failure: { reason: "rate_limited", status: 429, retryable: true, retryAfterMs: 2000 },
    });
    expect(calls).toHaveLength(1);
  });

  it("maps 500 to a retryable server_error after exactly one fetch", async () => {
    const { fetch, calls } = fakeFetch(() => json(500, { error: { message: "boom" } }));
    const out = await provider(fetch).chat({ model: "gpt-4o-mini", messages });
    expect(out).toMatchObject({
      ok: false,
      failure: { reason: "server_error", status: 500, retryable: true },
    });
    expect(calls).toHaveLength(1);
  });

  it("maps a 200 whose body is an error object to a bad_response that falls back, not retries", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { error: { message: "overloaded" } }));
    const out = await provider(fetch).chat({ model: "gpt-4o-mini", messages });
    expect(out).toMatchObject({
      ok: false,
      failure: { reason: "bad_response", retryable: false },
    });
    expect(!out.ok && out.failure.message).toMatch(/overloaded/);
    expect(calls).toHaveLength(1);
  });

  it("maps a 200 without choices, or with a non-JSON body, to bad_response", async () => {
    const noChoices = fakeFetch(() => json(200, { id: "x", choices: [] }));
    expect(await provider(noChoices.fetch).chat({ model: "m", messages })).toMatchObject({
      ok: false,
      failure: { reason: "bad_response", retryable: false },
    });
    const html = fakeFetch(() => new Response("<html>proxy</html>", { status: 200 }));
    expect(await provider(html.fetch).chat({ model: "m", messages })).toMatchObject({
      ok: false,
      failure: { reason: "bad_response", retryable: false },
    });
  });

  it.each([
    [400, "bad_request", false],
    [404, "bad_request", false],
    [422, "bad_request", false],
    [401, "auth", false],
    [403, "auth", false],
    [408, "timeout", true],
    [409, "server_error", true],
    [503, "server_error", true],
  ] as const)("maps HTTP %i to %s (retryable %s)", async (status, reason, retryable) => {
    const { fetch, calls } = fakeFetch(() => json(status, { error: { message: "x" } }));
    const out = await provider(fetch).chat({ model: "m", messages });
    expect(out).toMatchObject({ ok: false, failure: { reason, status, retryable } });
    expect(calls).toHaveLength(1);
  });

  it("maps a connection failure to a retryable network failure", async () => {
    const { fetch, calls } = fakeFetch(() => Promise.reject(new TypeError("fetch failed")));
    const out = await provider(fetch).chat({ model: "m", messages });
    expect(out).toMatchObject({ ok: false, failure: { reason: "network", retryable: true } });
    expect(calls).toHaveLength(1);
  });

  it("maps the SDK timeout to a retryable timeout", async () => {
    const hang: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () =>
          reject(new DOMException("aborted", "AbortError")),
        );
      });
    const out = await provider(hang, 20).chat({ model: "m", messages });
    expect(out).toMatchObject({ ok: false, failure: { reason: "timeout", retryable: true } });
  });

  it("maps a caller abort to a retryable timeout", async () => {
    const { fetch } = fakeFetch(() => json(200, chatBody));
    const controller = new AbortController();
    controller.abort();
    const out = await provider(fetch).chat({ model: "m", messages, signal: controller.signal });
    expect(out).toMatchObject({ ok: false, failure: { reason: "timeout", retryable: true } });
  });
});

describe("createOpenAIProvider embed", () => {
  it("returns unit vectors in input order even when data arrives out of order", async () => {
    const { fetch, calls } = fakeFetch(() =>
      json(200, {
        object: "list",
        model: "text-embedding-3-small",
        data: [
          { object: "embedding", index: 1, embedding: [0, 3, 4] },
          { object: "embedding", index: 0, embedding: [2, 0, 0] },
        ],
        usage: { prompt_tokens: 7, total_tokens: 7 },
      }),
    );
    const out = await provider(fetch).embed({ model: "text-embedding-3-small", texts: ["a", "b"] });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.value.promptTokens).toBe(7);
    expect(Array.from(out.value.vectors[0] ?? [])).toEqual([1, 0, 0]);
    expect(Array.from(out.value.vectors[1] ?? [])).toEqual([
      0,
      expect.closeTo(0.6),
      expect.closeTo(0.8),
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.body).toMatchObject({ input: ["a", "b"], encoding_format: "float" });
  });

  it("maps a count mismatch or duplicate index to bad_response", async () => {
    const short = fakeFetch(() => json(200, { data: [{ index: 0, embedding: [1] }] }));
    expect(await provider(short.fetch).embed({ model: "m", texts: ["a", "b"] })).toMatchObject({
      ok: false,
      failure: { reason: "bad_response" },
    });
    const dup = fakeFetch(() =>
      json(200, {
        data: [
          { index: 0, embedding: [1] },
          { index: 0, embedding: [1] },
        ],
      }),
    );
    expect(await provider(dup.fetch).embed({ model: "m", texts: ["a", "b"] })).toMatchObject({
      ok: false,
      failure: { reason: "bad_response" },
    });
  });

  it("maps 429 on embeddings with retry-after-ms", async () => {
    const { fetch, calls } = fakeFetch(() =>
      json(429, { error: { message: "rl" } }, { "retry-after-ms": "250", "retry-after": "1" }),
    );
    const out = await provider(fetch).embed({ model: "m", texts: ["a"] });
    expect(out).toMatchObject({
      ok: false,
      failure: { reason: "rate_limited", retryAfterMs: 250 },
    });
    expect(calls).toHaveLength(1);
  });

  it("skips the upstream for an empty batch", async () => {
    const { fetch, calls } = fakeFetch(() => json(500, {}));
    expect(await provider(fetch).embed({ model: "m", texts: [] })).toEqual({
      ok: true,
      value: { model: "m", vectors: [] },
    });
    expect(calls).toHaveLength(0);
  });
});
