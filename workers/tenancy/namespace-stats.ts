// Index counts for reports (/v1/stats, /metrics): every live namespace's documents and chunks,
// read from each namespace's own INDEX objects (summed over its shards) in parallel. Admin-only paths, never the hot path.
import type { MetricEntry } from "../../shared/metrics/batch.js";
import { foldNamespaces, type NamespaceCounts } from "../../shared/tenancy/namespace-labels.js";
import type { AppContext } from "../context.js";
import { isLive } from "./namespace-index.js";
import { describeNamespace } from "./namespace-shard-lifecycle.js";
import { listRegistered } from "./namespace-registry.js";

/** A live namespace's counts and its index version. */
export interface NamespaceReport extends NamespaceCounts {
  version: number;
}

/** Counts of every live namespace, `default` first. */
export async function namespaceCounts(app: AppContext): Promise<NamespaceReport[]> {
  const registered = await listRegistered(app.env.CACHE);
  const rows = await Promise.all(
    registered.map(async ({ name }) => {
      const info = await describeNamespace(app, name);
      return isLive(name, info.live)
        ? { namespace: name, documents: info.documents, chunks: info.chunks, version: info.version }
        : null;
    }),
  );
  return rows.filter((r): r is NamespaceReport => r !== null);
}

/** The index gauges: totals, and per namespace under a bounded label. */
export function indexGauges(counts: readonly NamespaceCounts[], maxLabels: number): MetricEntry[] {
  const total = (field: "documents" | "chunks") => counts.reduce((n, c) => n + c[field], 0);
  const out: MetricEntry[] = [
    { name: "ragway_index_documents", labels: {}, value: total("documents"), op: "set" },
    { name: "ragway_index_chunks", labels: {}, value: total("chunks"), op: "set" },
  ];
  for (const row of foldNamespaces(counts, maxLabels)) {
    const labels = { namespace: row.namespace };
    out.push({ name: "ragway_namespace_documents", labels, value: row.documents, op: "set" });
    out.push({ name: "ragway_namespace_chunks", labels, value: row.chunks, op: "set" });
  }
  return out;
}
