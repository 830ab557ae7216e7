// Sends INDEX objects' reports of their size to the METRICS object, where reports of namespace
// sizes read them (see shared/tenancy/index-reports). Every write to an INDEX object returns the
// object's report, read in the write's own call; the writer sends them on before it answers (one
// call, off the query and chat paths), so a listing or scrape after a write has returned counts
// it. A report lost to a failed call is logged, not the writer's failure: the old one stands
// until the object's next write, or until a reader finds it old and reads the object itself.
import type { AppContext } from "../context.js";
import type { IndexReport } from "../do/index-object.js";
import type { IndexReportInput } from "../do/index-report-store.js";
import { metricsStub } from "../metrics.js";

/** Reports of `namespace`'s objects by shard; absent ones (nothing written) are skipped. */
export type ShardReports = ReadonlyArray<readonly [shard: number, report: IndexReport | undefined]>;

/** Sends `namespace`'s reports; a failure is logged, never thrown. */
export function sendIndexReports(
  app: AppContext,
  namespace: string,
  reports: ShardReports,
): Promise<void> {
  return sendReportRows(app, reportRows(namespace, reports));
}

/** The rows of `namespace`'s reports, as the METRICS object stores them. */
export function reportRows(namespace: string, reports: ShardReports): IndexReportInput[] {
  return reports.flatMap(([shard, r]) =>
    r
      ? [
          {
            namespace,
            shard,
            documents: r.documents,
            chunks: r.chunks,
            version: r.version,
            live: r.live,
            shards: r.shards,
          },
        ]
      : [],
  );
}

/** Sends report rows of any namespaces in one call; a failure is logged, never thrown. */
export async function sendReportRows(
  app: AppContext,
  rows: readonly IndexReportInput[],
): Promise<void> {
  if (rows.length === 0) return;
  try {
    await metricsStub(app.env).reportIndex([...rows]);
  } catch (err) {
    app.logger.warn("index_report_failed", {
      namespaces: [...new Set(rows.map((r) => r.namespace))].join(","),
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
