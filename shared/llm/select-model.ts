// Model choice for a request: an explicit model is honoured when it is usable; `auto` picks by
// priority among the chat models whose provider is configured.
import type { ModelInfo } from "./catalog.js";

export type Priority = "cost" | "speed" | "quality";

export type ModelChoice =
  { ok: true; model: ModelInfo; reason: string } | { ok: false; message: string };

/** Picks the chat model for a request. `available` lists the providers that are configured. */
export function selectModel(
  requested: string,
  priority: Priority,
  catalog: readonly ModelInfo[],
  available: ReadonlySet<ModelInfo["provider"]>,
): ModelChoice {
  const chat = catalog.filter((m) => m.kind === "chat" && available.has(m.provider));
  if (requested !== "auto") {
    const model = catalog.find((m) => m.id === requested);
    if (!model || model.kind !== "chat") {
      return { ok: false, message: `unknown model "${requested}"` };
    }
    if (!available.has(model.provider)) {
      return {
        ok: false,
        message: `model "${requested}" needs the ${model.provider} provider, which is not configured`,
      };
    }
    return { ok: true, model, reason: "explicit" };
  }
  // Prefer a real model over the extractive one when one is configured.
  const upstream = chat.filter((m) => m.provider !== "local");
  const pool = upstream.length > 0 ? upstream : chat;
  const ranked = [...pool].sort((a, b) => compare(a, b, priority));
  const best = ranked[0];
  if (!best) return { ok: false, message: "no chat model is configured" };
  return { ok: true, model: best, reason: `auto:${priority}` };
}

function price(m: ModelInfo): number {
  return m.inputUsdPerMTok + m.outputUsdPerMTok;
}

function compare(a: ModelInfo, b: ModelInfo, priority: Priority): number {
  switch (priority) {
    case "cost":
      return price(a) - price(b) || b.qualityTier - a.qualityTier || a.id.localeCompare(b.id);
    case "speed":
      return b.speedTier - a.speedTier || price(a) - price(b) || a.id.localeCompare(b.id);
    case "quality":
      return b.qualityTier - a.qualityTier || price(a) - price(b) || a.id.localeCompare(b.id);
  }
}
