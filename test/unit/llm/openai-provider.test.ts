import { describe, expect, it } from "vitest";
import { createOpenAIProvider } from "../../../shared/llm/openai-provider.js";
import type { FetchLike } from "../../../shared/ports.js";

interface Call {
  url: string;
  method: string | undefined;
  headers: Headers;
  body: unknown;
  signal: AbortSignal | undefined;
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
    calls.push({
      url,
      method: init?.method,
      headers: new Headers(init?.headers),
      body: text ? JSON.parse(text) : undefined,
      signal: init?.signal ?? undefined,
    });
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

function provider(fetch: FetchLike, extra: { now?: () => number; baseURL?: string } = {}) {
  return createOpenAIProvider({
    apiKey: "sk-test",
    baseURL: extra.baseURL ?? "http://upstream.test/v1",
    fetch,
    ...(extra.now ? { now: extra.now } : {}),
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

  it("maps 429 to rate_limited with retryAfterMs, without retrying", async () => {
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

  it("maps an abort of its signal while the call hangs (its attempt's timeout) to a retryable timeout", async () => {
    const hang: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () =>
          reject(new DOMException("aborted", "AbortError")),
        );
      });
    const out = await provider(hang).chat({
      model: "m",
      messages,
      signal: AbortSignal.timeout(20),
    });
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

describe("createOpenAIProvider chatCompletion", () => {
  const body = {
    messages: [{ role: "user", content: "hi" }],
    temperature: 0.2,
    tools: [{ type: "function", function: { name: "f" } }],
  };

  it("sends the caller's parameters through and returns the upstream's body with the catalog id", async () => {
    const upstreamBody = {
      ...chatBody,
      system_fingerprint: "fp_1",
      choices: [{ ...chatBody.choices[0], logprobs: null }],
    };
    const { fetch, calls } = fakeFetch(() => json(200, upstreamBody));
    const out = await provider(fetch).chatCompletion({ model: "gpt-4o-mini", body });
    expect(calls[0]?.body).toEqual({ ...body, model: "gpt-4o-mini", stream: false });
    expect(out).toMatchObject({
      ok: true,
      value: {
        text: "Paris [1]",
        usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
        body: { model: "gpt-4o-mini", system_fingerprint: "fp_1", id: "chatcmpl-1" },
      },
    });
  });

  it("treats an error object in a 200 as the error it is", async () => {
    const { fetch } = fakeFetch(() =>
      json(200, { error: { message: "overloaded", type: "server_error" } }),
    );
    const out = await provider(fetch).chatCompletion({ model: "m", body });
    expect(out).toMatchObject({ ok: false, failure: { reason: "bad_response", status: 200 } });
    expect(!out.ok && out.failure.message).toMatch(/overloaded/);
  });

  it("maps a 429 insufficient_quota to an unretryable quota failure", async () => {
    const { fetch } = fakeFetch(() =>
      json(429, {
        error: { message: "out of credit", type: "insufficient_quota", code: "insufficient_quota" },
      }),
    );
    expect(await provider(fetch).chatCompletion({ model: "m", body })).toMatchObject({
      ok: false,
      failure: { reason: "quota", status: 429, retryable: false },
    });
  });
});

describe("createOpenAIProvider chatCompletionStream", () => {
  const body = { messages: [{ role: "user", content: "hi" }] };
  const sse = (text: string) =>
    new Response(text, { status: 200, headers: { "content-type": "text/event-stream" } });
  const frame = (content: string) =>
    `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content } }] })}\n\n`;

  async function drain(gen: AsyncGenerator<unknown>): Promise<unknown[]> {
    const out: unknown[] = [];
    for await (const e of gen) out.push(e);
    return out;
  }

  it("always asks the upstream for usage and yields chunks then done", async () => {
    const { fetch, calls } = fakeFetch(() => sse(frame("Hel") + frame("lo") + "data: [DONE]\n\n"));
    const out = await provider(fetch).chatCompletionStream({ model: "gpt-4o-mini", body });
    expect(calls[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    if (!out.ok) throw new Error("stream did not open");
    const events = await drain(out.value);
    expect(events.map((e) => (e as { type: string }).type)).toEqual(["chunk", "chunk", "done"]);
  });

  it("ends with a truncated error when the upstream closes before [DONE]", async () => {
    const { fetch } = fakeFetch(() => sse(frame("Hel")));
    const out = await provider(fetch).chatCompletionStream({ model: "m", body });
    if (!out.ok) throw new Error("stream did not open");
    expect((await drain(out.value)).at(-1)).toMatchObject({
      type: "error",
      failure: { reason: "truncated" },
    });
  });

  it("fails to open on an HTTP error, with Retry-After kept", async () => {
    const { fetch } = fakeFetch(() =>
      json(503, { error: { message: "busy" } }, { "retry-after": "2" }),
    );
    expect(await provider(fetch).chatCompletionStream({ model: "m", body })).toMatchObject({
      ok: false,
      failure: { reason: "server_error", status: 503, retryAfterMs: 2000 },
    });
  });

  it("fails to open when a 200 carries a JSON error instead of a stream", async () => {
    const { fetch } = fakeFetch(() => json(200, { error: { message: "bad gateway" } }));
    const out = await provider(fetch).chatCompletionStream({ model: "m", body });
    expect(out).toMatchObject({ ok: false, failure: { reason: "bad_response" } });
    expect(!out.ok && out.failure.message).toMatch(/bad gateway/);
  });
});

describe("createOpenAIProvider requests", () => {
  const embedBody = { data: [{ index: 0, embedding: [1, 0] }] };

  it("POSTs each call to its OpenAI path with the bearer key and a JSON body", async () => {
    const { fetch, calls } = fakeFetch(
      () => json(200, chatBody),
      () => json(200, chatBody),
      () =>
        new Response("data: [DONE]\n\n", {
          status: 200,
          headers: { "content-type": "text/event-stream" },
        }),
      () => json(200, embedBody),
    );
    const p = provider(fetch);
    const body = { messages: [{ role: "user", content: "hi" }], top_p: 0.5 };
    await p.chat({ model: "m", messages: [{ role: "tool", content: "result" }], maxTokens: 9 });
    await p.chatCompletion({ model: "m", body });
    await p.chatCompletionStream({ model: "m", body });
    await p.embed({ model: "e", texts: ["a"] });

    expect(calls.map((c) => [c.method, c.url])).toEqual([
      ["POST", "http://upstream.test/v1/chat/completions"],
      ["POST", "http://upstream.test/v1/chat/completions"],
      ["POST", "http://upstream.test/v1/chat/completions"],
      ["POST", "http://upstream.test/v1/embeddings"],
    ]);
    for (const call of calls) {
      expect(call.headers.get("authorization")).toBe("Bearer sk-test");
      expect(call.headers.get("content-type")).toBe("application/json");
    }
    expect(calls.map((c) => c.body)).toEqual([
      // A tool message has no tool_call_id here: it goes as user text.
      { model: "m", messages: [{ role: "user", content: "result" }], max_tokens: 9 },
      { ...body, model: "m", stream: false },
      { ...body, model: "m", stream: true, stream_options: { include_usage: true } },
      { model: "e", input: ["a"], encoding_format: "float" },
    ]);
  });

  it.each(["http://upstream.test/v1/", "http://upstream.test/v1//"])(
    "joins a base URL with trailing slashes (%s) without doubling them",
    async (baseURL) => {
      const { fetch, calls } = fakeFetch(() => json(200, embedBody));
      await provider(fetch, { baseURL }).embed({ model: "e", texts: ["a"] });
      expect(calls[0]?.url).toBe("http://upstream.test/v1/embeddings");
    },
  );
});

/** A fetch that never answers until its signal aborts, then rejects as fetch does. */
function hangingFetch(): { fetch: FetchLike; signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  const fetch: FetchLike = (_input, init) =>
    new Promise((_resolve, reject) => {
      const signal = init?.signal;
      if (!signal) return;
      signals.push(signal);
      signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    });
  return { fetch, signals };
}

/** An SSE response whose body the test writes, chunk by chunk. */
function controlledStream(): {
  response: Response;
  write(text: string): void;
  close(): void;
  fail(reason: unknown): void;
} {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, {
      status: 200,
      headers: { "content-type": "text/event-stream" },
    }),
    write: (text) => controller?.enqueue(encoder.encode(text)),
    close: () => controller?.close(),
    fail: (reason) => controller?.error(reason),
  };
}

describe("createOpenAIProvider signals", () => {
  it("tells an abort of its signal from a connection failure", async () => {
    const hang = hangingFetch();
    const caller = new AbortController();
    const aborted = provider(hang.fetch).chatCompletion({
      model: "m",
      body: { messages },
      signal: caller.signal,
    });
    caller.abort();
    expect(await aborted).toEqual({
      ok: false,
      failure: { reason: "timeout", message: "upstream call aborted", retryable: true },
    });
    expect(hang.signals.every((s) => s.aborted)).toBe(true);

    const refused = fakeFetch(() =>
      Promise.reject(new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED") })),
    );
    const network = await provider(refused.fetch).embed({ model: "e", texts: ["a"] });
    expect(network).toMatchObject({ ok: false, failure: { reason: "network", retryable: true } });
    expect(!network.ok && network.failure.message).toMatch(/ECONNREFUSED/);
  });

  it("hands an embedding call's signal to fetch, so its attempt's timeout ends it", async () => {
    const hang = hangingFetch();
    const caller = new AbortController();
    const pending = provider(hang.fetch).embed({ model: "e", texts: ["a"], signal: caller.signal });
    caller.abort();
    expect(await pending).toMatchObject({ ok: false, failure: { reason: "timeout" } });
    expect(hang.signals).toHaveLength(1);
    expect(hang.signals[0]?.aborted).toBe(true);
  });

  it("does not call the upstream for a caller that already aborted", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, chatBody));
    const caller = new AbortController();
    caller.abort();
    const out = await provider(fetch).chatCompletionStream({
      model: "m",
      body: { messages },
      signal: caller.signal,
    });
    expect(out).toMatchObject({ ok: false, failure: { reason: "timeout" } });
    expect(calls).toHaveLength(0);
  });

  it("ends a non-streamed call whose 200 body stalls after the headers when its signal aborts", async () => {
    const stalled = controlledStream();
    let signal: AbortSignal | undefined;
    // As fetch does, an abort after the headers errors the body being read.
    const fetch: FetchLike = async (_input, init) => {
      signal = init?.signal ?? undefined;
      signal?.addEventListener("abort", () => stalled.fail(signal?.reason));
      return stalled.response;
    };
    const caller = new AbortController();
    const pending = provider(fetch).chatCompletion({
      model: "m",
      body: { messages },
      signal: caller.signal,
    });
    // Let the headers arrive before the abort.
    await new Promise((resolve) => setImmediate(resolve));
    caller.abort();
    const out = await pending;
    expect(out).toMatchObject({ ok: false, failure: { reason: "timeout", retryable: true } });
    expect(signal?.aborted).toBe(true);
  });

  it("reads a 200 that came instead of a stream under the signal, which ends a stalled read", async () => {
    let fail = (_reason: unknown): void => undefined;
    const stalled = new ReadableStream<Uint8Array>({
      start: (c) => void (fail = (r) => c.error(r)),
    });
    const fetch: FetchLike = async (_input, init) => {
      init?.signal?.addEventListener("abort", () => fail(init.signal?.reason));
      return new Response(stalled, { status: 200, headers: { "content-type": "text/html" } });
    };
    const caller = new AbortController();
    const pending = provider(fetch).chatCompletionStream({
      model: "m",
      body: { messages },
      signal: caller.signal,
    });
    await new Promise((resolve) => setImmediate(resolve));
    caller.abort();
    expect(await pending).toMatchObject({ ok: false, failure: { reason: "bad_response" } });
  });

  it("keeps no clock: an open stream runs as long as its upstream writes", async () => {
    const stream = controlledStream();
    const { fetch, calls } = fakeFetch(() => stream.response);
    const out = await provider(fetch).chatCompletionStream({ model: "m", body: { messages } });
    if (!out.ok) throw new Error("stream did not open");
    await new Promise((resolve) => setTimeout(resolve, 30));
    stream.write(
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: "late" } }] })}\n\n`,
    );
    stream.write("data: [DONE]\n\n");
    stream.close();
    const events: unknown[] = [];
    for await (const e of out.value) events.push(e);
    expect(events).toMatchObject([{ type: "chunk", chunk: { content: "late" } }, { type: "done" }]);
    expect(calls[0]?.signal).toBeUndefined();
  });

  it("still closes an open stream's connection when the caller aborts after the headers", async () => {
    const stream = controlledStream();
    const { fetch, calls } = fakeFetch(() => stream.response);
    const caller = new AbortController();
    const out = await provider(fetch).chatCompletionStream({
      model: "m",
      body: { messages },
      signal: caller.signal,
    });
    expect(out.ok).toBe(true);
    caller.abort();
    expect(calls[0]?.signal?.aborted).toBe(true);
  });
});

describe("createOpenAIProvider HTTP failures", () => {
  it("carries the upstream's error message and reads quota from the code or the type", async () => {
    const byType = fakeFetch(() =>
      json(429, {
        error: { message: "You exceeded your current quota", type: "insufficient_quota" },
      }),
    );
    const out = await provider(byType.fetch).chat({ model: "m", messages });
    expect(out).toEqual({
      ok: false,
      failure: {
        reason: "quota",
        status: 429,
        message: "429 You exceeded your current quota",
        retryable: false,
      },
    });
    const plain = fakeFetch(() => new Response("Bad Gateway from the proxy", { status: 502 }));
    expect(await provider(plain.fetch).chat({ model: "m", messages })).toMatchObject({
      ok: false,
      failure: { reason: "server_error", status: 502, message: "502 Bad Gateway from the proxy" },
    });
    const empty = fakeFetch(() => new Response(null, { status: 401 }));
    expect(await provider(empty.fetch).chat({ model: "m", messages })).toMatchObject({
      ok: false,
      failure: { reason: "auth", status: 401, message: "401 with no error body" },
    });
  });

  it("reads Retry-After as seconds or as an HTTP-date against its clock", async () => {
    const now = Date.parse("2026-12-06T10:00:00Z");
    const seconds = fakeFetch(() =>
      json(429, { error: { message: "rl" } }, { "retry-after": "1.5" }),
    );
    expect(await provider(seconds.fetch).chat({ model: "m", messages })).toMatchObject({
      ok: false,
      failure: { reason: "rate_limited", retryAfterMs: 1_500 },
    });
    const date = fakeFetch(() =>
      json(503, { error: { message: "busy" } }, { "retry-after": "Sun, 06 Dec 2026 10:00:07 GMT" }),
    );
    expect(
      await provider(date.fetch, { now: () => now }).chat({ model: "m", messages }),
    ).toMatchObject({ ok: false, failure: { reason: "server_error", retryAfterMs: 7_000 } });
  });

  it("reads a small error body to its end and cancels a huge one after the cap", async () => {
    const small = json(500, { error: { message: "boom" } });
    const smallFetch = fakeFetch(() => small);
    await provider(smallFetch.fetch).chat({ model: "m", messages });
    expect(small.bodyUsed).toBe(true);

    let cancelled = false;
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new TextEncoder().encode("x".repeat(4_096)));
      },
      cancel() {
        cancelled = true;
      },
    });
    const huge = fakeFetch(() => new Response(endless, { status: 500 }));
    const out = await provider(huge.fetch).chat({ model: "m", messages });
    expect(out).toMatchObject({ ok: false, failure: { reason: "server_error", status: 500 } });
    expect(cancelled).toBe(true);
    // 16 KiB at most, read in 4 KiB pulls (one more may be queued ahead of the reader).
    expect(pulled).toBeLessThanOrEqual(6);
    expect(!out.ok && out.failure.message.length).toBeLessThan(1_100);
  });

  it("maps a 200 whose body is not JSON to bad_response, naming what came back", async () => {
    const { fetch } = fakeFetch(
      () =>
        new Response("<html>proxy</html>", {
          status: 200,
          headers: { "content-type": "text/html" },
        }),
    );
    const out = await provider(fetch).chatCompletion({ model: "m", body: { messages } });
    expect(out).toEqual({
      ok: false,
      failure: {
        reason: "bad_response",
        status: 200,
        message: "upstream 200 body is not JSON (text/html)",
        retryable: false,
      },
    });
  });

  it("maps a 200 that is not an event stream on the stream path to bad_response", async () => {
    const page = new Response("<html>login</html>", {
      status: 200,
      headers: { "content-type": "text/html" },
    });
    const { fetch } = fakeFetch(() => page);
    const out = await provider(fetch).chatCompletionStream({ model: "m", body: { messages } });
    expect(out).toMatchObject({
      ok: false,
      failure: {
        reason: "bad_response",
        status: 200,
        message: "expected an event stream, got text/html",
      },
    });
    expect(page.bodyUsed).toBe(true);
  });
});
