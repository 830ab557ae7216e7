import { describe, expect, it } from "vitest";
import { MetricsBatch, type MetricEntry } from "../../../shared/metrics/batch.js";
import {
  escapeLabelValue,
  formatValue,
  renderPrometheus,
} from "../../../shared/metrics/prometheus.js";
import { METRIC_FAMILIES } from "../../../shared/metrics/registry.js";
import { promtool, runPromtool } from "../../support/promtool.js";

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

/** A batch with at least one series in every declared family, with the labels it declares. */
function everyFamily(): MetricEntry[] {
  const batch = new MetricsBatch();
  for (const fam of METRIC_FAMILIES) {
    const labels = Object.fromEntries(fam.labels.map((l, i) => [l, `v${i}-"q"\\x`]));
    if (fam.type === "histogram") {
      batch.observe(fam.name, labels, 0.2);
      batch.observe(fam.name, labels, 42);
    } else if (fam.type === "gauge") batch.set(fam.name, labels, 2);
    else batch.inc(fam.name, labels, 3.5);
  }
  return batch.drain();
}

describe("renderPrometheus", () => {
  it("declares HELP and TYPE for every family, even with no series", () => {
    const text = renderPrometheus([]);
    for (const fam of METRIC_FAMILIES) {
      expect(text).toContain(`# HELP ${fam.name} `);
      expect(text).toContain(`# TYPE ${fam.name} ${fam.type}\n`);
    }
    expect(text.endsWith("\n")).toBe(true);
  });

  it("renders a label-less counter with no series as 0 so rate() has a starting point", () => {
    expect(lines(renderPrometheus([]))).toContain("ragway_metrics_rejected_total 0");
  });

  it("escapes backslashes and quotes in label values", () => {
    const text = renderPrometheus([
      { name: "ragway_cost_usd_total", labels: { model: 'a"b\\c' }, value: 1 },
    ]);
    expect(text).toContain('ragway_cost_usd_total{model="a\\"b\\\\c"} 1\n');
    expect(escapeLabelValue("line\nbreak")).toBe("line\\nbreak");
  });

  it("sorts labels and puts le last", () => {
    const batch = new MetricsBatch([1]);
    batch.observe("ragway_request_duration_seconds", { route: "/v1/query" }, 0.5);
    const text = renderPrometheus(batch.drain());
    expect(text).toContain('ragway_request_duration_seconds_bucket{route="/v1/query",le="1"} 1');
  });

  it("renders every bucket of a histogram, cumulative, with _sum and _count", () => {
    const batch = new MetricsBatch();
    batch.observe("ragway_request_duration_seconds", { route: "/health" }, 0.03);
    batch.observe("ragway_request_duration_seconds", { route: "/health" }, 0.3);
    batch.observe("ragway_request_duration_seconds", { route: "/health" }, 99);
    const out = lines(renderPrometheus(batch.drain())).filter((l) =>
      l.startsWith("ragway_request_duration_seconds"),
    );
    const bucket = (le: string): number =>
      Number(
        out
          .find((l) => l.includes(`le="${le}"`))
          ?.split(" ")
          .pop(),
      );
    expect(out.filter((l) => l.includes("_bucket"))).toHaveLength(13); // 12 bounds + +Inf
    expect(bucket("0.005")).toBe(0);
    expect(bucket("0.025")).toBe(0);
    expect(bucket("0.05")).toBe(1);
    expect(bucket("0.25")).toBe(1);
    expect(bucket("0.5")).toBe(2);
    expect(bucket("30")).toBe(2);
    expect(bucket("+Inf")).toBe(3);
    expect(out).toContain('ragway_request_duration_seconds_count{route="/health"} 3');
    expect(out.find((l) => l.includes("_sum"))).toMatch(/_sum\{route="\/health"\} 99\.33/);
  });

  it("renders _sum 0 for a histogram whose observations were all zero", () => {
    const batch = new MetricsBatch();
    batch.observe("ragway_request_duration_seconds", { route: "/health" }, 0);
    expect(renderPrometheus(batch.drain())).toContain(
      'ragway_request_duration_seconds_sum{route="/health"} 0\n',
    );
  });

  it("leaves out undeclared names and undeclared labels", () => {
    const text = renderPrometheus([
      { name: "ragway_made_up_total", labels: {}, value: 1 },
      { name: "ragway_requests_total", labels: { route: "/health", query: "secret" }, value: 1 },
      { name: "ragway_requests_total", labels: { route: "/health", status: "200" }, value: 2 },
    ]);
    expect(text).not.toContain("made_up");
    expect(text).not.toContain("secret");
    expect(text).toContain('ragway_requests_total{route="/health",status="200"} 2');
  });

  it("lets a later entry for the same series win (gauges read at scrape time)", () => {
    const text = renderPrometheus([
      { name: "ragway_index_documents", labels: {}, value: 3, op: "set" },
      { name: "ragway_index_documents", labels: {}, value: 7, op: "set" },
    ]);
    expect(lines(text)).toContain("ragway_index_documents 7");
    expect(lines(text)).not.toContain("ragway_index_documents 3");
  });

  it("formats values in Go float syntax", () => {
    expect(formatValue(3)).toBe("3");
    expect(formatValue(0.000125)).toBe("0.000125");
    expect(formatValue(1e-7)).toBe("1e-7");
    expect(formatValue(Infinity)).toBe("+Inf");
    expect(formatValue(Number.NaN)).toBe("NaN");
  });
});

describe.runIf(promtool)("promtool check metrics", () => {
  it("accepts the rendering of every declared family with series", () => {
    const text = renderPrometheus(everyFamily());
    const r = runPromtool(["check", "metrics"], text);
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
  });

  it("accepts the rendering with no series at all", () => {
    const r = runPromtool(["check", "metrics"], renderPrometheus([]));
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
  });

  it("rejects an exposition that breaks the conventions (the check can fail)", () => {
    const r = runPromtool(["check", "metrics"], "# HELP c x\n# TYPE c counter\nc 1\n");
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/_total/);
  });
});
