// The deployment's embedding function: the configured embedding model through its provider.
// The embedding cache (issue: edge caching) wraps exactly this function.
import type { AppContext } from "./context.js";
import { getServices } from "./services.js";
import { findModel } from "../shared/llm/catalog.js";
import type { Outcome } from "../shared/llm/types.js";

export type EmbedFn = (
  texts: string[],
) => Promise<Outcome<{ vectors: Float32Array[]; promptTokens?: number }>>;

/** Embeds texts with the configured embedding model, counting upstream calls. */
export function embedderFor(app: AppContext): EmbedFn {
  const services = getServices(app.config);
  const model = findModel(app.config.catalog, app.config.embeddingModel);
  const provider = model ? services.providerFor(model) : services.local;
  return async (texts) => {
    if (texts.length === 0) return { ok: true, value: { vectors: [] } };
    const result = await provider.embed({ model: app.config.embeddingModel, texts });
    app.metrics.inc("ragway_embedding_calls_total", {
      provider: provider.name,
      result: result.ok ? "ok" : "error",
    });
    app.metrics.inc("ragway_embedding_inputs_total", { provider: provider.name }, texts.length);
    return result;
  };
}
