// Model choice for a request: an explicit model is honoured when it is usable; `auto` takes the
// task's complexity and the caller's priority and picks from the catalog: cost = cheapest
// capable, speed = fastest capable, quality = best. Only configured providers are candidates.
import type { ModelInfo } from "./catalog.js";
import { requiredQualityTier, type Complexity, type TaskProfile } from "./classify-task.js";
import { usableModel } from "./usable-model.js";

export type Priority = "cost" | "speed" | "quality";

export type ModelChoice =
  { ok: true; model: ModelInfo; reason: string } | { ok: false; message: string };

/** What `auto` needs to know about the request. */
export interface SelectionNeeds {
  task: TaskProfile;
  /** Prompt tokens plus the completion room the call needs: models with a smaller window are skipped. */
  tokensNeeded: number;
}

/**
 * An explicit chat model as a choice: {@link usableModel} (a chat model in the catalog whose
 * provider is configured) with the reason `explicit`.
 */
export function resolveExplicit(
  requested: string,
  catalog: readonly ModelInfo[],
  available: ReadonlySet<ModelInfo["provider"]>,
): ModelChoice {
  const checked = usableModel(requested, "chat", catalog, available);
  return checked.ok
    ? { ok: true, model: checked.model, reason: "explicit" }
    : { ok: false, message: checked.message };
}

/**
 * Picks the chat model for a request. `requested` is a model id or `auto`; `available` lists
 * the configured providers. For `auto`, an upstream model is preferred over the extractive one,
 * models whose context window is too small for `needs.tokensNeeded` are dropped (unless none
 * fits), and the capable ones (quality tier >= what the complexity needs; all of them when none
 * is) are ranked by `priority`. The reason reads like
 * `auto priority=cost complexity=simple signals=lookup`.
 *
 * @example
 * selectModel("auto", "cost", DEFAULT_CATALOG, new Set(["local", "openai"]), needs);
 */
export function selectModel(
  requested: string,
  priority: Priority,
  catalog: readonly ModelInfo[],
  available: ReadonlySet<ModelInfo["provider"]>,
  needs: SelectionNeeds = {
    task: { complexity: "simple", score: 0, signals: [] },
    tokensNeeded: 0,
  },
): ModelChoice {
  if (requested !== "auto") return resolveExplicit(requested, catalog, available);
  const chat = catalog.filter((m) => m.kind === "chat" && available.has(m.provider));
  const upstream = chat.filter((m) => m.provider !== "local");
  const pool = upstream.length > 0 ? upstream : chat;
  const fitting = pool.filter((m) => m.contextWindow >= needs.tokensNeeded);
  const ranked = rankModels(fitting.length > 0 ? fitting : pool, priority, needs.task.complexity);
  const best = ranked[0];
  if (!best) return { ok: false, message: "no chat model is configured" };
  const signals = needs.task.signals.length > 0 ? needs.task.signals.join(",") : "none";
  return {
    ok: true,
    model: best,
    reason: `auto priority=${priority} complexity=${needs.task.complexity} signals=${signals}`,
  };
}

/**
 * Orders models for a task: those capable of it first, then the rest, each group by `priority`.
 * `quality` ignores capability (the best is always first). Pure; the fallback chain uses it too.
 */
export function rankModels(
  models: readonly ModelInfo[],
  priority: Priority,
  complexity: Complexity,
): ModelInfo[] {
  const tier = priority === "quality" ? 1 : requiredQualityTier(complexity);
  const capable = models.filter((m) => m.qualityTier >= tier);
  const rest = models.filter((m) => m.qualityTier < tier);
  const byPriority = (a: ModelInfo, b: ModelInfo): number => compare(a, b, priority);
  // A complex task on a catalog with no tier-3 model goes to the strongest there is.
  const weaker = [...rest].sort((a, b) => b.qualityTier - a.qualityTier || byPriority(a, b));
  return [...[...capable].sort(byPriority), ...weaker];
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
