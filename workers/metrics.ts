// Flushing a request's metrics batch to the global METRICS object, after the response.
import type { AppContext } from "./context.js";
import type { MetricsObject } from "./do/metrics-object.js";

export function metricsStub(env: Env): DurableObjectStub<MetricsObject> {
  return env.METRICS.get(env.METRICS.idFromName("global"));
}

/** Sends the batch in `waitUntil`; a failed flush is logged, never surfaced to the client. */
export function flushMetrics(app: AppContext): void {
  const entries = app.metrics.drain();
  if (entries.length === 0) return;
  app.exec.waitUntil(
    metricsStub(app.env)
      .ingest(entries)
      .catch((err: unknown) => {
        app.logger.warn("metrics_flush_failed", { error: String(err) });
      }),
  );
}
