// GET /v1/usage: the caller's own limits and standing, as the before stage got them from its
// LIMITER object (reading usage is not counted, so it works while the caller is limited).
import type { RoutedRequest } from "../http/routed-request.js";
import type { BudgetStanding, RateStanding } from "../../shared/ratelimit/decision.js";
import type { AppContext } from "../context.js";
import { json } from "../http/respond.js";

export async function getUsage(_request: RoutedRequest, app: AppContext): Promise<Response> {
  const principal = app.principal ? { id: app.principal.id, kind: app.principal.kind } : null;
  if (!app.limits) {
    // Anonymous with RATE_LIMITS_ENABLED=false (development only): nothing is counted.
    return json({ object: "usage", principal, rate_limits: "disabled", request_id: app.requestId });
  }
  const s = app.limits.standing;
  return json({
    object: "usage",
    principal,
    requests: { ...rate(s.requests), used: s.requests.used },
    tokens: { ...rate(s.tokens), used_today: s.daily.tokens, used_this_month: s.monthly.tokens },
    budget: { daily: budget(s.daily), monthly: budget(s.monthly) },
    request_id: app.requestId,
  });
}

function rate(r: RateStanding) {
  return {
    limit: r.limit,
    window_seconds: r.windowSeconds,
    remaining: r.remaining,
    reset_seconds: Math.ceil(r.resetMs / 1000),
  };
}

function budget(b: BudgetStanding) {
  return {
    period: b.period,
    limit_usd: b.limitUsd,
    spent_usd: b.spentUsd,
    reserved_usd: b.reservedUsd,
    remaining_usd: b.remainingUsd,
    resets_at: new Date(b.resetAt).toISOString(),
  };
}
