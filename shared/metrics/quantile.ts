// Quantiles from cumulative histogram buckets, interpolated linearly inside the bucket the way
// PromQL's histogram_quantile does, so the dashboard and a Prometheus query agree.

/** One cumulative bucket: observations at or below `le` (Infinity for +Inf). */
export interface Bucket {
  le: number;
  count: number;
}

/**
 * The q-quantile (0..1) of a histogram, or null when it has no observations. A quantile that
 * falls in the +Inf bucket is reported as the highest finite bound, as PromQL does.
 * @example histogramQuantile(0.5, [{ le: 0.1, count: 1 }, { le: 1, count: 3 }, { le: Infinity, count: 3 }]) // 0.325
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const last = sorted[sorted.length - 1];
  if (!last || last.count <= 0) return null;
  const total = last.count;
  const rank = Math.min(Math.max(q, 0), 1) * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of sorted) {
    if (b.count >= rank && b.count > prevCount) {
      if (b.le === Infinity) return prevLe;
      const lower = prevLe;
      return lower + ((b.le - lower) * (rank - prevCount)) / (b.count - prevCount);
    }
    prevLe = b.le === Infinity ? prevLe : b.le;
    prevCount = Math.max(prevCount, b.count);
  }
  return prevLe;
}

/** Buckets as stored (`le` label strings) to sorted numeric buckets. */
export function bucketsFromLabels(byLe: Readonly<Record<string, number>>): Bucket[] {
  return Object.entries(byLe)
    .map(([le, count]) => ({ le: le === "+Inf" ? Infinity : Number(le), count }))
    .filter((b) => !Number.isNaN(b.le))
    .sort((a, b) => a.le - b.le);
}
