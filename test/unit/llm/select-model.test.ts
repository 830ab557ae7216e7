import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOG, type ModelInfo } from "../../../shared/llm/catalog.js";
import type { Complexity } from "../../../shared/llm/classify-task.js";
import { rankModels, resolveExplicit, selectModel } from "../../../shared/llm/select-model.js";
import { chatModel } from "../../fakes/chat-model.js";

const both = new Set<ModelInfo["provider"]>(["local", "openai"]);
const localOnly = new Set<ModelInfo["provider"]>(["local"]);
const needs = (complexity: Complexity, tokensNeeded = 1_000) => ({
  task: { complexity, score: 0, signals: [] },
  tokensNeeded,
});

const chat = (id: string, fields: Partial<ModelInfo>): ModelInfo =>
  chatModel(id, { contextWindow: 128_000, maxOutputTokens: 4_096, ...fields });

// A catalog where every cell of the table has a different answer than its neighbours.
const table: ModelInfo[] = [
  chat("cheap-weak-fast", {
    inputUsdPerMTok: 0.1,
    outputUsdPerMTok: 0.1,
    speedTier: 3,
    qualityTier: 1,
  }),
  chat("cheap-mid-slow", {
    inputUsdPerMTok: 0.5,
    outputUsdPerMTok: 0.5,
    speedTier: 1,
    qualityTier: 2,
  }),
  chat("dear-mid-fast", { inputUsdPerMTok: 2, outputUsdPerMTok: 2, speedTier: 3, qualityTier: 2 }),
  chat("mid-best-slow", { inputUsdPerMTok: 3, outputUsdPerMTok: 3, speedTier: 1, qualityTier: 3 }),
  chat("dear-best-fast", { inputUsdPerMTok: 8, outputUsdPerMTok: 8, speedTier: 3, qualityTier: 3 }),
  chat("local-extractive", {
    provider: "local",
    inputUsdPerMTok: 0,
    outputUsdPerMTok: 0,
    speedTier: 3,
    qualityTier: 1,
  }),
];

describe("selectModel: the complexity x priority table", () => {
  it.each([
    ["simple", "cost", "cheap-weak-fast"],
    ["simple", "speed", "cheap-weak-fast"],
    ["simple", "quality", "mid-best-slow"],
    ["moderate", "cost", "cheap-mid-slow"],
    ["moderate", "speed", "dear-mid-fast"],
    ["moderate", "quality", "mid-best-slow"],
    ["complex", "cost", "mid-best-slow"],
    ["complex", "speed", "dear-best-fast"],
    ["complex", "quality", "mid-best-slow"],
  ] as const)("%s task, priority %s -> %s", (complexity, priority, expected) => {
    const choice = selectModel("auto", priority, table, both, needs(complexity));
    expect(choice).toMatchObject({ ok: true, model: { id: expected } });
    if (choice.ok) {
      expect(choice.reason).toBe(`auto priority=${priority} complexity=${complexity} signals=none`);
    }
  });

  it.each([
    ["simple", "cost", "gpt-4.1-nano"],
    ["simple", "speed", "gpt-4.1-nano"],
    ["simple", "quality", "gpt-4.1"],
    ["moderate", "cost", "gpt-4.1-mini"],
    ["moderate", "speed", "gpt-4.1-mini"],
    ["complex", "cost", "gpt-4.1"],
  ] as const)("built-in catalog: %s/%s -> %s", (complexity, priority, expected) => {
    const choice = selectModel("auto", priority, DEFAULT_CATALOG, both, needs(complexity));
    expect(choice).toMatchObject({ ok: true, model: { id: expected } });
  });

  it("goes to the strongest model there is when none is capable enough", () => {
    const weak = table.filter((m) => m.qualityTier < 3);
    const choice = selectModel("auto", "cost", weak, both, needs("complex"));
    expect(choice).toMatchObject({ ok: true, model: { id: "cheap-mid-slow" } });
  });

  it("skips models whose context window is too small for the prompt", () => {
    const small = [
      chat("small", { contextWindow: 4_000, inputUsdPerMTok: 0 }),
      chat("big", { contextWindow: 200_000 }),
    ];
    expect(selectModel("auto", "cost", small, both, needs("simple", 3_000))).toMatchObject({
      model: { id: "small" },
    });
    expect(selectModel("auto", "cost", small, both, needs("simple", 5_000))).toMatchObject({
      model: { id: "big" },
    });
  });

  it("picks the extractive model only when no upstream provider is configured", () => {
    expect(selectModel("auto", "quality", table, localOnly, needs("complex"))).toMatchObject({
      ok: true,
      model: { id: "local-extractive" },
    });
    expect(selectModel("auto", "cost", table, both, needs("simple"))).not.toMatchObject({
      model: { id: "local-extractive" },
    });
  });

  it("honours an explicit model, whatever the task", () => {
    expect(selectModel("dear-best-fast", "cost", table, both, needs("simple"))).toEqual({
      ok: true,
      model: table[4],
      reason: "explicit",
    });
  });

  it("refuses unknown, non-chat and unconfigured models with a message", () => {
    expect(resolveExplicit("nope", DEFAULT_CATALOG, both)).toEqual({
      ok: false,
      message: 'unknown model "nope"',
    });
    expect(resolveExplicit("text-embedding-3-small", DEFAULT_CATALOG, both).ok).toBe(false);
    const unconfigured = resolveExplicit("gpt-4o", DEFAULT_CATALOG, localOnly);
    expect(unconfigured.ok).toBe(false);
    expect(!unconfigured.ok && unconfigured.message).toMatch(/openai provider/);
  });
});

describe("rankModels", () => {
  it("puts capable models first by priority, then the weaker ones strongest first", () => {
    const ids = rankModels(table.slice(0, 5), "cost", "moderate").map((m) => m.id);
    expect(ids).toEqual([
      "cheap-mid-slow",
      "dear-mid-fast",
      "mid-best-slow",
      "dear-best-fast",
      "cheap-weak-fast",
    ]);
  });
});
