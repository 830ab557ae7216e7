import { describe, expect, it } from "vitest";
import { createTokenCounter } from "../../../shared/tokens/count.js";
import { countBounded } from "../../../shared/tokens/count-bounded.js";

const counter = createTokenCounter();

describe("countBounded", () => {
  it("is exact for ordinary text", () => {
    const text = "Ragway retries transient failures with full jitter, then falls back. ".repeat(50);
    expect(countBounded(text, counter)).toBe(counter.count(text));
  });

  it("stays close to exact on long unbroken runs", () => {
    const run = "x".repeat(5_000);
    const exact = counter.count(run);
    const bounded = countBounded(`before ${run} after`, counter);
    const slices = Math.ceil(run.length / 128);
    expect(Math.abs(bounded - counter.count(`before ${run} after`))).toBeLessThanOrEqual(
      slices + 2,
    );
    expect(bounded).toBeGreaterThanOrEqual(exact);
  });

  it("counts a megabyte of one unbroken run without quadratic blow-up", () => {
    // Exact counting of this takes minutes; bounded counting is linear. The assertion is on the
    // result only: the test would time out long before an exact count finished.
    expect(countBounded("QUJDRE".repeat(170_000), counter)).toBeGreaterThan(100_000);
  });
});
