import { describe, expect, it } from "vitest";
import { bucketsFromLabels, histogramQuantile } from "../../../shared/metrics/quantile.js";

describe("histogramQuantile", () => {
  const buckets = [
    { le: 0.1, count: 1 },
    { le: 1, count: 3 },
    { le: Infinity, count: 3 },
  ];

  it("interpolates linearly inside the bucket, as PromQL does", () => {
    // rank 1.5 of 3 falls in (0.1, 1] which holds observations 2..3: 0.1 + 0.9 * 0.5 / 2
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.325, 10);
    // rank 0.5 falls in the first bucket, whose lower bound is 0
    expect(histogramQuantile(1 / 6, buckets)).toBeCloseTo(0.05, 10);
  });

  it("returns the highest finite bound when the quantile lies in +Inf", () => {
    expect(
      histogramQuantile(0.95, [
        { le: 1, count: 1 },
        { le: Infinity, count: 10 },
      ]),
    ).toBe(1);
  });

  it("returns null for an empty histogram", () => {
    expect(histogramQuantile(0.5, [])).toBeNull();
    expect(histogramQuantile(0.5, [{ le: Infinity, count: 0 }])).toBeNull();
  });

  it("skips empty leading buckets and accepts unsorted input", () => {
    expect(
      histogramQuantile(0.5, [
        { le: Infinity, count: 4 },
        { le: 0.5, count: 4 },
        { le: 0.25, count: 0 },
      ]),
    ).toBeCloseTo(0.375, 10);
  });

  it("reads buckets keyed by le labels", () => {
    expect(bucketsFromLabels({ "+Inf": 3, "0.5": 2, "0.1": 1, bogus: 9 })).toEqual([
      { le: 0.1, count: 1 },
      { le: 0.5, count: 2 },
      { le: Infinity, count: 3 },
    ]);
  });
});
