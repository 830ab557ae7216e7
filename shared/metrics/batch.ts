// An in-memory Metrics that accumulates increments so they leave in one flush.
// Histograms are stored as Prometheus-style cumulative buckets plus _sum and _count counters;
// gauges as "set" entries (last write wins). The number of series is capped so memory stays bounded.
import type { Labels, Metrics } from "./metrics.js";

/** One aggregated series: a name, its labels, and the amount to add (or the value to set). */
export interface MetricEntry {
  name: string;
  labels: Labels;
  value: number;
  /** "set" for gauges; absent means "add". */
  op?: "set";
}

/** Latency buckets in seconds (upper bounds, `+Inf` implied). */
export const DEFAULT_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
] as const;

/** Series a batch holds at most; increments to further new series are counted as dropped. */
export const MAX_BATCH_SERIES = 5000;

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
  private droppedSeries = 0;

  constructor(
    private readonly buckets: readonly number[] = DEFAULT_BUCKETS,
    private readonly maxSeries: number = MAX_BATCH_SERIES,
  ) {}

  inc(name: string, labels: Labels = {}, value = 1): void {
    if (!Number.isFinite(value) || value === 0) return;
    const key = seriesKey(name, labels);
    const entry = this.entries.get(key);
    if (entry && entry.op !== "set") entry.value += value;
    else if (!entry && this.hasRoom())
      this.entries.set(key, { name, labels: { ...labels }, value });
  }

  observe(name: string, labels: Labels, value: number): void {
    if (!Number.isFinite(value)) return;
    for (const bound of this.buckets) {
      if (value <= bound) this.inc(`${name}_bucket`, { ...labels, le: String(bound) });
    }
    this.inc(`${name}_bucket`, { ...labels, le: "+Inf" });
    // A zero observation still counts: _sum gets 0 (inc ignores 0) and _count gets 1.
    this.inc(`${name}_sum`, labels, value);
    this.inc(`${name}_count`, labels);
  }

  set(name: string, labels: Labels, value: number): void {
    if (!Number.isFinite(value)) return;
    const key = seriesKey(name, labels);
    if (!this.entries.has(key) && !this.hasRoom()) return;
    this.entries.set(key, { name, labels: { ...labels }, value, op: "set" });
  }

  /** Series currently held. */
  get size(): number {
    return this.entries.size;
  }

  /** Returns everything accumulated so far and empties the batch. Series dropped for lack of
   * room are reported as `ragway_metrics_rejected_total`. */
  drain(): MetricEntry[] {
    const out = [...this.entries.values()];
    if (this.droppedSeries > 0) {
      out.push({ name: "ragway_metrics_rejected_total", labels: {}, value: this.droppedSeries });
    }
    this.entries = new Map();
    this.droppedSeries = 0;
    return out;
  }

  private hasRoom(): boolean {
    if (this.entries.size < this.maxSeries) return true;
    this.droppedSeries++;
    return false;
  }
}
