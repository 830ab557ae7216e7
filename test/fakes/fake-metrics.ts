// An in-memory Metrics that keeps totals per series, so tests can read what code recorded.
import { seriesKey } from "../../shared/metrics/batch.js";
import type { Labels, Metrics } from "../../shared/metrics/metrics.js";

export class FakeMetrics implements Metrics {
  private readonly totals = new Map<string, number>();

  inc(name: string, labels: Labels = {}, value = 1): void {
    const key = seriesKey(name, labels);
    this.totals.set(key, (this.totals.get(key) ?? 0) + value);
  }

  observe(name: string, labels: Labels, value: number): void {
    this.inc(`${name}_sum`, labels, value);
    this.inc(`${name}_count`, labels);
  }

  /** The total of one series (0 when never recorded). */
  get(name: string, labels: Labels = {}): number {
    return this.totals.get(seriesKey(name, labels)) ?? 0;
  }
}
