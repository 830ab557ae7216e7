// Token and cost accounting of one answered call: metrics and the request's log fields. Shared by
// every route that spends tokens, so the numbers mean the same thing everywhere.
import type { AppContext } from "./context.js";
import type { Usage } from "../shared/llm/types.js";
import type { UsageLogFields } from "../shared/metrics/log-fields.js";

/**
 * Records tokens in/out and USD for `model`, and adds them to `fields`: the request's log line,
 * or a batch item's own fields.
 */
export function recordUsage(
  app: AppContext,
  model: string,
  usage: Usage,
  costUsd: number,
  fields: UsageLogFields = app.logFields,
): void {
  fields.model = model;
  fields.tokens = (fields.tokens ?? 0) + usage.total_tokens;
  fields.cost_usd = (fields.cost_usd ?? 0) + costUsd;
  app.metrics.inc("ragway_tokens_total", { model, direction: "in" }, usage.prompt_tokens);
  app.metrics.inc("ragway_tokens_total", { model, direction: "out" }, usage.completion_tokens);
  app.metrics.inc("ragway_cost_usd_total", { model }, costUsd);
  // Counted here, not with the upstream calls: the local models answer without an upstream.
  app.metrics.inc("ragway_model_calls_total", { model });
  // The detailed counts that priced the call (see costUsd), when the provider reported them.
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  if (cached > 0)
    app.metrics.inc("ragway_token_details_total", { model, kind: "cached_prompt" }, cached);
  if (reasoning > 0)
    app.metrics.inc("ragway_token_details_total", { model, kind: "reasoning" }, reasoning);
}
