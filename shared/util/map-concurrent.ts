// Runs an async function over a list with at most `limit` calls in flight, results in input order.
// Workers cap simultaneous open connections per request (6), so more parallelism only queues.

/**
 * Maps `items` through `fn` with at most `limit` promises pending at once. Results keep the
 * input order. `fn` should not throw (turn failures into values); if it does, the first error
 * rejects the whole map after the in-flight calls settle.
 *
 * @example
 * await mapConcurrent([1, 2, 3], 2, async (n) => n * 2); // [2, 4, 6]
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError("mapConcurrent: limit must be >= 1");
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  const workers = Array.from({ length: Math.min(limit, items.length) }, () => worker());
  const settled = await Promise.allSettled(workers);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  return results;
}
