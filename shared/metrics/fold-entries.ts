// Metric entries from many flushes folded into one change per series, so the METRICS object
// writes each series once per fold of its waiting flushes rather than once per isolate flush.
import { seriesKey, type MetricEntry } from "./batch.js";
import type { Labels } from "./metrics.js";

/** One series' change: set to `set` (a gauge's last value) when not null, then add `add`. */
export interface SeriesChange {
  key: string;
  name: string;
  labels: Labels;
  set: number | null;
  add: number;
}

/**
 * Folds flushes, oldest first, into the change each series needs: increments add up, and a set
 * replaces whatever came before it (increments after it add to the value set).
 *
 * @example
 * foldEntries([[{ name: "a", labels: {}, value: 1 }], [{ name: "a", labels: {}, value: 2 }]]);
 * // [{ key: "a{}", name: "a", labels: {}, set: null, add: 3 }]
 */
export function foldEntries(flushes: Iterable<readonly MetricEntry[]>): SeriesChange[] {
  const changes = new Map<string, SeriesChange>();
  for (const entries of flushes) {
    for (const e of entries) {
      const key = seriesKey(e.name, e.labels);
      let change = changes.get(key);
      if (!change) {
        change = { key, name: e.name, labels: e.labels, set: null, add: 0 };
        changes.set(key, change);
      }
      if (e.op === "set") {
        change.set = e.value;
        change.add = 0;
      } else {
        change.add += e.value;
      }
    }
  }
  return [...changes.values()];
}
