import { describe, expect, it } from "vitest";
import { mapConcurrent } from "../../../shared/util/map-concurrent.js";

describe("mapConcurrent", () => {
  it("keeps input order whatever order the calls finish in", async () => {
    const delays = [30, 5, 20, 0, 10];
    const out = await mapConcurrent(delays, 3, async (ms, i) => {
      await new Promise((r) => setTimeout(r, ms));
      return i;
    });
    expect(out).toEqual([0, 1, 2, 3, 4]);
  });

  it("never has more than `limit` calls in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    await mapConcurrent(
      Array.from({ length: 20 }, (_, i) => i),
      4,
      async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
      },
    );
    expect(peak).toBe(4);
  });

  it("rejects a non-positive limit", async () => {
    await expect(mapConcurrent([1], 0, async (x) => x)).rejects.toThrow(/limit/);
  });
});
