// A small reader of the Prometheus text format for tests: sample lines to a map keyed by the
// series exactly as rendered (`name{a="x",b="y"}`), plus helpers to diff two scrapes.

/** Samples of one scrape: series -> value. Comment lines are skipped. */
export function parseSamples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** Series whose value changed between two scrapes, with the change (new series count from 0). */
export function diffSamples(
  before: Map<string, number>,
  after: Map<string, number>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of after) {
    const d = value - (before.get(key) ?? 0);
    if (Math.abs(d) > 1e-12) out.set(key, d);
  }
  return out;
}

/** The series key as the renderer prints it: labels sorted, `le` last. */
export function series(name: string, labels: Record<string, string> = {}): string {
  const keys = Object.keys(labels)
    .filter((k) => k !== "le")
    .sort();
  if ("le" in labels) keys.push("le");
  if (keys.length === 0) return name;
  return `${name}{${keys.map((k) => `${k}="${labels[k] ?? ""}"`).join(",")}}`;
}
