import { describe, expect, it } from "vitest";
import {
  adjustTokens,
  available,
  msUntilFull,
  refill,
  takeTokens,
  type BucketState,
} from "../../../shared/ratelimit/token-bucket.js";

const CAPACITY = 6_000; // 100 tokens per second

function take(state: BucketState | null, amount: number, now: number) {
  return takeTokens(state, CAPACITY, amount, now);
}

describe("token bucket", () => {
  it("starts full and admits until empty, then refuses without changing the level", () => {
    let state: BucketState | null = null;
    for (let i = 0; i < 3; i++) {
      const r = take(state, 2_000, 0);
      expect(r.allowed).toBe(true);
      if (r.allowed) state = r.state;
    }
    expect(state && available(state)).toBe(0);
    const refused = take(state, 1, 0);
    expect(refused).toMatchObject({ allowed: false, reason: "insufficient", remaining: 0 });
    expect(state?.level).toBe(0);
  });

  it("gives a truthful retry time: refused 1 ms before it, admitted at it", () => {
    const first = take(null, 5_500, 0);
    expect(first.allowed).toBe(true);
    const state = first.allowed ? first.state : null;
    const refused = take(state, 1_000, 0);
    expect(refused.allowed).toBe(false);
    const wait = refused.allowed ? 0 : refused.retryAfterMs;
    expect(wait).toBe(5_000); // 500 missing at 100 per second
    expect(take(state, 1_000, wait - 1).allowed).toBe(false);
    expect(take(state, 1_000, wait).allowed).toBe(true);
  });

  it("refills continuously and never above capacity", () => {
    const state = { level: 0, updatedAt: 0 };
    expect(available(refill(state, CAPACITY, 1_500))).toBe(150);
    expect(available(refill(state, CAPACITY, 10 * 60_000))).toBe(CAPACITY);
    expect(msUntilFull(refill(state, CAPACITY, 30_000), CAPACITY)).toBe(30_000);
  });

  it("refuses a request larger than the whole bucket as too large, not as a wait", () => {
    const r = take(null, CAPACITY + 1, 0);
    expect(r).toMatchObject({ allowed: false, reason: "too_large" });
  });

  it("settling returns over-reserved tokens, capped at capacity", () => {
    const r = take(null, 4_000, 0);
    const state = r.allowed ? r.state : null;
    const refunded = adjustTokens(state, CAPACITY, 3_000, 0);
    expect(available(refunded)).toBe(5_000);
    expect(available(adjustTokens(state, CAPACITY, 99_999, 0))).toBe(CAPACITY);
  });

  it("settling a call that used more than reserved leaves a debt that delays the next one", () => {
    const r = take(null, 6_000, 0);
    const state = adjustTokens(r.allowed ? r.state : null, CAPACITY, -600, 0);
    expect(state.level).toBe(-600);
    expect(available(state)).toBe(0);
    const next = take(state, 100, 0);
    expect(next.allowed ? 0 : next.retryAfterMs).toBe(7_000);
  });
});
