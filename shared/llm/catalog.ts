// The model catalog: context windows, USD prices, speed/quality tiers and provider per model.
// It drives selection, cost and fallback order; deployments may override it with JSON (validated).
import { z } from "zod";
import { VisionRuleSchema, type VisionRule } from "../tokens/image-tokens.js";

/** One model the gateway can route to. Prices are USD per 1M tokens. */
export interface ModelInfo {
  /** The id callers pass as `model` and the id sent upstream. */
  id: string;
  provider: "local" | "openai";
  kind: "chat" | "embedding";
  /** Maximum prompt + completion tokens. */
  contextWindow: number;
  /** Maximum completion tokens (0 for embedding models). */
  maxOutputTokens: number;
  inputUsdPerMTok: number;
  /**
   * Price of prompt tokens the provider served from its prompt cache
   * (`prompt_tokens_details.cached_tokens`). Absent: the full input price (never under-billed).
   */
  cachedInputUsdPerMTok?: number;
  outputUsdPerMTok: number;
  /**
   * How the provider counts an image in the prompt (see `imageTokens`). Absent: OpenAI's tile
   * rule for GPT-4o (85 tokens base, 170 per 512-px tile).
   */
  vision?: VisionRule;
  /** 1 = slowest, 3 = fastest. */
  speedTier: 1 | 2 | 3;
  /** 1 = weakest, 3 = best. */
  qualityTier: 1 | 2 | 3;
  /** Vector length, for embedding models. */
  dimensions?: number;
}

const tier = z.union([z.literal(1), z.literal(2), z.literal(3)]);
const usdPerMTok = z.number().finite().nonnegative();

/** Validates one catalog entry; unknown keys are rejected so a typo is an error, not a no-op. */
export const ModelInfoSchema: z.ZodType<ModelInfo> = z
  .strictObject({
    id: z.string().min(1),
    provider: z.enum(["local", "openai"]),
    kind: z.enum(["chat", "embedding"]),
    contextWindow: z.number().int().positive(),
    maxOutputTokens: z.number().int().nonnegative(),
    inputUsdPerMTok: usdPerMTok,
    cachedInputUsdPerMTok: usdPerMTok.optional(),
    outputUsdPerMTok: usdPerMTok,
    vision: VisionRuleSchema.optional(),
    speedTier: tier,
    qualityTier: tier,
    dimensions: z.number().int().positive().optional(),
  })
  .refine((m) => m.kind !== "embedding" || m.dimensions !== undefined, {
    message: "embedding models need `dimensions`",
    path: ["dimensions"],
  })
  // A reservation prices every prompt token at the input price: a dearer cached price would
  // let settlement exceed it.
  .refine((m) => (m.cachedInputUsdPerMTok ?? 0) <= m.inputUsdPerMTok, {
    message: "`cachedInputUsdPerMTok` must not exceed `inputUsdPerMTok`",
    path: ["cachedInputUsdPerMTok"],
  })
  .refine((m) => m.kind !== "chat" || m.maxOutputTokens > 0, {
    message: "chat models need `maxOutputTokens` > 0",
    path: ["maxOutputTokens"],
  });

const CatalogSchema = z
  .array(ModelInfoSchema)
  .min(1)
  .refine((models) => new Set(models.map((m) => m.id)).size === models.length, {
    message: "model ids must be unique",
  });

/**
 * Built-in catalog: the offline models plus OpenAI's public list prices (standard tier), cached
 * input prices and image token rules (gpt-4o-mini bills images at ~33x gpt-4o's tokens; the
 * gpt-4.1 mini/nano models count 32-px patches).
 */
export const DEFAULT_CATALOG: readonly ModelInfo[] = [
  {
    id: "local-extractive",
    provider: "local",
    kind: "chat",
    contextWindow: 16_000,
    maxOutputTokens: 1_024,
    inputUsdPerMTok: 0,
    outputUsdPerMTok: 0,
    speedTier: 3,
    qualityTier: 1,
  },
  {
    id: "local-hash-embed",
    provider: "local",
    kind: "embedding",
    contextWindow: 8_192,
    maxOutputTokens: 0,
    inputUsdPerMTok: 0,
    outputUsdPerMTok: 0,
    speedTier: 3,
    qualityTier: 1,
    dimensions: 384,
  },
  {
    id: "gpt-4.1-nano",
    provider: "openai",
    kind: "chat",
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    inputUsdPerMTok: 0.1,
    cachedInputUsdPerMTok: 0.025,
    outputUsdPerMTok: 0.4,
    vision: { rule: "patches", multiplier: 2.46 },
    speedTier: 3,
    qualityTier: 1,
  },
  {
    id: "gpt-4o-mini",
    provider: "openai",
    kind: "chat",
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    inputUsdPerMTok: 0.15,
    cachedInputUsdPerMTok: 0.075,
    outputUsdPerMTok: 0.6,
    vision: { rule: "tiles", baseTokens: 2_833, tileTokens: 5_667 },
    speedTier: 3,
    qualityTier: 1,
  },
  {
    id: "gpt-4.1-mini",
    provider: "openai",
    kind: "chat",
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    inputUsdPerMTok: 0.4,
    cachedInputUsdPerMTok: 0.1,
    outputUsdPerMTok: 1.6,
    vision: { rule: "patches", multiplier: 1.62 },
    speedTier: 2,
    qualityTier: 2,
  },
  {
    id: "gpt-4o",
    provider: "openai",
    kind: "chat",
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    inputUsdPerMTok: 2.5,
    cachedInputUsdPerMTok: 1.25,
    outputUsdPerMTok: 10,
    speedTier: 2,
    qualityTier: 3,
  },
  {
    id: "gpt-4.1",
    provider: "openai",
    kind: "chat",
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    inputUsdPerMTok: 2,
    cachedInputUsdPerMTok: 0.5,
    outputUsdPerMTok: 8,
    speedTier: 2,
    qualityTier: 3,
  },
  {
    id: "text-embedding-3-small",
    provider: "openai",
    kind: "embedding",
    contextWindow: 8_191,
    maxOutputTokens: 0,
    inputUsdPerMTok: 0.02,
    outputUsdPerMTok: 0,
    speedTier: 3,
    qualityTier: 2,
    dimensions: 1536,
  },
];

/**
 * Parses a catalog override (a JSON array of {@link ModelInfo}) from config.
 * Throws an Error naming every invalid field, so a bad deployment fails at startup.
 *
 * @example
 * parseCatalogOverride('[{"id":"m","provider":"openai","kind":"chat",...}]');
 */
export function parseCatalogOverride(json: string): ModelInfo[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`model catalog override is not valid JSON: ${detail}`);
  }
  const parsed = CatalogSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`model catalog override is invalid:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * Applies an override to a catalog: an entry with a known id replaces it in place, a new id is
 * appended. Pass the override alone instead when a deployment wants to replace the whole list.
 */
export function mergeCatalog(
  base: readonly ModelInfo[],
  overrides: readonly ModelInfo[],
): ModelInfo[] {
  const byId = new Map(overrides.map((m) => [m.id, m]));
  const merged = base.map((m) => byId.get(m.id) ?? m);
  const known = new Set(base.map((m) => m.id));
  return [...merged, ...overrides.filter((m) => !known.has(m.id))];
}

/** Returns the model with this id, or undefined. */
export function findModel(catalog: readonly ModelInfo[], id: string): ModelInfo | undefined {
  return catalog.find((m) => m.id === id);
}

/** The token counts a price applies to: OpenAI's `usage`, with its details when reported. */
export interface PricedUsage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number } | undefined;
  completion_tokens_details?: { reasoning_tokens?: number } | undefined;
}

/**
 * USD cost of one call, rounded to 1e-9 so sums of tiny prices don't show float noise. The one
 * cost function: settlement, reservations, metrics and every response's `cost_usd` use it.
 * Cached prompt tokens (`prompt_tokens_details.cached_tokens`, at most `prompt_tokens`) are
 * priced at `cachedInputUsdPerMTok`; reasoning tokens are output (OpenAI counts them inside
 * `completion_tokens`; a provider reporting more reasoning than completion tokens is billed for
 * the reasoning).
 *
 * @example
 * costUsd(gpt4oMini, { prompt_tokens: 1000, completion_tokens: 500 }); // 0.00045
 * costUsd(gpt4oMini, { prompt_tokens: 1000, completion_tokens: 500,
 *   prompt_tokens_details: { cached_tokens: 800 } }); // 0.00036
 */
export function costUsd(
  model: Pick<ModelInfo, "inputUsdPerMTok" | "outputUsdPerMTok" | "cachedInputUsdPerMTok">,
  usage: PricedUsage,
): number {
  const prompt = Math.max(0, usage.prompt_tokens);
  const cached = Math.min(prompt, Math.max(0, usage.prompt_tokens_details?.cached_tokens ?? 0));
  const output = Math.max(
    usage.completion_tokens,
    usage.completion_tokens_details?.reasoning_tokens ?? 0,
    0,
  );
  const cachedPrice = model.cachedInputUsdPerMTok ?? model.inputUsdPerMTok;
  const usd =
    ((prompt - cached) * model.inputUsdPerMTok +
      cached * cachedPrice +
      output * model.outputUsdPerMTok) /
    1_000_000;
  return Math.round(usd * 1e9) / 1e9;
}
