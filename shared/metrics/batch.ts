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
  // On every increment: no sort or intermediate arrays for the usual one or two labels.
  const keys = Object.keys(labels);
  if (keys.length > 2) keys.sort();
  else if (keys.length === 2 && (keys[0] ?? "") > (keys[1] ?? "")) keys.reverse();
  let out = `${name}{`;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] ?? "";
    out += `${i > 0 ? "," : ""}${k}=${JSON.stringify(labels[k])}`;
  }
  return `${out}}`;
}

interface HistogramSlot {
  name: string;
  labels: Labels;
  /** Observations at or below each bound (cumulative), in bucket order. */
  counts: number[];
  sum: number;
  count: number;
}

/** Accumulates increments; `drain()` hands them over and starts a new batch. */
export class MetricsBatch implements Metrics {
  private entries = new Map<string, MetricEntry>();
  private histograms = new Map<string, HistogramSlot>();
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
    else if (!entry && this.hasRoom(1)) {
      this.entries.set(key, { name, labels: { ...labels }, value });
    }
  }

  // On the hot path: one key per observation, then plain array updates (no per-bucket objects).
  observe(name: string, labels: Labels, value: number): void {
    if (!Number.isFinite(value)) return;
    const key = seriesKey(name, labels);
    let slot = this.histograms.get(key);
    if (!slot) {
      if (!this.hasRoom(this.buckets.length + 3)) return;
      slot = { name, labels: { ...labels }, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.histograms.set(key, slot);
    }
    const { counts } = slot;
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] ?? Infinity)) counts[i] = (counts[i] ?? 0) + 1;
    }
    slot.sum += value;
    slot.count += 1;
  }

  set(name: string, labels: Labels, value: number): void {
    if (!Number.isFinite(value)) return;
    const key = seriesKey(name, labels);
    if (!this.entries.has(key) && !this.hasRoom(1)) return;
    this.entries.set(key, { name, labels: { ...labels }, value, op: "set" });
  }

  /** Series currently held (a histogram counts its buckets, _sum and _count). */
  get size(): number {
    return this.entries.size + this.histograms.size * (this.buckets.length + 3);
  }

  /** Returns everything accumulated so far and empties the batch: histograms as cumulative
   * `_bucket{le}` counters (empty buckets left out) plus `_sum` and `_count`. Series dropped for
   * lack of room are reported as `ragway_metrics_rejected_total`. */
  drain(): MetricEntry[] {
    const out = [...this.entries.values()];
    for (const h of this.histograms.values()) {
      this.buckets.forEach((bound, i) => {
        const n = h.counts[i] ?? 0;
        if (n > 0)
          out.push({
            name: `${h.name}_bucket`,
            labels: { ...h.labels, le: String(bound) },
            value: n,
          });
      });
      out.push({ name: `${h.name}_bucket`, labels: { ...h.labels, le: "+Inf" }, value: h.count });
      if (h.sum !== 0) out.push({ name: `${h.name}_sum`, labels: h.labels, value: h.sum });
      out.push({ name: `${h.name}_count`, labels: h.labels, value: h.count });
    }
    if (this.droppedSeries > 0) {
      out.push({ name: "ragway_metrics_rejected_total", labels: {}, value: this.droppedSeries });
    }
    this.entries = new Map();
    this.histograms = new Map();
    this.droppedSeries = 0;
    return out;
  }

  private hasRoom(series: number): boolean {
    if (this.size + series <= this.maxSeries) return true;
    this.droppedSeries++;
    return false;
  }
}
