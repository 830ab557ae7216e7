// The metrics port: counters, gauges and histogram observations by name and labels.
// Implementations batch in memory and flush elsewhere; callers never await a metric.

export type Labels = Record<string, string>;

export interface Metrics {
  /** Adds `value` (default 1) to the counter `name` with these labels. */
  inc(name: string, labels?: Labels, value?: number): void;
  /** Records one observation (e.g. a latency in seconds) into the histogram `name`. */
  observe(name: string, labels: Labels, value: number): void;
  /** Sets the gauge `name` to `value` (last write wins, e.g. a circuit breaker's state).
   * Optional so that counting-only fakes stay valid; call it as `metrics.set?.(...)`. */
  set?(name: string, labels: Labels, value: number): void;
}

/** A Metrics that drops everything: for code paths and tests that don't measure, and for
 * deployments with METRICS_ENABLED=false. */
export const noopMetrics: Metrics = {
  inc() {},
  observe() {},
  set() {},
};
