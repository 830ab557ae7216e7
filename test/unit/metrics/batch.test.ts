import { describe, expect, it } from "vitest";
import { MetricsBatch, seriesKey } from "../../../shared/metrics/batch.js";

describe("MetricsBatch", () => {
  it("adds increments to the same series whatever the label order", () => {
    const b = new MetricsBatch();
    b.inc("ragway_requests_total", { route: "/a", status: "200" });
    b.inc("ragway_requests_total", { status: "200", route: "/a" }, 2);
    expect(b.drain()).toEqual([
      { name: "ragway_requests_total", labels: { route: "/a", status: "200" }, value: 3 },
    ]);
  });

  it("keeps the last value of a gauge and marks it as a set", () => {
    const b = new MetricsBatch();
    b.set("ragway_circuit_state", { model: "m" }, 2);
    b.set("ragway_circuit_state", { model: "m" }, 0);
    expect(b.drain()).toEqual([
      { name: "ragway_circuit_state", labels: { model: "m" }, value: 0, op: "set" },
    ]);
  });

  it("ignores non-finite values and zero increments", () => {
    const b = new MetricsBatch();
    b.inc("ragway_cost_usd_total", { model: "m" }, Number.NaN);
    b.inc("ragway_cost_usd_total", { model: "m" }, 0);
    b.observe("ragway_request_duration_seconds", { route: "/a" }, Infinity);
    expect(b.drain()).toEqual([]);
  });

  it("records an observation in every bucket at or above it, plus _sum and _count", () => {
    const b = new MetricsBatch([0.1, 1]);
    b.observe("ragway_request_duration_seconds", { route: "/a" }, 0.5);
    const byKey = Object.fromEntries(
      b.drain().map((e) => [`${e.name}${e.labels.le ? `@${e.labels.le}` : ""}`, e.value]),
    );
    expect(byKey).toEqual({
      "ragway_request_duration_seconds_bucket@1": 1,
      "ragway_request_duration_seconds_bucket@+Inf": 1,
      ragway_request_duration_seconds_sum: 0.5,
      ragway_request_duration_seconds_count: 1,
    });
  });

  it("caps the number of series and reports what it dropped", () => {
    const b = new MetricsBatch(undefined, 2);
    b.inc("ragway_requests_total", { route: "/a" });
    b.inc("ragway_requests_total", { route: "/b" });
    b.inc("ragway_requests_total", { route: "/c" });
    b.inc("ragway_requests_total", { route: "/d" });
    b.inc("ragway_requests_total", { route: "/a" }); // existing series still counts
    const out = b.drain();
    expect(out.find((e) => e.labels.route === "/a")?.value).toBe(2);
    expect(out.find((e) => e.name === "ragway_metrics_rejected_total")?.value).toBe(2);
    expect(out).toHaveLength(3);
    expect(b.drain()).toEqual([]);
  });
});

describe("seriesKey", () => {
  it("names a series by its labels sorted by key, whatever order they were given in", () => {
    expect(seriesKey("m", {})).toBe("m{}");
    expect(seriesKey("m", { route: "/v1/query" })).toBe('m{route="/v1/query"}');
    expect(seriesKey("m", { status: "200", route: "/r" })).toBe('m{route="/r",status="200"}');
    expect(seriesKey("m", { route: "/r", status: "200" })).toBe('m{route="/r",status="200"}');
    expect(seriesKey("m", { c: "3", a: "1", b: 'quo"te' })).toBe('m{a="1",b="quo\\"te",c="3"}');
  });
});
