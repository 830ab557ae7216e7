// /v1/chat/completions and /v1/embeddings in upstream mode, against the real mock upstream:
// pass-through, streams (usage, cuts, errors dressed as 200s), fallback and context windows.
import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call, callJson } from "../helpers.js";
import { upstream } from "./upstream-control.js";

interface Completion {
  object: string;
  model: string;
  choices: Array<{ message: { role: string; content: string }; finish_reason: string }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  degraded: boolean;
  attempts: Array<{ model: string; ok: boolean; reason?: string; status?: number }>;
}

const messages = [{ role: "user", content: "What is ragway?" }];

/** The `data:` payloads of an SSE body; `[DONE]` stays a string. */
async function events(res: Response): Promise<unknown[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((e) => e.startsWith("data: "))
    .map((e) => e.slice(6))
    .map((d) => (d === "[DONE]" ? d : (JSON.parse(d) as unknown)));
}

function contentOf(list: unknown[]): string {
  return list
    .map((e) =>
      typeof e === "object" && e !== null && "choices" in e && Array.isArray(e.choices)
        ? (e.choices as Array<{ delta?: { content?: string } }>)
            .map((c) => c.delta?.content ?? "")
            .join("")
        : "",
    )
    .join("");
}

// The first request of a file builds the token encoder (slow in workerd on a busy machine): pay
// for it here, under the hook timeout, rather than in the first test.
beforeAll(async () => {
  await upstream(env).reset(); // another file may have left faults set
  const warm = await call("POST", "/v1/embeddings", {
    body: { model: "text-embedding-3-small", input: "warm up" },
  });
  expect(warm.status).toBe(200);
});

beforeEach(async () => {
  await upstream(env).reset();
});

describe("POST /v1/chat/completions (upstream)", () => {
  it("passes the caller's parameters through and answers in OpenAI's shape with usage", async () => {
    const tools = [
      { type: "function", function: { name: "lookup", parameters: { type: "object" } } },
    ];
    const res = await callJson<Completion>("POST", "/v1/chat/completions", {
      body: { model: "gpt-4o-mini", messages, temperature: 0.2, seed: 3, tools, user: "u-1" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: "chat.completion",
      model: "gpt-4o-mini",
      degraded: false,
      attempts: [{ model: "gpt-4o-mini", ok: true }],
      choices: [{ message: { role: "assistant" }, finish_reason: "stop" }],
    });
    expect(res.body.choices[0]?.message.content).toMatch(/^Mock answer from gpt-4o-mini/);
    expect(res.body.usage.total_tokens).toBeGreaterThan(0);
    expect(res.headers.get("x-model")).toBe("gpt-4o-mini");
    expect(res.headers.get("x-model-reason")).toBe("explicit");
    const sent = (await upstream(env).requests()).find((r) => r.path === "/v1/chat/completions");
    expect(sent?.body).toEqual({
      model: "gpt-4o-mini",
      messages,
      temperature: 0.2,
      seed: 3,
      tools,
      user: "u-1",
      stream: false,
    });
  });

  it("chooses a model for auto and says why in x-model-reason", async () => {
    const res = await callJson<Completion>("POST", "/v1/chat/completions", {
      body: { model: "auto", messages: [{ role: "user", content: "What is the default k?" }] },
    });
    expect(res.status).toBe(200);
    expect(res.body.model).toBe("gpt-4.1-nano");
    expect(res.headers.get("x-model-reason")).toBe(
      "auto priority=cost complexity=simple signals=lookup",
    );
  });

  it("falls back when a 200 carries an error body, and says so", async () => {
    await upstream(env).faults({ errorInBody200: true, failModels: ["gpt-4o-mini"] });
    const res = await callJson<Completion>("POST", "/v1/chat/completions", {
      body: { model: "gpt-4o-mini", messages },
    });
    expect(res.status).toBe(200);
    expect(res.body.degraded).toBe(true);
    expect(res.body.model).toBe("gpt-4.1-nano");
    expect(res.body.attempts[0]).toEqual({
      model: "gpt-4o-mini",
      ok: false,
      reason: "bad_response",
      status: 200,
    });
    expect(res.headers.get("x-degraded")).toBe("true");
  });

  it("moves a prompt too long for the model's window to the next model that fits", async () => {
    const long = "The gateway retries, falls back and packs context. ".repeat(300);
    const res = await callJson<Completion>("POST", "/v1/chat/completions", {
      body: { model: "narrow-model", messages: [{ role: "user", content: long }] },
    });
    expect(res.status).toBe(200);
    expect(res.body.degraded).toBe(true);
    expect(res.body.attempts[0]).toEqual({
      model: "narrow-model",
      ok: false,
      reason: "context_window",
    });
    expect((await upstream(env).counts()).byModel["narrow-model"]).toBeUndefined();
  });

  it("streams OpenAI chunks ending in [DONE], without usage unless asked, while always asking upstream", async () => {
    const res = await call("POST", "/v1/chat/completions", {
      body: { model: "gpt-4o-mini", messages, stream: true },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const list = await events(res);
    expect(list.at(-1)).toBe("[DONE]");
    expect(contentOf(list)).toMatch(/^Mock answer from gpt-4o-mini/);
    expect(
      list.slice(0, -1).every((e) => typeof e === "object" && e !== null && !("usage" in e)),
    ).toBe(true);
    expect(list[0]).toMatchObject({ object: "chat.completion.chunk", model: "gpt-4o-mini" });
    const sent = (await upstream(env).requests()).find((r) => r.path === "/v1/chat/completions");
    expect(sent?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("passes the usage chunk on when stream_options.include_usage is set", async () => {
    const res = await call("POST", "/v1/chat/completions", {
      body: {
        model: "gpt-4o-mini",
        messages,
        stream: true,
        stream_options: { include_usage: true },
      },
    });
    const list = await events(res);
    expect(list.at(-1)).toBe("[DONE]");
    expect(list.at(-2)).toMatchObject({
      choices: [],
      usage: { total_tokens: expect.any(Number) as unknown },
    });
  });

  it("ends a stream cut before [DONE] with an error event, not a clean finish", async () => {
    await upstream(env).faults({ cutStreamAfterChunks: 2 });
    const res = await call("POST", "/v1/chat/completions", {
      body: { model: "gpt-4o-mini", messages, stream: true },
    });
    expect(res.status).toBe(200);
    const list = await events(res);
    expect(list).not.toContain("[DONE]");
    expect(list.at(-1)).toMatchObject({ error: { code: "stream_truncated", type: "api_error" } });
    expect(contentOf(list).length).toBeGreaterThan(0);
  });

  it("retries and falls back before the first byte: an error in a 200 stream moves to the next model", async () => {
    await upstream(env).faults({ errorInBody200: true, failModels: ["gpt-4o-mini"] });
    const res = await call("POST", "/v1/chat/completions", {
      body: { model: "gpt-4o-mini", messages, stream: true },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-model")).toBe("gpt-4.1-nano");
    expect(res.headers.get("x-degraded")).toBe("true");
    const list = await events(res);
    expect(list.at(-1)).toBe("[DONE]");
    expect(contentOf(list)).toMatch(/^Mock answer from gpt-4.1-nano/);
  });

  it("retries a 429 while opening a stream and stays on the first model", async () => {
    await upstream(env).faults({ failFirst: 1, errorStatus: 429 });
    const res = await call("POST", "/v1/chat/completions", {
      body: { model: "gpt-4o-mini", messages, stream: true },
    });
    expect(res.headers.get("x-model")).toBe("gpt-4o-mini");
    expect(res.headers.get("x-attempts")).toBe("2");
    expect(res.headers.get("x-degraded")).toBe("false");
    expect((await events(res)).at(-1)).toBe("[DONE]");
  });

  it("answers 503 in the error shape when no model can open a stream", async () => {
    await upstream(env).faults({ errorStatus: 500 });
    const res = await callJson<{ error: { code: string; attempts: unknown[] } }>(
      "POST",
      "/v1/chat/completions",
      {
        body: { model: "gpt-4o", messages, stream: true },
      },
    );
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body.error.code).toBe("upstream_unavailable");
    expect(res.body.error.attempts.length).toBeGreaterThan(3);
  });
});

describe("the chat-completion cache (non-stream, per caller)", () => {
  // Temperature 0: reproducible requests, which the cache serves by default.
  const ask = (content: string, headers: Record<string, string> = {}, stream = false) =>
    call("POST", "/v1/chat/completions", {
      body: {
        model: "gpt-4o-mini",
        messages: [{ role: "user", content }],
        temperature: 0,
        ...(stream ? { stream } : {}),
      },
      headers,
    });

  it("answers an identical request from the cache: no second upstream call, nothing spent", async () => {
    const first = await ask("cache me once");
    expect(first.headers.get("x-cache")).toBe("MISS");
    const firstBody = await first.json<Completion & { from_cache: boolean }>();
    const second = await ask("cache me once");
    expect(second.headers.get("x-cache")).toBe("HIT-MEMORY");
    const body = await second.json<Completion & { from_cache: boolean }>();
    expect(body.choices).toEqual(firstBody.choices);
    expect(body).toMatchObject({ from_cache: true, degraded: false, attempts: [] });
    expect(body.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    expect(second.headers.get("x-model")).toBe("gpt-4o-mini");
    expect((await upstream(env).counts()).chat).toBe(1);
  });

  it("goes upstream again on Cache-Control: no-cache, and never caches streams", async () => {
    await (await ask("fresh please")).arrayBuffer();
    const fresh = await ask("fresh please", { "cache-control": "no-cache" });
    expect(fresh.headers.get("x-cache")).toBe("BYPASS");
    await fresh.arrayBuffer();
    await (await ask("stream me", {}, true)).arrayBuffer();
    await (await ask("stream me", {}, true)).arrayBuffer();
    expect((await upstream(env).counts()).chat).toBe(4);
  });

  it("does not keep a degraded completion", async () => {
    await upstream(env).faults({ errorStatus: 503, failModels: ["gpt-4o-mini"] });
    const degraded = await ask("outage answer");
    expect(degraded.headers.get("x-degraded")).toBe("true");
    await degraded.arrayBuffer();
    await upstream(env).faults({});
    const again = await ask("outage answer");
    expect(again.headers.get("x-cache")).toBe("MISS");
    expect(again.headers.get("x-model")).toBe("gpt-4o-mini");
    await again.arrayBuffer();
  });
});

describe("POST /v1/embeddings (upstream)", () => {
  it("embeds through the upstream model, retrying a 500, in OpenAI's shape", async () => {
    await upstream(env).faults({ failFirst: 1, errorStatus: 500 });
    const res = await callJson<{
      object: string;
      data: Array<{ object: string; index: number; embedding: number[] }>;
      model: string;
      usage: { prompt_tokens: number; total_tokens: number };
    }>("POST", "/v1/embeddings", {
      body: { model: "text-embedding-3-small", input: ["alpha", "beta"] },
    });
    expect(res.status).toBe(200);
    expect(res.body.object).toBe("list");
    expect(res.body.data.map((d) => d.index)).toEqual([0, 1]);
    expect(res.body.data[0]?.embedding).toHaveLength(1536);
    expect(res.body.usage.prompt_tokens).toBeGreaterThan(0);
    const counts = await upstream(env).counts();
    expect(counts.embeddings).toBe(2);
  });
});
