import { describe, expect, it } from "vitest";
import {
  DEFAULT_CATALOG,
  costUsd,
  findModel,
  mergeCatalog,
  parseCatalogOverride,
  type ModelInfo,
} from "../../../shared/llm/catalog.js";

const custom: ModelInfo = {
  id: "my-model",
  provider: "openai",
  kind: "chat",
  contextWindow: 32_000,
  maxOutputTokens: 4_096,
  inputUsdPerMTok: 1,
  outputUsdPerMTok: 3,
  speedTier: 2,
  qualityTier: 2,
};

describe("DEFAULT_CATALOG", () => {
  it("has unique ids and the offline models at zero cost", () => {
    const ids = DEFAULT_CATALOG.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(findModel(DEFAULT_CATALOG, "local-extractive")).toMatchObject({
      provider: "local",
      kind: "chat",
      contextWindow: 16_000,
      inputUsdPerMTok: 0,
      speedTier: 3,
      qualityTier: 1,
    });
    expect(findModel(DEFAULT_CATALOG, "local-hash-embed")).toMatchObject({
      kind: "embedding",
      dimensions: 384,
    });
    expect(findModel(DEFAULT_CATALOG, "text-embedding-3-small")).toMatchObject({
      dimensions: 1536,
      inputUsdPerMTok: 0.02,
    });
  });

  it("passes its own schema (round-trips through parseCatalogOverride)", () => {
    expect(parseCatalogOverride(JSON.stringify(DEFAULT_CATALOG))).toEqual(DEFAULT_CATALOG);
  });

  it("findModel returns undefined for an unknown id", () => {
    expect(findModel(DEFAULT_CATALOG, "nope")).toBeUndefined();
  });
});

describe("costUsd", () => {
  it("prices input and output tokens per million", () => {
    const mini = findModel(DEFAULT_CATALOG, "gpt-4o-mini");
    expect(mini).toBeDefined();
    if (!mini) return;
    // 1000 * 0.15/1M + 500 * 0.6/1M = 0.00015 + 0.0003
    expect(costUsd(mini, { prompt_tokens: 1000, completion_tokens: 500 })).toBe(0.00045);
  });

  it("rounds to 1e-9 so float noise does not leak", () => {
    const model = { inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.2 };
    expect(costUsd(model, { prompt_tokens: 3, completion_tokens: 0 })).toBe(3e-7);
    expect(costUsd(model, { prompt_tokens: 1, completion_tokens: 1 })).toBe(3e-7);
  });

  it("prices cached prompt tokens at the cached price and reasoning tokens as output", () => {
    const mini = findModel(DEFAULT_CATALOG, "gpt-4o-mini");
    if (!mini) throw new Error("gpt-4o-mini is in the catalog");
    const usage = {
      prompt_tokens: 10_000,
      completion_tokens: 1_000,
      prompt_tokens_details: { cached_tokens: 8_000 },
      completion_tokens_details: { reasoning_tokens: 600 },
    };
    // 2,000 at $0.15 + 8,000 at $0.075 + 1,000 (reasoning included) at $0.60, per 1M.
    expect(costUsd(mini, usage)).toBe(0.0015);
    expect(costUsd(mini, { prompt_tokens: 10_000, completion_tokens: 1_000 })).toBe(0.0021);
  });

  it("never lets the details lower a bill below what the provider counted", () => {
    const model = { inputUsdPerMTok: 1, cachedInputUsdPerMTok: 0.5, outputUsdPerMTok: 4 };
    // More cached tokens than prompt tokens: only the prompt is discounted.
    const overCached = {
      prompt_tokens: 100,
      completion_tokens: 0,
      prompt_tokens_details: { cached_tokens: 500 },
    };
    expect(costUsd(model, overCached)).toBe(0.00005);
    // Reasoning reported beside, not inside, completion_tokens: the reasoning is billed.
    const beside = {
      prompt_tokens: 0,
      completion_tokens: 10,
      completion_tokens_details: { reasoning_tokens: 300 },
    };
    expect(costUsd(model, beside)).toBe(0.0012);
    // No cached price: cached tokens cost the full input price.
    const flat = { inputUsdPerMTok: 1, outputUsdPerMTok: 4 };
    expect(costUsd(flat, overCached)).toBe(0.0001);
  });

  it("is zero for local models", () => {
    const local = findModel(DEFAULT_CATALOG, "local-extractive");
    expect(local && costUsd(local, { prompt_tokens: 10_000, completion_tokens: 500 })).toBe(0);
  });
});

describe("parseCatalogOverride", () => {
  it("accepts a valid array", () => {
    expect(parseCatalogOverride(JSON.stringify([custom]))).toEqual([custom]);
  });

  it("throws a clear error on invalid JSON", () => {
    expect(() => parseCatalogOverride("{nope")).toThrow(/not valid JSON/);
  });

  it("names the bad field", () => {
    const bad = { ...custom, speedTier: 4 };
    expect(() => parseCatalogOverride(JSON.stringify([bad]))).toThrow(/speedTier/);
  });

  it("rejects unknown keys (typos are errors)", () => {
    const typo = { ...custom, contextWindw: 1 };
    expect(() => parseCatalogOverride(JSON.stringify([typo]))).toThrow(/contextWindw/);
  });

  it("requires dimensions on embedding models", () => {
    const embed = { ...custom, kind: "embedding", maxOutputTokens: 0 };
    expect(() => parseCatalogOverride(JSON.stringify([embed]))).toThrow(/dimensions/);
  });

  it("accepts a cached price and an image rule, and refuses a cached price above the input price", () => {
    const priced = {
      ...custom,
      cachedInputUsdPerMTok: 0.25,
      vision: { rule: "patches", multiplier: 1.62 },
    };
    expect(parseCatalogOverride(JSON.stringify([priced]))).toEqual([priced]);
    const dearer = { ...custom, cachedInputUsdPerMTok: 2 };
    expect(() => parseCatalogOverride(JSON.stringify([dearer]))).toThrow(/cachedInputUsdPerMTok/);
    const badRule = { ...custom, vision: { rule: "tiles", baseTokens: 85 } };
    expect(() => parseCatalogOverride(JSON.stringify([badRule]))).toThrow(/tileTokens/);
  });

  it("rejects duplicate ids, a non-array and an empty list", () => {
    expect(() => parseCatalogOverride(JSON.stringify([custom, custom]))).toThrow(/unique/);
    expect(() => parseCatalogOverride(JSON.stringify(custom))).toThrow(/invalid/);
    expect(() => parseCatalogOverride("[]")).toThrow(/invalid/);
  });
});

describe("mergeCatalog", () => {
  it("replaces known ids in place and appends new ones", () => {
    const cheaper = { ...custom, id: "gpt-4o", inputUsdPerMTok: 1 };
    const merged = mergeCatalog(DEFAULT_CATALOG, [cheaper, custom]);
    expect(merged).toHaveLength(DEFAULT_CATALOG.length + 1);
    expect(findModel(merged, "gpt-4o")?.inputUsdPerMTok).toBe(1);
    expect(merged.at(-1)).toEqual(custom);
  });
});
