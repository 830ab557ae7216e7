// What the gateway adds to each route, for GET /v1/stats: p50, p95 and count of
// `ragway_gateway_overhead_seconds` per route (request time minus time spent waiting on
// upstream providers), in milliseconds. Quantiles are interpolated within histogram buckets.
import type { MetricEntry } from "./batch.js";
import { bucketsFromLabels, histogramQuantile } from "./quantile.js";
import { sumBy } from "./stats-summary.js";

/** One route's overhead. */
export interface RouteOverhead {
  p50_ms: number | null;
  p95_ms: number | null;
  count: number;
}

const NAME = "ragway_gateway_overhead_seconds";

/** The overhead of every route that has observations, keyed by route pattern. */
export function overheadByRoute(series: readonly MetricEntry[]): Record<string, RouteOverhead> {
  const counts = sumBy(series, `${NAME}_count`, "route");
  const out: Record<string, RouteOverhead> = {};
  for (const [route, count] of Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))) {
    if (count <= 0) continue;
    const byLe = sumBy(series, `${NAME}_bucket`, "le", (l) => l.route === route);
    const buckets = bucketsFromLabels(byLe);
    out[route] = {
      p50_ms: toMs(histogramQuantile(0.5, buckets)),
      p95_ms: toMs(histogramQuantile(0.95, buckets)),
      count,
    };
  }
  return out;
}

function toMs(seconds: number | null): number | null {
  return seconds === null ? null : Math.round(seconds * 1e6) / 1e3;
}
