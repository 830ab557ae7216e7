// The resilience kit for one request: the isolate's retry policy and breakers, real timers, and
// the request's metrics batch, plus the request's upstream deadline.
import type { AppContext } from "./context.js";
import { getServices } from "./services.js";
import type { Resilience } from "../shared/llm/fallback.js";
import { systemTimers } from "../shared/llm/system-timers.js";

/** Retry, breaker and metrics for upstream calls made on behalf of this request. */
export function resilienceFor(app: AppContext): Resilience {
  const services = getServices(app.config);
  return {
    policy: services.retryPolicy,
    timers: systemTimers,
    breaker: services.breaker,
    metrics: app.metrics,
  };
}

/** When this request's upstream work must be done (UPSTREAM_DEADLINE_MS after it arrived). */
export function deadlineFor(app: AppContext): number {
  return app.started + app.config.UPSTREAM_DEADLINE_MS;
}
