import { describe, expect, it } from "vitest";
import { dayPeriod, monthPeriod } from "../../../shared/ratelimit/budget-period.js";

describe("budget periods (UTC)", () => {
  it("names the UTC day and resets at the next UTC midnight", () => {
    const now = Date.UTC(2026, 10, 28, 23, 59, 59, 999);
    expect(dayPeriod(now)).toEqual({ key: "d:2026-11-28", resetAt: Date.UTC(2026, 10, 29) });
    expect(dayPeriod(now + 1).key).toBe("d:2026-11-29");
  });

  it("names the UTC month and rolls over the year in December", () => {
    expect(monthPeriod(Date.UTC(2026, 1, 28, 12))).toEqual({
      key: "m:2026-02",
      resetAt: Date.UTC(2026, 2, 1),
    });
    expect(monthPeriod(Date.UTC(2026, 11, 31, 23))).toEqual({
      key: "m:2026-12",
      resetAt: Date.UTC(2027, 0, 1),
    });
  });
});
