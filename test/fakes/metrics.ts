// A Metrics that keeps totals by series, for asserting what code counted.
import type { Labels, Metrics } from "../../shared/metrics/metrics.js";
import { seriesKey } from "../../shared/metrics/batch.js";

export interface RecordingMetrics extends Metrics {
  /** The total of counter `name` over series whose labels include `match`. */
  total(name: string, match?: Labels): number;
}

export function recordingMetrics(): RecordingMetrics {
  const series = new Map<string, { name: string; labels: Labels; value: number }>();
  return {
    inc(name, labels = {}, value = 1) {
      const key = seriesKey(name, labels);
      const entry = series.get(key);
      if (entry) entry.value += value;
      else series.set(key, { name, labels: { ...labels }, value });
    },
    observe() {},
    total(name, match = {}) {
      let sum = 0;
      for (const s of series.values()) {
        if (s.name !== name) continue;
        if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) sum += s.value;
      }
      return sum;
    },
  };
}
