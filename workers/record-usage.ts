// Token and cost accounting of one answered call: metrics and the request's log fields. Shared by
// every route that spends tokens, so the numbers mean the same thing everywhere.
import type { AppContext } from "./context.js";
import type { Usage } from "../shared/llm/types.js";

/** Records tokens in/out and USD for `model`, and puts them on the request's log line. */
export function recordUsage(app: AppContext, model: string, usage: Usage, costUsd: number): void {
  app.logFields.model = model;
  app.logFields.tokens = ((app.logFields.tokens as number | undefined) ?? 0) + usage.total_tokens;
  app.logFields.cost_usd = ((app.logFields.cost_usd as number | undefined) ?? 0) + costUsd;
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
