// An in-memory Metrics that accumulates a request's increments so they leave in one flush.
// Histograms are stored as Prometheus-style cumulative buckets plus _sum and _count counters.
import type { Labels, Metrics } from "./metrics.js";

/** One aggregated series: a counter name, its labels, and the amount to add. */
export interface MetricEntry {
  name: string;
  labels: Labels;
  value: number;
}

/** Latency buckets in seconds (upper bounds, `+Inf` implied). */
export const DEFAULT_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
] as const;

/** Canonical series key: name plus labels sorted by key. */
export function seriesKey(name: string, labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${parts.join(",")}}`;
}

/** Accumulates increments; `drain()` hands them over and starts a new batch. */
export class MetricsBatch implements Metrics {
  private entries = new Map<string, MetricEntry>();

  constructor(private readonly buckets: readonly number[] = DEFAULT_BUCKETS) {}

  inc(name: string, labels: Labels = {}, value = 1): void {
    if (!Number.isFinite(value) || value === 0) return;
    const key = seriesKey(name, labels);
    const entry = this.entries.get(key);
    if (entry) entry.value += value;
    else this.entries.set(key, { name, labels: { ...labels }, value });
  }

  observe(name: string, labels: Labels, value: number): void {
    if (!Number.isFinite(value)) return;
    for (const bound of this.buckets) {
      if (value <= bound) this.inc(`${name}_bucket`, { ...labels, le: String(bound) });
    }
    this.inc(`${name}_bucket`, { ...labels, le: "+Inf" });
    this.inc(`${name}_sum`, labels, value);
    this.inc(`${name}_count`, labels);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Returns everything accumulated so far and empties the batch. */
  drain(): MetricEntry[] {
    const out = [...this.entries.values()];
    this.entries = new Map();
    return out;
  }
}
