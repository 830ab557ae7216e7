// The model catalog: context windows, USD prices, speed/quality tiers and provider per model.
// It drives selection, cost and fallback order; deployments may override it with JSON (validated).
import { z } from "zod";

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
  outputUsdPerMTok: number;
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
    outputUsdPerMTok: usdPerMTok,
    speedTier: tier,
    qualityTier: tier,
    dimensions: z.number().int().positive().optional(),
  })
  .refine((m) => m.kind !== "embedding" || m.dimensions !== undefined, {
    message: "embedding models need `dimensions`",
    path: ["dimensions"],
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

/** Built-in catalog: the offline models plus OpenAI's public list prices. */
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
    outputUsdPerMTok: 0.4,
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
    outputUsdPerMTok: 0.6,
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
    outputUsdPerMTok: 1.6,
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

/**
 * USD cost of one call, rounded to 1e-9 so sums of tiny prices don't show float noise.
 *
 * @example
 * costUsd(gpt4oMini, { prompt_tokens: 1000, completion_tokens: 500 }); // 0.00045
 */
export function costUsd(
  model: Pick<ModelInfo, "inputUsdPerMTok" | "outputUsdPerMTok">,
  usage: { prompt_tokens: number; completion_tokens: number },
): number {
  const usd =
    (usage.prompt_tokens * model.inputUsdPerMTok +
      usage.completion_tokens * model.outputUsdPerMTok) /
    1_000_000;
  return Math.round(usd * 1e9) / 1e9;
}
