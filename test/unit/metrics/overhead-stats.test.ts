import { describe, expect, it } from "vitest";
import { MetricsBatch } from "../../../shared/metrics/batch.js";
import { overheadByRoute } from "../../../shared/metrics/overhead-stats.js";

describe("overheadByRoute", () => {
  it("gives each observed route its p50, p95 and count in milliseconds", () => {
    const batch = new MetricsBatch();
    for (let i = 0; i < 100; i++) {
      batch.observe("ragway_gateway_overhead_seconds", { route: "/v1/chat/completions" }, 0.003);
    }
    batch.observe("ragway_gateway_overhead_seconds", { route: "/health" }, 0.2);
    const out = overheadByRoute(batch.drain());
    expect(Object.keys(out)).toEqual(["/health", "/v1/chat/completions"]);
    expect(out["/v1/chat/completions"]?.count).toBe(100);
    const p50 = out["/v1/chat/completions"]?.p50_ms ?? NaN;
    // Interpolated inside the (0, 5 ms] bucket.
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThanOrEqual(5);
    expect(out["/health"]).toMatchObject({ count: 1 });
    expect(out["/health"]?.p95_ms).toBeGreaterThan(100);
  });

  it("is empty when nothing was observed", () => {
    expect(overheadByRoute([])).toEqual({});
  });
});
