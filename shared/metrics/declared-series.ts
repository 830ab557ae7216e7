// Whether a series may be stored: its family is declared in the registry, its labels are declared
// names, and its values are short and printable. The METRICS object refuses everything else, so a
// bug or hostile input can never grow the label sets without bound.
import type { Labels } from "./metrics.js";
import { METRIC_FAMILIES, type MetricFamily } from "./registry.js";

const BY_NAME = new Map(METRIC_FAMILIES.map((f) => [f.name, f]));

/** The family a stored series belongs to (histogram series end in _bucket, _sum or _count). */
export function familyOf(seriesName: string): MetricFamily | undefined {
  const direct = BY_NAME.get(seriesName);
  if (direct) return direct.type === "histogram" ? undefined : direct;
  const match = /^(.*)_(bucket|sum|count)$/.exec(seriesName);
  const base = match?.[1] ? BY_NAME.get(match[1]) : undefined;
  return base?.type === "histogram" ? base : undefined;
}

/** Longest label value stored; longer values are a sign of unbounded input and are refused. */
export const MAX_LABEL_VALUE_LENGTH = 100;

/** True when a series is declared and its labels are declared names with short printable values. */
export function isDeclaredSeries(name: string, labels: Labels): boolean {
  const fam = familyOf(name);
  if (!fam) return false;
  const isBucket = fam.type === "histogram" && name.endsWith("_bucket");
  for (const [key, value] of Object.entries(labels)) {
    const allowed = fam.labels.includes(key) || (isBucket && key === "le");
    if (!allowed) return false;
    if (typeof value !== "string" || value.length > MAX_LABEL_VALUE_LENGTH) return false;
    // Control characters only: everything else is escaped by the renderer.
    if (hasControlCharacter(value)) return false;
  }
  return !isBucket || "le" in labels;
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
