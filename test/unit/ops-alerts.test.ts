import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { familyOf } from "../../shared/metrics/declared-series.js";
import { METRIC_FAMILIES } from "../../shared/metrics/registry.js";
import { promtool, runPromtool } from "../support/promtool.js";

const RULES = "ops/alerts.yml";
const RULE_TESTS = "ops/alerts.test.yml";

describe("ops/alerts.yml", () => {
  const text = readFileSync(RULES, "utf8");

  it("has the alerts an operator needs", () => {
    const names = [...text.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    expect(names).toEqual(
      expect.arrayContaining([
        "RagwayHigh5xxRate",
        "RagwayUpstreamFailureRate",
        "RagwayCircuitBreakerOpen",
        "RagwayCacheHitRateCollapsed",
        "RagwayKeyNearBudget",
        "RagwayHighLatencyP95",
      ]),
    );
  });

  it("uses only metrics that ragway declares", () => {
    const used = new Set([...text.matchAll(/\bragway_[a-z0-9_]+/g)].map((m) => m[0]));
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) {
      expect(familyOf(name) ?? METRIC_FAMILIES.find((f) => f.name === name), name).toBeDefined();
    }
  });
});

describe.runIf(promtool)("promtool on the alert rules", () => {
  it("check rules accepts ops/alerts.yml", () => {
    const r = runPromtool(["check", "rules", RULES]);
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
  });

  it("test rules: each alert fires on its failure and stays quiet on healthy traffic", () => {
    const r = runPromtool(["test", "rules", RULE_TESTS]);
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
  });
});
