// A seeded PRNG for everything that must replay the same "random" sequence: retry jitter in
// tests, the mock upstream's injected failures and vectors, the benchmarks' workloads.

/**
 * mulberry32: a tiny seeded PRNG in [0, 1); the same seed gives the same sequence.
 *
 * @example
 * const rand = seeded(42);
 * rand(); // 0.6011037519201636, on every run
 */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One of `from`, chosen by `rand` (a generator from {@link seeded}).
 *
 * @example
 * pick(seeded(42), ["a", "b", "c"]); // the same element on every run
 */
export function pick<T>(rand: () => number, from: readonly T[]): T {
  return from[Math.floor(rand() * from.length)] as T;
}
