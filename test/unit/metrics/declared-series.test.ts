// Which series the METRICS object may store: declared families, declared label names (plus `le` on
// histogram buckets), short printable values.
import { describe, expect, it } from "vitest";
import {
  familyOf,
  isDeclaredSeries,
  MAX_LABEL_VALUE_LENGTH,
} from "../../../shared/metrics/declared-series.js";

describe("declared series", () => {
  it("maps histogram series to their family and refuses the bare histogram name", () => {
    expect(familyOf("ragway_request_duration_seconds_bucket")?.type).toBe("histogram");
    expect(familyOf("ragway_request_duration_seconds_sum")?.type).toBe("histogram");
    expect(familyOf("ragway_request_duration_seconds")).toBeUndefined();
    expect(familyOf("ragway_requests_total_count")).toBeUndefined();
  });

  it("accepts declared series and refuses undeclared names, labels and unbounded values", () => {
    expect(isDeclaredSeries("ragway_requests_total", { route: "/health", status: "200" })).toBe(
      true,
    );
    expect(isDeclaredSeries("ragway_requests_total", { route: "/health" })).toBe(true);
    expect(isDeclaredSeries("ragway_nope_total", {})).toBe(false);
    expect(isDeclaredSeries("ragway_requests_total", { query: "what is x" })).toBe(false);
    expect(
      isDeclaredSeries("ragway_requests_total", {
        route: "x".repeat(MAX_LABEL_VALUE_LENGTH + 1),
      }),
    ).toBe(false);
    expect(isDeclaredSeries("ragway_requests_total", { route: "a\nb" })).toBe(false);
    expect(isDeclaredSeries("ragway_request_duration_seconds_bucket", { route: "/h" })).toBe(false);
    expect(
      isDeclaredSeries("ragway_request_duration_seconds_bucket", { route: "/h", le: "0.1" }),
    ).toBe(true);
    expect(isDeclaredSeries("ragway_request_duration_seconds_sum", { route: "/h", le: "1" })).toBe(
      false,
    );
  });
});
