// The isolate's metrics: one batch per isolate that every request writes to, flushed to the
// global METRICS object in waitUntil at most once per METRICS_FLUSH_MS (sooner when large).
// METRICS_ENABLED=false swaps in a no-op so the hot path can be measured without metrics.
import { getConfig, type Config } from "./env.js";
import type { AppContext } from "./context.js";
import type { MetricsObject } from "./do/metrics-object.js";
import type { MetricEntry } from "../shared/metrics/batch.js";
import {
  createMetricsFlusher,
  FLUSH_INTERVAL_MS,
  FLUSH_MAX_SERIES,
  type MetricsSink,
} from "../shared/metrics/flusher.js";
import { noopMetrics, type Metrics } from "../shared/metrics/metrics.js";
import type { RequestRecord } from "../shared/metrics/request-log.js";
import { createLogger } from "./log.js";

export function metricsStub(env: Env): DurableObjectStub<MetricsObject> {
  return env.METRICS.get(env.METRICS.idFromName("global"));
}

const flusher = createMetricsFlusher({
  intervalMs: FLUSH_INTERVAL_MS,
  maxSeries: FLUSH_MAX_SERIES,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  onError: (err, entries) => {
    createLogger().warn("metrics_flush_failed", { error: String(err), series: entries });
  },
});

/** The Metrics a request writes to: the isolate's batch, or a no-op when metrics are off. */
export function requestMetrics(config: Config): Metrics {
  return config.METRICS_ENABLED ? flusher.metrics : noopMetrics;
}

/**
 * For work outside any request (a Durable Object's alarm): the isolate's Metrics, and a flush that
 * sends what was recorded. A no-op pair when metrics are off or the configuration does not parse.
 */
export function backgroundMetrics(env: Env): { metrics: Metrics; flush(): Promise<void> } {
  let enabled = false;
  try {
    enabled = getConfig(env).METRICS_ENABLED;
  } catch {
    // Misconfigured: requests fail with config_error, and there is nothing to count here.
  }
  if (!enabled) return { metrics: noopMetrics, flush: async () => undefined };
  return { metrics: flusher.metrics, flush: () => flusher.flushNow(sinkFor(env)) };
}

/** A sink that sends to the METRICS object of this request's env. */
function sinkFor(env: Env): MetricsSink {
  return async (entries: MetricEntry[], requests: RequestRecord[]) => {
    await metricsStub(env).ingest(entries, requests);
  };
}

/** Adds a finished request to the request log; it leaves with the isolate's next metrics flush
 * (call before scheduleMetricsFlush). Nothing is kept when metrics are off. */
export function recordRequest(app: AppContext, record: RequestRecord | null): void {
  if (!app.config.METRICS_ENABLED || record === null) return;
  flusher.record(record);
}

/** After a response: make sure what this request recorded leaves in a scheduled flush. */
export function scheduleMetricsFlush(app: AppContext): void {
  if (!app.config.METRICS_ENABLED) return;
  flusher.schedule(app.exec, sinkFor(app.env), app.config.METRICS_FLUSH_MS);
}

/** Sends this isolate's pending batch now; readers call it so their view includes it. */
export async function flushMetricsNow(app: AppContext): Promise<void> {
  if (!app.config.METRICS_ENABLED) return;
  await flusher.flushNow(sinkFor(app.env));
}
