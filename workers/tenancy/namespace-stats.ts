// Namespace sizes for reports (/v1/stats, /metrics, the namespace listing): every registered,
// live namespace's documents and chunks, from the reports its INDEX objects sent after their
// writes (held by the METRICS object, which these routes read anyway), so a report costs no call
// per namespace. A namespace with no complete report yet, or one older than REPORT_MAX_AGE_MS, is
// read from its objects, at most DIRECT_READ_CALLS object calls per request, and what is read is
// reported (in waitUntil), so the next reader finds it: an idle object is woken about once an
// hour at most. Admin-only paths, never the hot path.
import type { MetricEntry } from "../../shared/metrics/batch.js";
import {
  pickDirectReads,
  sizesFromReports,
  type IndexReportRow,
  type NamespaceSize,
} from "../../shared/tenancy/index-reports.js";
import { DEFAULT_NAMESPACE } from "../../shared/tenancy/grants.js";
import { foldNamespaces, type NamespaceCounts } from "../../shared/tenancy/namespace-labels.js";
import { mapConcurrent } from "../../shared/util/map-concurrent.js";
import type { AppContext } from "../context.js";
import type { IndexReport } from "../do/index-object.js";
import { indexStub } from "../services.js";
import type { IndexReportInput } from "../do/index-report-store.js";
import { reportRows, sendReportRows } from "./index-reports.js";
import { isLive } from "../../shared/tenancy/namespace-name.js";
import { indexObjectName } from "./namespace-index.js";
import type { RegisteredNamespace } from "./namespace-registry.js";
import { fanOut, SHARD_FANOUT, shardLayout } from "./namespace-shards.js";

/** Object calls one request may spend reading namespaces its reports do not cover (the free
 * plan allows 50 subrequests in all). */
export const DIRECT_READ_CALLS = 24;

/** A report older than this is read again from its objects (when the budget allows): what
 * corrects a report lost with a failed call, for a namespace no one writes to. */
export const REPORT_MAX_AGE_MS = 60 * 60 * 1000;

/** The registered namespaces' sizes, in the registry's order (`default` first). */
export interface NamespaceSizes {
  /** Every live namespace whose size is known. */
  sizes: NamespaceSize[];
  /** Registered namespaces not reported yet and past this request's budget for reading them:
   * their size is not known yet (the next requests read them). */
  pending: string[];
}

/**
 * The sizes of the `registered` namespaces: from `reports` (the METRICS object's), reading the
 * rest from their objects within DIRECT_READ_CALLS. A namespace found deleted is left out.
 */
export async function namespaceSizes(
  app: AppContext,
  registered: readonly RegisteredNamespace[],
  reports: readonly IndexReportRow[],
): Promise<NamespaceSizes> {
  const names = registered.map((r) => r.name);
  const reported = sizesFromReports(names, reports, Date.now(), REPORT_MAX_AGE_MS);
  const width = new Map(registered.map((r) => [r.name, r.shards ?? 1]));
  for (const size of reported.sizes.values()) width.set(size.namespace, size.shards);
  const direct = pickDirectReads(reported, (name) => width.get(name) ?? 1, DIRECT_READ_CALLS);
  const read = await mapConcurrent(direct, SHARD_FANOUT, (name) => readSize(app, name));
  const fresh = new Map(direct.map((name, i) => [name, read[i]?.size]));
  // What was read is reported, so the next reader finds it (off this response's path).
  app.exec.waitUntil(
    sendReportRows(
      app,
      read.flatMap((r) => r.rows),
    ),
  );
  const sizes: NamespaceSize[] = [];
  const pending: string[] = [];
  for (const name of names) {
    const got = fresh.get(name);
    if (got === null) continue; // read just now: deleted
    // Not read, or its read failed: what the reports say, if anything.
    const size = got ?? reported.sizes.get(name);
    if (size) sizes.push(size);
    else pending.push(name);
  }
  return { sizes, pending };
}

/**
 * One namespace's size read from its objects, with their reports: the size is null when it is
 * not live, undefined when an object could not be read (logged; the next reader tries again).
 */
async function readSize(
  app: AppContext,
  name: string,
): Promise<{ size: NamespaceSize | null | undefined; rows: IndexReportInput[] }> {
  try {
    const head = await indexStub(app.env, indexObjectName(name)).namespaceInfo();
    const reports: Array<readonly [number, IndexReport]> = [[0, head]];
    if (isLive(name, head.live) && head.shards > 1) {
      const layout = shardLayout(app.env, name, head.shards);
      const others = Array.from({ length: head.shards - 1 }, (_, i) => i + 1);
      const parts = await fanOut(others, (shard) => layout.stub(shard).namespaceInfo());
      parts.forEach((part, i) => reports.push([i + 1, part]));
    }
    const rows = reportRows(name, reports);
    if (!isLive(name, head.live)) return { size: null, rows };
    const size = {
      namespace: name,
      documents: reports.reduce((n, [, r]) => n + r.documents, 0),
      chunks: reports.reduce((n, [, r]) => n + r.chunks, 0),
      version: head.version,
      shards: head.shards,
    };
    return { size, rows };
  } catch (err) {
    app.logger.warn("namespace_size_read_failed", {
      namespace: name,
      error: err instanceof Error ? err.message : String(err),
    });
    return { size: undefined, rows: [] };
  }
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

/** `default`'s version among `sizes` (0 when it is not among them). */
export function defaultVersion(sizes: readonly NamespaceSize[]): number {
  return sizes.find((s) => s.namespace === DEFAULT_NAMESPACE)?.version ?? 0;
}
