// Renders stored series as the Prometheus text exposition format (version 0.0.4): HELP and TYPE
// from the registry, escaped label values, and every histogram bucket present and cumulative.
import { DEFAULT_BUCKETS, seriesKey, type MetricEntry } from "./batch.js";
import type { Labels } from "./metrics.js";
import { familyOf, isDeclaredSeries } from "./declared-series.js";
import { METRIC_FAMILIES, type MetricFamily } from "./registry.js";

/** The Content-Type of the text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value in Go's float syntax (what Prometheus parses). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels)
    .filter((k) => k !== "le")
    .sort();
  if ("le" in labels) keys.push("le");
  if (keys.length === 0) return "";
  return `{${keys.map((k) => `${k}="${escapeLabelValue(labels[k] ?? "")}"`).join(",")}}`;
}

function sample(name: string, labels: Labels, value: number): string {
  return `${name}${formatLabels(labels)} ${formatValue(value)}`;
}

function withoutLe(labels: Labels): Labels {
  const { le: _le, ...rest } = labels;
  return rest;
}

function leValue(le: string): number {
  return le === "+Inf" ? Infinity : Number(le);
}

/** The lines of one histogram family: per label set, all buckets (cumulative), _sum and _count. */
function histogramLines(fam: MetricFamily, series: MetricEntry[]): string[] {
  const groups = new Map<
    string,
    { labels: Labels; buckets: Map<string, number>; sum: number; count: number | null }
  >();
  for (const s of series) {
    const base = withoutLe(s.labels);
    const key = seriesKey(fam.name, base);
    let g = groups.get(key);
    if (!g) {
      g = { labels: base, buckets: new Map(), sum: 0, count: null };
      groups.set(key, g);
    }
    if (s.name.endsWith("_bucket")) {
      const le = s.labels.le ?? "";
      if (!Number.isNaN(leValue(le))) g.buckets.set(le, s.value);
    } else if (s.name.endsWith("_sum")) g.sum = s.value;
    else g.count = s.value;
  }
  const lines: string[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key);
    if (!g) continue;
    const bounds = new Set<string>([...DEFAULT_BUCKETS.map(String), ...g.buckets.keys()]);
    bounds.delete("+Inf");
    const sorted = [...bounds].sort((a, b) => leValue(a) - leValue(b));
    const count = g.count ?? g.buckets.get("+Inf") ?? 0;
    let running = 0;
    for (const le of sorted) {
      // A bound with no stored series saw no observation at or below it; keep the sequence
      // monotonic even if storage was edited by hand.
      running = Math.min(count, Math.max(running, g.buckets.get(le) ?? 0));
      lines.push(sample(`${fam.name}_bucket`, { ...g.labels, le }, running));
    }
    lines.push(sample(`${fam.name}_bucket`, { ...g.labels, le: "+Inf" }, count));
    lines.push(sample(`${fam.name}_sum`, g.labels, g.sum));
    lines.push(sample(`${fam.name}_count`, g.labels, count));
  }
  return lines;
}

/** Renders every declared family (HELP and TYPE even when it has no series yet); undeclared
 * series are left out. Label-less counters with no series render as 0. */
export function renderPrometheus(series: readonly MetricEntry[]): string {
  // Later entries for the same series win (scrape-time gauges after stored ones).
  const unique = new Map<string, MetricEntry>();
  for (const s of series) unique.set(seriesKey(s.name, s.labels), s);
  const byFamily = new Map<string, MetricEntry[]>();
  for (const s of unique.values()) {
    if (!isDeclaredSeries(s.name, s.labels)) continue;
    const fam = familyOf(s.name);
    if (!fam) continue;
    const list = byFamily.get(fam.name) ?? [];
    list.push(s);
    byFamily.set(fam.name, list);
  }
  const out: string[] = [];
  for (const fam of METRIC_FAMILIES) {
    out.push(`# HELP ${fam.name} ${escapeHelp(fam.help)}`);
    out.push(`# TYPE ${fam.name} ${fam.type}`);
    const list = byFamily.get(fam.name) ?? [];
    if (fam.type === "histogram") {
      out.push(...histogramLines(fam, list));
      continue;
    }
    if (list.length === 0 && fam.labels.length === 0 && fam.type === "counter") {
      out.push(sample(fam.name, {}, 0));
      continue;
    }
    const sorted = [...list].sort((a, b) =>
      seriesKey(a.name, a.labels) < seriesKey(b.name, b.labels) ? -1 : 1,
    );
    for (const s of sorted) out.push(sample(fam.name, s.labels, s.value));
  }
  return `${out.join("\n")}\n`;
}
