// Retry policy: Retry-After honoured, full jitter otherwise, bounded tries, permanent errors
// returned at once.
import { describe, expect, it } from "vitest";
import { retryDelay, withRetry, type Attempted } from "../../../cli/ingest/retry.js";

function options(random = 0.5) {
  const sleeps: number[] = [];
  return {
    sleeps,
    opts: {
      retries: 3,
      baseMs: 100,
      maxMs: 1000,
      maxRetryAfterMs: 60_000,
      random: () => random,
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
    },
  };
}

function sequence<T>(results: Attempted<T>[]): () => Promise<Attempted<T>> {
  let i = 0;
  return async () => results[Math.min(i++, results.length - 1)] as Attempted<T>;
}

describe("withRetry", () => {
  it("waits at least what Retry-After asked before trying again", async () => {
    const { sleeps, opts } = options(0.99);
    const r = await withRetry(
      sequence<string>([
        { ok: false, retryable: true, status: 429, message: "limited", retryAfterMs: 2000 },
        { ok: true, value: "done" },
      ]),
      opts,
    );
    expect(r).toEqual({ ok: true, value: "done" });
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(2000);
    expect(sleeps[0]).toBeLessThan(2250);
  });

  it("backs off with full jitter under a doubling cap, then gives up", async () => {
    const { sleeps, opts } = options(0.5);
    let calls = 0;
    const r = await withRetry(async () => {
      calls++;
      return { ok: false, retryable: true, status: 503, message: "down" } as const;
    }, opts);
    expect(r).toMatchObject({ ok: false, status: 503 });
    expect(calls).toBe(4);
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it("returns a permanent failure without retrying", async () => {
    const { sleeps, opts } = options();
    const r = await withRetry(
      sequence<string>([{ ok: false, retryable: false, status: 400, message: "bad" }]),
      opts,
    );
    expect(r).toMatchObject({ ok: false, status: 400 });
    expect(sleeps).toEqual([]);
  });

  it("does not wait out a Retry-After beyond the limit", async () => {
    const { sleeps, opts } = options();
    const r = await withRetry(
      sequence<string>([
        { ok: false, retryable: true, status: 429, message: "limited", retryAfterMs: 3_600_000 },
      ]),
      opts,
    );
    expect(r).toMatchObject({ ok: false, retryable: false });
    if (!r.ok) expect(r.message).toContain("3600 s");
    expect(sleeps).toEqual([]);
  });
});

describe("retryDelay", () => {
  it("never exceeds the cap", () => {
    const o = { baseMs: 100, maxMs: 1000, random: () => 0.999 };
    expect(retryDelay(10, {}, o)).toBeLessThan(1000);
    expect(retryDelay(1, {}, o)).toBeLessThan(100);
  });
});
