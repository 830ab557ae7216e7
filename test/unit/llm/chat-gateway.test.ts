import { describe, expect, it } from "vitest";
import type { ModelInfo } from "../../../shared/llm/catalog.js";
import {
  billedPromptTokens,
  completeChat,
  openChatStream,
  planChat,
  linkSpend,
  worstCaseUsage,
  type ChatDeps,
} from "../../../shared/llm/chat-gateway.js";
import { createCircuitBreaker } from "../../../shared/llm/circuit-breaker.js";
import { createTokenCounter } from "../../../shared/tokens/count.js";
import { createCountMemo } from "../../../shared/tokens/count-memo.js";
import { recordingMetrics } from "../../fakes/metrics.js";
import { FakeProvider, type Step } from "../../fakes/fake-provider.js";
import { FakeTimers } from "../../fakes/fake-timers.js";
import { chatModel } from "../../fakes/chat-model.js";

const chat = chatModel;

const catalog: ModelInfo[] = [
  chat("small", {
    contextWindow: 1_000,
    maxOutputTokens: 500,
    inputUsdPerMTok: 0.1,
    outputUsdPerMTok: 0.1,
    qualityTier: 1,
  }),
  chat("big", { inputUsdPerMTok: 2, outputUsdPerMTok: 2, qualityTier: 3 }),
];

function deps(scripts: Record<string, Step[]> = {}) {
  const timers = new FakeTimers();
  const provider = new FakeProvider(scripts);
  const d: ChatDeps = {
    catalog,
    available: new Set(["local", "openai"]),
    counter: createTokenCounter(),
    providerFor: () => provider,
    resilience: {
      policy: { maxAttempts: 2, baseMs: 10, capMs: 100, attemptTimeoutMs: 5_000 },
      timers,
      breaker: createCircuitBreaker({ failureThreshold: 5, cooldownMs: 30_000, now: timers.now }),
      metrics: recordingMetrics(),
    },
  };
  return { d, provider, timers, opts: { deadlineAt: timers.now() + 60_000 } };
}

const body = (content: string, extra: Record<string, unknown> = {}) => ({
  messages: [{ role: "user", content }],
  ...extra,
});

describe("planChat", () => {
  it("refuses an unknown model with param model", () => {
    const { d } = deps();
    expect(planChat("nope", "cost", body("hi"), d)).toMatchObject({
      ok: false,
      param: "model",
      code: "invalid_request",
    });
  });

  it("picks by task for auto: a lookup goes to the cheap model, a comparison to the strong one", () => {
    const { d } = deps();
    const simple = planChat("auto", "cost", body("What is k?"), d);
    const complex = planChat(
      "auto",
      "cost",
      body("Compare these designs and explain the trade-offs."),
      d,
    );
    expect(simple).toMatchObject({ ok: true, plan: { chain: [{ id: "small" }, { id: "big" }] } });
    expect(complex).toMatchObject({ ok: true, plan: { chain: [{ id: "big" }, { id: "small" }] } });
    if (complex.ok) expect(complex.plan.reason).toMatch(/complexity=complex/);
  });

  it("counts a long ask's tokens once through a remembering counter, though it is both part of the prompt and the task's question", () => {
    const { d } = deps();
    const real = d.counter;
    const counted: number[] = [];
    const recording = {
      ...real,
      count: (text: string) => {
        counted.push(text.length);
        return real.count(text);
      },
    };
    d.counter = createCountMemo().counterFor("principal:alice", recording);
    const ask = "How does the write-ahead log keep a commit durable? ".repeat(200);
    const planned = planChat("big", "cost", body(ask), d);
    expect(planned.ok).toBe(true);
    expect(counted.filter((length) => length === ask.length)).toHaveLength(1);
    if (planned.ok) expect(planned.plan.promptTokens).toBeGreaterThan(real.count(ask));
  });

  it("says context_length_exceeded when no model in the chain can take the prompt", () => {
    const { d } = deps();
    const huge = "lorem ipsum dolor ".repeat(40_000);
    expect(planChat("auto", "cost", body(huge), d)).toMatchObject({
      ok: false,
      code: "context_length_exceeded",
      param: "messages",
    });
  });
});

describe("linkSpend", () => {
  it("holds the prompt and the caller's completion cap at the model's prices", () => {
    const { d } = deps();
    const planned = planChat("small", "cost", body("What is k?", { max_tokens: 100 }), d);
    if (!planned.ok) throw new Error(planned.message);
    const { plan } = planned;
    const [small, big] = plan.chain as [ModelInfo, ModelInfo];
    expect(linkSpend(plan, small)).toEqual({
      tokens: plan.promptTokens + 100,
      usd: ((plan.promptTokens + 100) * 0.1) / 1e6,
    });
    expect(linkSpend(plan, big).usd).toBeCloseTo(((plan.promptTokens + 100) * 2) / 1e6, 15);
  });

  it("holds the most the model can write when the caller sets no cap, times n", () => {
    const { d } = deps();
    const planned = planChat("big", "cost", body("What is k?", { n: 2 }), d);
    if (!planned.ok) throw new Error(planned.message);
    const { plan } = planned;
    const [big, small] = plan.chain as [ModelInfo, ModelInfo];
    expect(linkSpend(plan, big).tokens).toBe(plan.promptTokens + 4_000 * 2);
    expect(linkSpend(plan, small).tokens).toBe(plan.promptTokens + 500 * 2);
  });
});

describe("linkSpend covers every part of the prompt", () => {
  const image = (detail?: string) => ({
    type: "image_url",
    image_url: { url: "https://x.example/a.png", ...(detail ? { detail } : {}) },
  });

  it("holds each image at its model's rule, at the worst case when its size is unknown", () => {
    const { d } = deps();
    const messages = [
      { role: "user", content: [{ type: "text", text: "Look" }, image(), image("low")] },
    ];
    const planned = planChat("big", "cost", { messages, max_tokens: 10 }, d);
    if (!planned.ok) throw new Error(planned.message);
    const { plan } = planned;
    const [big] = plan.chain as [ModelInfo];
    expect(plan.promptTokens).toBe(plan.prompt.textTokens + 1445 + 85);
    expect(linkSpend(plan, big).tokens).toBe(plan.promptTokens + 10);
    const mini = {
      ...big,
      vision: { rule: "tiles" as const, baseTokens: 2_833, tileTokens: 5_667 },
    };
    expect(billedPromptTokens(plan, mini)).toBe(plan.prompt.textTokens + 2_833 * 2 + 8 * 5_667);
  });

  it("holds a whole context window of prompt for a file it cannot size", () => {
    const { d } = deps();
    const file = { type: "file", file: { file_id: "file-1" } };
    const messages = [{ role: "user", content: [{ type: "text", text: "Summarize" }, file] }];
    const planned = planChat("big", "cost", { messages, max_tokens: 10 }, d);
    if (!planned.ok) throw new Error(planned.message);
    const { plan } = planned;
    const [big] = plan.chain as [ModelInfo];
    expect(worstCaseUsage(plan, big)).toMatchObject({
      prompt_tokens: big.contextWindow,
      completion_tokens: 10,
    });
    expect(linkSpend(plan, big).usd).toBeCloseTo(((big.contextWindow + 10) * 2) / 1e6, 12);
  });
});

describe("completeChat", () => {
  it("skips a link the caller's limits cannot cover, without calling it", async () => {
    const { d, provider, opts } = deps({
      small: [{ reason: "server_error", status: 500, message: "down", retryable: true }],
    });
    const planned = planChat("small", "cost", body("What is k?"), d);
    if (!planned.ok) throw new Error(planned.message);
    const result = await completeChat(planned.plan, d, {
      ...opts,
      admit: async (m) => m.id !== "big",
    });
    expect(result.ok).toBe(false);
    expect(result.attempts.at(-1)).toEqual({ model: "big", ok: false, reason: "budget" });
    expect(provider.count("big")).toBe(0);
  });

  it("moves a prompt that does not fit the chosen model's window to the next model that fits", async () => {
    const { d, provider, opts } = deps();
    const planned = planChat("small", "cost", body("tell me ".repeat(600)), d);
    if (!planned.ok) throw new Error(planned.message);
    const result = await completeChat(planned.plan, d, opts);
    expect(result).toMatchObject({ ok: true, model: { id: "big" }, degraded: true });
    expect(result.attempts[0]).toEqual({ model: "small", ok: false, reason: "context_window" });
    expect(provider.count("small")).toBe(0);
  });

  it("skips a model whose completion cap is below the requested max_tokens", async () => {
    const { d, opts } = deps();
    const planned = planChat("small", "cost", body("hi", { max_tokens: 800 }), d);
    if (!planned.ok) throw new Error(planned.message);
    expect(await completeChat(planned.plan, d, opts)).toMatchObject({
      ok: true,
      model: { id: "big" },
    });
  });

  it("fills in counted usage when the provider reported none, in the body too", async () => {
    const { d, opts } = deps();
    const planned = planChat("big", "cost", body("Hello there"), d);
    if (!planned.ok) throw new Error(planned.message);
    const result = await completeChat(planned.plan, d, opts);
    if (!result.ok) throw new Error("failed");
    expect(result.value.usage.prompt_tokens).toBe(planned.plan.promptTokens);
    expect(result.value.usage.completion_tokens).toBeGreaterThan(0);
    expect(result.value.body.usage).toEqual(result.value.usage);
  });

  it("sends the caller's parameters through to the provider", async () => {
    const { d, provider, opts } = deps();
    const planned = planChat("big", "cost", body("hi", { temperature: 0.3, seed: 7 }), d);
    if (!planned.ok) throw new Error(planned.message);
    await completeChat(planned.plan, d, opts);
    expect(provider.completions[0]).toMatchObject({
      model: "big",
      body: { temperature: 0.3, seed: 7 },
    });
  });
});

describe("openChatStream", () => {
  it("treats an error event before the first chunk as a failed try and falls back", async () => {
    const errorIn200: Step = {
      stream: [
        {
          type: "error",
          failure: {
            reason: "bad_response",
            status: 200,
            message: "upstream error in stream",
            retryable: false,
          },
        },
      ],
    };
    const { d, opts } = deps({ big: [errorIn200] });
    const planned = planChat("big", "cost", body("hi"), d);
    if (!planned.ok) throw new Error(planned.message);
    const result = await openChatStream(planned.plan, d, opts);
    expect(result).toMatchObject({ ok: true, model: { id: "small" }, degraded: true });
    expect(result.attempts[0]).toMatchObject({ model: "big", ok: false, reason: "bad_response" });
    if (result.ok) expect(result.value.first.content).toBe("hi");
  });

  it("unlinks an open stream from its attempt's clock: only the relay's abort closes it", async () => {
    const { d, provider, timers, opts } = deps();
    const planned = planChat("big", "cost", body("hi"), d);
    if (!planned.ok) throw new Error(planned.message);
    const result = await openChatStream(planned.plan, d, opts);
    if (!result.ok) throw new Error("stream did not open");
    const signal = provider.completions[0]?.signal;
    // Far past the attempt timeout (5 s): the provider keeps no clock, the attempt's is gone.
    timers.advance(60_000);
    expect(signal?.aborted).toBe(false);
    result.value.abort();
    expect(signal?.aborted).toBe(true);
  });

  it("fails a stream that ends without a single chunk", async () => {
    const { d, opts } = deps({ big: [{ stream: [{ type: "done" }] }], small: [{ stream: [] }] });
    const planned = planChat("big", "cost", body("hi"), d);
    if (!planned.ok) throw new Error(planned.message);
    const result = await openChatStream(planned.plan, d, opts);
    expect(result).toMatchObject({ ok: false, rejected: false });
    expect(result.attempts.map((a) => a.reason)).toEqual(["bad_response", "bad_response"]);
  });
});
