// The run's tally and the summary printed at the end: what was added, updated, skipped (and why)
// and what failed (each file with its reason), so a run reports exactly what happened.

export interface Tally {
  added: number;
  updated: number;
  /** Not sent: the server already holds this exact file. */
  unchanged: number;
  /** Not sent: the file has no text. */
  empty: number;
  failed: Array<{ path: string; message: string }>;
  /** Files of other types inside the folders, not read. */
  ignored: number;
  chunks: number;
  requests: number;
  /** Uploads the server took as ingestion jobs. */
  jobs: number;
  retries: number;
  /** Why the run stopped early: the server refused the key or the namespace outright. */
  stopped?: string;
}

export function emptyTally(): Tally {
  return {
    added: 0,
    updated: 0,
    unchanged: 0,
    empty: 0,
    failed: [],
    ignored: 0,
    chunks: 0,
    requests: 0,
    jobs: 0,
    retries: 0,
  };
}

/** Files accounted for so far (the progress numerator). */
export function filesDone(t: Tally): number {
  return t.added + t.updated + t.unchanged + t.empty + t.failed.length;
}

/** Exit status: 0 when nothing failed, 1 otherwise. */
export function exitCode(t: Tally): number {
  return t.failed.length > 0 ? 1 : 0;
}

/** The summary block. With `dryRun`, the counts are what a real run would do. */
export function formatSummary(t: Tally, elapsedMs: number, dryRun = false): string {
  const why = [
    t.unchanged ? `${t.unchanged} unchanged` : "",
    t.empty ? `${t.empty} empty` : "",
  ].filter(Boolean);
  const seconds = (elapsedMs / 1000).toFixed(1);
  const head = dryRun
    ? `dry run in ${seconds}s, nothing was sent: ${filesDone(t)} files`
    : `done in ${seconds}s: ${filesDone(t)} files, ${t.chunks} chunks, ${t.requests} requests${
        t.jobs ? ` (${t.jobs} jobs)` : ""
      }, ${t.retries} retries`;
  const row = (name: string, value: string | number): string => `  ${name.padEnd(14)}${value}`;
  const lines = [
    ...(t.stopped ? [`stopped: ${t.stopped}`] : []),
    head,
    row(dryRun ? "would add" : "added", t.added),
    row(dryRun ? "would update" : "updated", t.updated),
    row(
      dryRun ? "would skip" : "skipped",
      `${t.unchanged + t.empty}${why.length ? ` (${why.join(", ")})` : ""}`,
    ),
    row("failed", t.failed.length),
  ];
  if (t.ignored) lines.push(row("ignored", `${t.ignored} (files of other types)`));
  const failed = [...t.failed].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const f of failed) lines.push(`  ✗ ${f.path}: ${f.message}`);
  return lines.join("\n");
}
