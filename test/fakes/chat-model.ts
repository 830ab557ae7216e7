// A catalog chat model for unit tests: middling everything, overridden field by field.
import type { ModelInfo } from "../../shared/llm/catalog.js";

/** An OpenAI-provider chat model with a 100k window, 4k output, $1/1M both ways, tiers 2. */
export function chatModel(id: string, fields: Partial<ModelInfo> = {}): ModelInfo {
  return {
    id,
    provider: "openai",
    kind: "chat",
    contextWindow: 100_000,
    maxOutputTokens: 4_000,
    inputUsdPerMTok: 1,
    outputUsdPerMTok: 1,
    speedTier: 2,
    qualityTier: 2,
    ...fields,
  };
}
