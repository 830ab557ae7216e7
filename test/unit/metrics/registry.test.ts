import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { METRIC_FAMILIES } from "../../../shared/metrics/registry.js";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** Every `.inc("ragway_…", {labels})` / `.observe(` / `.set(` call in workers/ and shared/. */
function emittedSeries(): Array<{ file: string; name: string; labels: string[] | null }> {
  const found: Array<{ file: string; name: string; labels: string[] | null }> = [];
  for (const file of [...sourceFiles("workers"), ...sourceFiles("shared")]) {
    const text = readFileSync(file, "utf8");
    const call =
      /\.(?:inc|observe|set)(?:\?\.)?\(\s*"(ragway_[a-z0-9_]+)"\s*(?:,\s*(\{[^}]*\}|[\w.]+))?/g;
    for (const m of text.matchAll(call)) {
      const name = m[1] ?? "";
      const arg = m[2];
      // Literal label objects are checked key by key; a variable is checked at run time.
      const labels =
        arg === undefined
          ? []
          : arg.startsWith("{")
            ? [...arg.matchAll(/(?:^|[{,])\s*(\w+)\s*(?=[:,}])/g)].map((k) => k[1] ?? "")
            : null;
      found.push({ file, name, labels });
    }
  }
  return found;
}

describe("the metric registry", () => {
  it("names every family by Prometheus conventions", () => {
    for (const fam of METRIC_FAMILIES) {
      expect(fam.name).toMatch(/^ragway_[a-z][a-z0-9_]*$/);
      if (fam.type === "counter") expect(fam.name).toMatch(/_total$/);
      else expect(fam.name).not.toMatch(/_total$/);
      if (fam.type === "histogram") expect(fam.name).toMatch(/_seconds$/);
      // Base units only: seconds not milliseconds, dollars not cents.
      expect(fam.name).not.toMatch(/_(ms|milliseconds|minutes|cents)(_|$)/);
      expect(fam.help.length).toBeGreaterThan(10);
      for (const l of fam.labels) expect(l).toMatch(/^[a-z_]+$/);
      expect(fam.labels).not.toContain("le");
    }
    const names = METRIC_FAMILIES.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("never declares a label that could carry a query, key or id", () => {
    for (const fam of METRIC_FAMILIES) {
      for (const l of fam.labels) {
        expect(l).not.toMatch(/query|key|token|id$|principal|user|ip|text|document/);
      }
    }
  });

  it("declares every series the code emits, with the labels it emits", () => {
    const emitted = emittedSeries();
    expect(emitted.length).toBeGreaterThan(5);
    for (const e of emitted) {
      const declared = METRIC_FAMILIES.find((f) => f.name === e.name);
      expect(declared, `${e.file}: ${e.name} is not declared in the registry`).toBeDefined();
      for (const l of e.labels ?? []) {
        expect(declared?.labels, `${e.file}: ${e.name} emits undeclared label ${l}`).toContain(l);
      }
    }
  });
});
