import { describe, expect, it } from "vitest";
import { mergeBatchFields } from "../../../shared/metrics/log-fields.js";

describe("mergeBatchFields", () => {
  it("sums each item's own tokens and cost: a cached item adds nothing and zeroes nothing", () => {
    const merged = mergeBatchFields([
      { model: "gpt-4o-mini", cache: "MISS", tokens: 120, cost_usd: 0.002, degraded: false },
      { model: "gpt-4o-mini", cache: "HIT-MEMORY", tokens: 0, cost_usd: 0 },
      { model: "gpt-4o-mini", cache: "MISS", tokens: 30, cost_usd: 0.001, degraded: true },
    ]);
    expect(merged).toEqual({
      model: "gpt-4o-mini",
      tokens: 150,
      cost_usd: 0.003,
      degraded: true,
      batch_cached: 1,
    });
  });

  it("names no model when the items used different ones, and counts failed items as nothing", () => {
    const merged = mergeBatchFields([{ model: "a", tokens: 5 }, {}, { model: "b", tokens: 7 }]);
    expect(merged).toEqual({ tokens: 12, cost_usd: 0, degraded: false, batch_cached: 0 });
  });
});
