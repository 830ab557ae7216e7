import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOG, findModel, type ModelInfo } from "../../../shared/llm/catalog.js";
import { createCircuitBreaker } from "../../../shared/llm/circuit-breaker.js";
import { fallbackChain, runFallback, type Resilience } from "../../../shared/llm/fallback.js";
import type { Outcome, UpstreamFailure } from "../../../shared/llm/types.js";
import { recordingMetrics, type RecordingMetrics } from "../../fakes/metrics.js";
import { FakeTimers } from "../../fakes/fake-timers.js";

const both = new Set<ModelInfo["provider"]>(["local", "openai"]);
const model = (id: string): ModelInfo => {
  const m = findModel(DEFAULT_CATALOG, id);
  if (!m) throw new Error(`no ${id} in the catalog`);
  return m;
};
const [mini, nano, big] = [model("gpt-4o-mini"), model("gpt-4.1-nano"), model("gpt-4.1")];

function kit(threshold = 3): Resilience & { timers: FakeTimers; metrics: RecordingMetrics } {
  const timers = new FakeTimers();
  return {
    policy: { maxAttempts: 3, baseMs: 100, capMs: 1_000, attemptTimeoutMs: 5_000 },
    timers,
    breaker: createCircuitBreaker({
      failureThreshold: threshold,
      cooldownMs: 30_000,
      now: timers.now,
    }),
    metrics: recordingMetrics(),
  };
}

const failure = (status: number, extra: Partial<UpstreamFailure> = {}): UpstreamFailure => ({
  reason: status === 429 ? "rate_limited" : status >= 500 ? "server_error" : "bad_request",
  status,
  message: `status ${status}`,
  retryable: status === 429 || status >= 500,
  ...extra,
});

/** A fake upstream per model: each model plays its script (the last entry repeats). */
function upstream(scripts: Record<string, Array<UpstreamFailure | "ok">>) {
  const calls: string[] = [];
  const call = async (m: ModelInfo): Promise<Outcome<string>> => {
    calls.push(m.id);
    const script = scripts[m.id] ?? ["ok"];
    const n = calls.filter((id) => id === m.id).length;
    const step = script[n - 1] ?? script.at(-1) ?? "ok";
    return step === "ok"
      ? { ok: true, value: `answer from ${m.id}` }
      : { ok: false, failure: step };
  };
  return { call, calls };
}

describe("fallbackChain", () => {
  it("starts with the first choice, then ranks the other upstream models for the task", () => {
    const chain = fallbackChain(mini, {
      catalog: DEFAULT_CATALOG,
      available: both,
      priority: "cost",
      complexity: "simple",
    });
    expect(chain.map((m) => m.id)).toEqual([
      "gpt-4o-mini",
      "gpt-4.1-nano",
      "gpt-4.1-mini",
      "gpt-4.1",
      "gpt-4o",
    ]);
  });

  it("puts capable models first for a complex task", () => {
    const chain = fallbackChain(big, {
      catalog: DEFAULT_CATALOG,
      available: both,
      priority: "cost",
      complexity: "complex",
    });
    expect(chain.map((m) => m.id).slice(0, 3)).toEqual(["gpt-4.1", "gpt-4o", "gpt-4.1-mini"]);
  });

  it("follows the configured order, dropping the first choice and unusable ids", () => {
    const chain = fallbackChain(mini, {
      catalog: DEFAULT_CATALOG,
      available: both,
      priority: "cost",
      complexity: "simple",
      configured: [
        "gpt-4o",
        "gpt-4o-mini",
        "text-embedding-3-small",
        "local-extractive",
        "gpt-4.1-nano",
      ],
    });
    expect(chain.map((m) => m.id)).toEqual(["gpt-4o-mini", "gpt-4o", "gpt-4.1-nano"]);
  });

  it("is just the local model when only the local provider is configured", () => {
    const local = model("local-extractive");
    const chain = fallbackChain(local, {
      catalog: DEFAULT_CATALOG,
      available: new Set(["local"]),
      priority: "cost",
      complexity: "simple",
    });
    expect(chain).toEqual([local]);
  });
});

describe("runFallback", () => {
  it("answers from the first model without degrading when a retry suffices", async () => {
    const deps = kit();
    const { call, calls } = upstream({ "gpt-4o-mini": [failure(500), failure(429), "ok"] });
    const result = await runFallback(
      [mini, nano],
      { call, deadlineAt: deps.timers.now() + 60_000 },
      deps,
    );
    expect(result).toMatchObject({ ok: true, value: "answer from gpt-4o-mini", degraded: false });
    expect(calls).toEqual(["gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini"]);
    expect(result.attempts).toEqual([
      { model: "gpt-4o-mini", ok: false, reason: "server_error", status: 500 },
      { model: "gpt-4o-mini", ok: false, reason: "rate_limited", status: 429 },
      { model: "gpt-4o-mini", ok: true },
    ]);
    expect(deps.metrics.total("ragway_upstream_retries_total", { model: "gpt-4o-mini" })).toBe(2);
    expect(
      deps.metrics.total("ragway_upstream_calls_total", { model: "gpt-4o-mini", result: "ok" }),
    ).toBe(1);
  });

  it("moves to the next model when retries run out, marked degraded, counting the fallback", async () => {
    const deps = kit();
    const { call, calls } = upstream({ "gpt-4o-mini": [failure(503)] });
    const result = await runFallback(
      [mini, nano],
      { call, deadlineAt: deps.timers.now() + 60_000 },
      deps,
    );
    expect(result).toMatchObject({
      ok: true,
      value: "answer from gpt-4.1-nano",
      degraded: true,
      model: nano,
    });
    expect(calls).toEqual(["gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini", "gpt-4.1-nano"]);
    expect(deps.metrics.total("ragway_fallbacks_total", { from_model: "gpt-4o-mini" })).toBe(1);
    expect(
      deps.metrics.total("ragway_upstream_failures_total", {
        model: "gpt-4o-mini",
        reason: "server_error",
      }),
    ).toBe(1);
  });

  it("moves on at once when Retry-After reaches past the deadline", async () => {
    const deps = kit();
    const { call, calls } = upstream({ "gpt-4o-mini": [failure(429, { retryAfterMs: 120_000 })] });
    const result = await runFallback(
      [mini, nano],
      { call, deadlineAt: deps.timers.now() + 4_000 },
      deps,
    );
    expect(result).toMatchObject({ ok: true, degraded: true, model: nano });
    expect(calls).toEqual(["gpt-4o-mini", "gpt-4.1-nano"]);
    expect(deps.timers.sleeps).toEqual([]);
  });

  it("stops the walk when the upstream rejects the request itself (400)", async () => {
    const deps = kit();
    const { call, calls } = upstream({ "gpt-4o-mini": [failure(400)] });
    const result = await runFallback(
      [mini, nano],
      { call, deadlineAt: deps.timers.now() + 60_000 },
      deps,
    );
    expect(result).toMatchObject({ ok: false, rejected: true, failure: { status: 400 } });
    expect(calls).toEqual(["gpt-4o-mini"]);
    // The model answered: a rejection is not held against its breaker.
    expect(deps.breaker.state("gpt-4o-mini")).toBe("closed");
  });

  it("keeps walking past a 404 (that model is missing, another may not be)", async () => {
    const deps = kit();
    const { call } = upstream({ "gpt-4o-mini": [failure(404)] });
    const result = await runFallback(
      [mini, nano],
      { call, deadlineAt: deps.timers.now() + 60_000 },
      deps,
    );
    expect(result).toMatchObject({ ok: true, model: nano });
  });

  it("reports every attempt when all models fail", async () => {
    const deps = kit();
    const { call } = upstream({ "gpt-4o-mini": [failure(500)], "gpt-4.1-nano": [failure(502)] });
    const result = await runFallback(
      [mini, nano],
      { call, deadlineAt: deps.timers.now() + 60_000 },
      deps,
    );
    expect(result).toMatchObject({ ok: false, rejected: false, failure: { status: 502 } });
    expect(result.attempts).toHaveLength(6);
  });

  it("stops calling a model once its breaker opens, and probes it after the cool-down", async () => {
    const deps = kit(2);
    const { call, calls } = upstream({ "gpt-4o-mini": [failure(500)] });
    const walk = () =>
      runFallback([mini, nano], { call, deadlineAt: deps.timers.now() + 60_000 }, deps);
    await walk();
    await walk();
    expect(deps.breaker.state("gpt-4o-mini")).toBe("open");
    const before = calls.filter((id) => id === "gpt-4o-mini").length;
    const third = await walk();
    expect(calls.filter((id) => id === "gpt-4o-mini").length).toBe(before);
    expect(third.attempts[0]).toEqual({ model: "gpt-4o-mini", ok: false, reason: "circuit_open" });
    expect(third).toMatchObject({ ok: true, degraded: true, model: nano });
    expect(deps.metrics.gauge("ragway_circuit_state", { model: "gpt-4o-mini" })).toBe(2);
    expect(
      deps.metrics.total("ragway_circuit_transitions_total", {
        model: "gpt-4o-mini",
        state: "open",
      }),
    ).toBe(1);

    deps.timers.advance(30_000);
    await walk();
    // One probe (with its retries) went through, failed, and reopened the breaker.
    expect(calls.filter((id) => id === "gpt-4o-mini").length).toBe(before + 3);
    expect(deps.breaker.state("gpt-4o-mini")).toBe("open");
  });

  it("skips a model whose context window is too small, without calling it", async () => {
    const deps = kit();
    const { call, calls } = upstream({});
    const result = await runFallback(
      [mini, nano],
      { call, fits: (m) => m.id !== "gpt-4o-mini", deadlineAt: deps.timers.now() + 60_000 },
      deps,
    );
    expect(result).toMatchObject({ ok: true, model: nano, degraded: true });
    expect(result.attempts[0]).toEqual({
      model: "gpt-4o-mini",
      ok: false,
      reason: "context_window",
    });
    expect(calls).toEqual(["gpt-4.1-nano"]);
  });

  it("skips every link once the deadline has passed", async () => {
    const deps = kit();
    const { call, calls } = upstream({});
    const result = await runFallback([mini, nano], { call, deadlineAt: deps.timers.now() }, deps);
    expect(result).toMatchObject({ ok: false, failure: null });
    expect(result.attempts.map((a) => a.reason)).toEqual(["deadline", "deadline"]);
    expect(calls).toEqual([]);
  });

  it("counts leaving the last link as a fallback when a final answer follows", async () => {
    const deps = kit();
    const { call } = upstream({ "gpt-4o-mini": [failure(500)] });
    await runFallback(
      [mini],
      { call, deadlineAt: deps.timers.now() + 60_000, finalLink: true },
      deps,
    );
    expect(deps.metrics.total("ragway_fallbacks_total", { from_model: "gpt-4o-mini" })).toBe(1);
  });
});
