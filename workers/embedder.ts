// The deployment's embedding function: an embedding model through its provider, behind the one
// retry loop. The embedding cache (issue: edge caching) wraps exactly this function.
import type { AppContext } from "./context.js";
import { deadlineFor } from "./resilience.js";
import { getServices } from "./services.js";
import { findModel } from "../shared/llm/catalog.js";
import { withRetry } from "../shared/llm/retry.js";
import { systemTimers } from "../shared/llm/system-timers.js";
import type { Outcome } from "../shared/llm/types.js";

export type EmbedFn = (
  texts: string[],
) => Promise<Outcome<{ vectors: Float32Array[]; promptTokens?: number }>>;

/**
 * Embeds texts with `modelId` (default: the configured embedding model), retrying transient
 * upstream failures, and counting calls. There is no fallback model: vectors from another
 * model would not be comparable with the index's.
 */
export function embedderFor(app: AppContext, modelId: string = app.config.embeddingModel): EmbedFn {
  const services = getServices(app.config);
  const model = findModel(app.config.catalog, modelId);
  const provider = model ? services.providerFor(model) : services.local;
  return async (texts) => {
    if (texts.length === 0) return { ok: true, value: { vectors: [] } };
    const result = await withRetry(
      () => provider.embed({ model: modelId, texts }),
      services.retryPolicy,
      systemTimers,
      {
        deadlineAt: deadlineFor(app),
        onAttempt: (report) => {
          app.metrics.inc("ragway_upstream_attempts_total", {
            model: modelId,
            result: report.ok ? "ok" : "error",
          });
          if (report.nextWaitMs !== undefined) {
            app.metrics.inc("ragway_upstream_retries_total", { model: modelId });
          }
        },
      },
    );
    app.metrics.inc("ragway_embedding_calls_total", {
      provider: provider.name,
      result: result.ok ? "ok" : "error",
    });
    app.metrics.inc("ragway_embedding_inputs_total", { provider: provider.name }, texts.length);
    if (!result.ok) {
      app.metrics.inc("ragway_upstream_failures_total", {
        model: modelId,
        reason: result.failure.reason,
      });
      return { ok: false, failure: result.failure };
    }
    return { ok: true, value: result.value };
  };
}
