// What a call is billed, against the real mock upstream: streams whose client leaves early, every
// part of a prompt (images, tool definitions), tool calls without usage, cached and reasoning
// tokens at their own prices, and the parameters the gateway cannot price (store, service tiers).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import worker from "../../../workers/index.js";
import { call, callJson } from "../helpers.js";
import { bearer, callWithVars, createKey, usage } from "../limits-helpers.js";
import { upstream } from "./upstream-control.js";

interface ErrorBody {
  error: { code: string; param: string | null; message: string };
}

// gpt-4o-mini: $0.15 in, $0.075 cached in, $0.60 out per 1M tokens.
const MINI = { input: 0.15, cached: 0.075, output: 0.6 };
const usd = (tokens: number, perMTok: number): number => (tokens * perMTok) / 1e6;

/** A user message with `n` high-detail images by URL (their size unknown to the gateway). */
function withImages(n: number, detail = "high") {
  const images = Array.from({ length: n }, (_, i) => ({
    type: "image_url",
    image_url: { url: `https://images.example/${i}.png`, detail },
  }));
  return [{ role: "user", content: [{ type: "text", text: "Describe these." }, ...images] }];
}

// The entry's fetch, typed for a plain Request (the pool's own requests carry `cf` properties).
const handler = (request: Request, vars: Env, ctx: ExecutionContext): Promise<Response> =>
  worker.fetch(request as Parameters<typeof worker.fetch>[0], vars, ctx);

/**
 * Opens a streamed completion as `key`, reads its first chunk, notes what the key has reserved
 * while the stream is open, then goes away, and waits for everything the Worker scheduled.
 */
async function streamAndLeave(
  key: string,
  body: Record<string, unknown>,
  vars: Record<string, string> = {},
): Promise<{ reservedWhileOpen: number }> {
  const ctx = createExecutionContext();
  const res = await handler(
    new Request("http://ragway.test/v1/chat/completions", {
      method: "POST",
      headers: { ...bearer(key), "content-type": "application/json" },
      body: JSON.stringify({ ...body, stream: true }),
    }),
    { ...env, ...vars },
    ctx,
  );
  expect(res.status).toBe(200);
  const reader = res.body?.getReader();
  if (!reader) throw new Error("the stream has no body");
  const first = await reader.read();
  expect(first.done).toBe(false);
  const reservedWhileOpen = (await usage(key)).budget.daily.reserved_usd;
  await reader.cancel();
  await waitOnExecutionContext(ctx);
  return { reservedWhileOpen };
}

beforeAll(async () => {
  await upstream(env).reset();
  // The first request of a file builds the token encoder: pay for it under the hook timeout.
  const warm = await call("POST", "/v1/embeddings", {
    body: { model: "text-embedding-3-small", input: "warm up" },
  });
  expect(warm.status).toBe(200);
});

beforeEach(async () => {
  await upstream(env).reset();
});

describe("a stream whose client goes away", () => {
  it("is billed the usage the upstream reported for its 20 images, read after the client left", async () => {
    // What the issue measured: 15,000 prompt tokens reported for 20 high-detail images.
    await upstream(env).faults({
      usage: { prompt_tokens: 15_000, completion_tokens: 40 },
      streamChunkDelayMs: 5,
    });
    const { key } = await createKey({ name: "leaves-early", tpm: 5_000_000, daily_budget_usd: 5 });
    await streamAndLeave(key, { model: "gpt-4o-mini", max_tokens: 50, messages: withImages(20) });
    const after = await usage(key);
    const upstreamBilled = usd(15_000, MINI.input) + usd(40, MINI.output);
    expect(after.budget.daily.spent_usd).toBeCloseTo(upstreamBilled, 12);
    expect(after.budget.daily.reserved_usd).toBe(0);
    expect(after.tokens.used_today).toBe(15_040);
    const sent = (await upstream(env).requests()).find((r) => r.path === "/v1/chat/completions");
    // The caller did not ask for usage; the upstream was asked anyway.
    expect(sent?.body).toMatchObject({ stream_options: { include_usage: true } });
  });

  it("is billed its full reservation when its end cannot be read within STREAM_DRAIN_MS", async () => {
    await upstream(env).faults({ streamChunkDelayMs: 300 });
    const { key } = await createKey({ name: "leaves-slow", daily_budget_usd: 5 });
    const { reservedWhileOpen } = await streamAndLeave(
      key,
      { model: "gpt-4o-mini", max_tokens: 500, messages: withImages(2) },
      { STREAM_DRAIN_MS: "1" },
    );
    expect(reservedWhileOpen).toBeGreaterThan(0);
    const after = await usage(key);
    expect(after.budget.daily.spent_usd).toBeCloseTo(reservedWhileOpen, 12);
    expect(after.budget.daily.reserved_usd).toBe(0);
  });

  it("counts a streamed tool call as completion when the upstream reports no usage", async () => {
    await upstream(env).faults({ omitUsage: true });
    const { key } = await createKey({ name: "tool-stream", daily_budget_usd: 5 });
    const res = await callWithVars({}, "POST", "/v1/chat/completions", {
      body: {
        model: "gpt-4o-mini",
        stream: true,
        messages: [{ role: "user", content: ASK }],
        tools: [{ type: "function", function: { name: "search", parameters: { type: "object" } } }],
        tool_choice: "required",
      },
      headers: bearer(key),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"tool_calls"');
    expect(text).toContain("data: [DONE]");
    const streamed = (await usage(key)).tokens.used_today;
    // The call's arguments echo the ask: as many tokens again as its text, all of them output.
    const prompt = await countedPromptTokens(key);
    expect(streamed - prompt).toBeGreaterThan(20);
  });
});

const ASK = "Find every document that explains how a cancelled stream is billed by the gateway.";

/**
 * The prompt tokens the gateway counts for the tool-call request (usage still omitted upstream):
 * a non-streamed call reports its counted usage in the body.
 */
async function countedPromptTokens(key: string): Promise<number> {
  const res = await callJson<{ usage: { prompt_tokens: number } }>("POST", "/v1/chat/completions", {
    body: {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: ASK }],
      tools: [{ type: "function", function: { name: "search", parameters: { type: "object" } } }],
    },
    headers: bearer(key),
  });
  expect(res.status).toBe(200);
  return res.body.usage.prompt_tokens;
}

describe("every part of a prompt is reserved before the call", () => {
  it("refuses, before calling, a request whose images the budget cannot cover", async () => {
    // gpt-4o: 20 images of unknown size are up to 1,445 tokens each at $2.50 per 1M: $0.07.
    const { key } = await createKey({ name: "images-budget", daily_budget_usd: 0.01 });
    const res = await call("POST", "/v1/chat/completions", {
      body: { model: "gpt-4o", max_tokens: 20, messages: withImages(20) },
      headers: bearer(key),
    });
    expect(res.status).toBe(429);
    expect((await res.json<ErrorBody>()).error.code).toBe("insufficient_quota");
    expect((await upstream(env).counts()).chat).toBe(0);
  });

  it("admits the same request with low-detail images, which cost 85 tokens each", async () => {
    const { key } = await createKey({ name: "images-low", daily_budget_usd: 0.01 });
    const res = await call("POST", "/v1/chat/completions", {
      body: { model: "gpt-4o", max_tokens: 20, messages: withImages(20, "low") },
      headers: bearer(key),
    });
    expect(res.status).toBe(200);
    const after = await usage(key);
    // The mock bills 85 tokens per low-detail image: what it reported is what was spent.
    expect(after.tokens.used_today).toBeGreaterThan(20 * 85);
    expect(after.budget.daily.reserved_usd).toBe(0);
  });
});

describe("cached and reasoning tokens are priced as the provider bills them", () => {
  const DETAILED = {
    usage: {
      prompt_tokens: 10_000,
      completion_tokens: 1_000,
      cached_tokens: 8_000,
      reasoning_tokens: 600,
    },
  };
  const BILLED = usd(2_000, MINI.input) + usd(8_000, MINI.cached) + usd(1_000, MINI.output);

  it("settles a chat completion with cached input at the cached price, and shows the details", async () => {
    await upstream(env).faults(DETAILED);
    const { key } = await createKey({ name: "cached-chat", daily_budget_usd: 5 });
    const res = await callJson<{
      usage: { prompt_tokens_details?: { cached_tokens: number } };
    }>("POST", "/v1/chat/completions", {
      body: { model: "gpt-4o-mini", max_tokens: 50, messages: [{ role: "user", content: "Hi" }] },
      headers: bearer(key),
    });
    expect(res.status).toBe(200);
    expect(res.body.usage.prompt_tokens_details).toEqual({ cached_tokens: 8_000 });
    const after = await usage(key);
    expect(after.budget.daily.spent_usd).toBeCloseTo(BILLED, 12);
    expect(after.tokens.used_today).toBe(11_000);
  });

  it("reports a query's cost_usd with the cached price", async () => {
    const doc = await call("POST", "/v1/documents", {
      body: { documents: [{ id: "cached-doc", text: "Cached prompt tokens cost half." }] },
    });
    expect(doc.status).toBe(200);
    await upstream(env).faults(DETAILED);
    const res = await callJson<{ model: string; usage: { cost_usd: number } }>(
      "POST",
      "/v1/query",
      { body: { query: "What is cached?", model: "gpt-4o-mini", use_cache: false } },
    );
    expect(res.status).toBe(200);
    expect(res.body.model).toBe("gpt-4o-mini");
    expect(res.body.usage.cost_usd).toBeCloseTo(BILLED, 12);
  });
});

describe("parameters the gateway cannot price are refused", () => {
  const ask = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] };

  it("refuses store: true with a 400 naming `store`, unless ALLOW_STORE", async () => {
    const refused = await call("POST", "/v1/chat/completions", { body: { ...ask, store: true } });
    expect(refused.status).toBe(400);
    expect((await refused.json<ErrorBody>()).error).toMatchObject({
      code: "invalid_request",
      param: "store",
    });
    expect((await upstream(env).counts()).chat).toBe(0);

    const allowed = await callWithVars({ ALLOW_STORE: "true" }, "POST", "/v1/chat/completions", {
      body: { ...ask, store: true },
    });
    expect(allowed.status).toBe(200);
    const sent = (await upstream(env).requests()).find((r) => r.path === "/v1/chat/completions");
    expect(sent?.body).toMatchObject({ store: true });
  });

  it("refuses a service tier priced other than the catalog's, and passes auto through", async () => {
    const refused = await call("POST", "/v1/chat/completions", {
      body: { ...ask, service_tier: "priority" },
    });
    expect(refused.status).toBe(400);
    expect((await refused.json<ErrorBody>()).error.param).toBe("service_tier");
    const auto = await call("POST", "/v1/chat/completions", {
      body: { ...ask, service_tier: "auto" },
    });
    expect(auto.status).toBe(200);
  });

  it("refuses audio input, which the catalog has no price for", async () => {
    const res = await call("POST", "/v1/chat/completions", {
      body: {
        model: "gpt-4o-mini",
        messages: [
          {
            role: "user",
            content: [{ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }],
          },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect((await res.json<ErrorBody>()).error.param).toBe("messages[0].content[0]");
  });
});
