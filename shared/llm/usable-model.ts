// The one check of a requested model: it is in the catalog, of the kind the route needs (chat or
// embedding), and its provider is configured in this deployment. Routes turn a refusal into a 400
// naming `model`; the configuration turns it into a startup error naming the variable.
import type { ModelInfo } from "./catalog.js";

/** A usable model, or why not: not in the catalog as this kind, or its provider is missing. */
export type ModelCheck =
  { ok: true; model: ModelInfo } | { ok: false; reason: "unknown" | "provider"; message: string };

/**
 * Checks `id` as a model of `kind` this deployment can call.
 * @example usableModel("gpt-4o-mini", "chat", catalog, new Set(["local"])) // needs openai
 */
export function usableModel(
  id: string,
  kind: ModelInfo["kind"],
  catalog: readonly ModelInfo[],
  available: ReadonlySet<ModelInfo["provider"]>,
): ModelCheck {
  const model = catalog.find((m) => m.id === id);
  if (!model || model.kind !== kind) {
    const what = kind === "chat" ? "model" : `${kind} model`;
    return { ok: false, reason: "unknown", message: `unknown ${what} "${id}"` };
  }
  if (!available.has(model.provider)) {
    return {
      ok: false,
      reason: "provider",
      message: `model "${id}" needs the ${model.provider} provider, which is not configured`,
    };
  }
  return { ok: true, model };
}
