// The INDEX objects' reports of their size, in the METRICS object's SQLite: one row per
// (namespace, shard), each replaced only by a report of a version at least as high, so reports
// that arrive out of order (from different isolates) leave the newest standing. Read by
// `/metrics`, `/v1/stats` and the namespace listing in the call they already make to this object
// (see shared/tenancy/index-reports).
import { DEFAULT_NAMESPACE } from "../../shared/tenancy/grants.js";
import type { IndexReportRow } from "../../shared/tenancy/index-reports.js";

/** How long the report of a deleted namespace's object is kept: long enough that a report from
 * before the deletion, arriving late, finds it and is refused for its lower version. */
export const DELETED_REPORT_TTL_MS = 24 * 60 * 60 * 1000;

/** A report as sent: everything but the time it is stored. */
export type IndexReportInput = Omit<IndexReportRow, "reportedAt">;

/** Reads and writes the `index_reports` table of one SQLite database. */
export class IndexReportStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(
      `CREATE TABLE IF NOT EXISTS index_reports (
         namespace TEXT NOT NULL, shard INTEGER NOT NULL, documents INTEGER NOT NULL,
         chunks INTEGER NOT NULL, version INTEGER NOT NULL, live INTEGER NOT NULL,
         shards INTEGER NOT NULL, reported_at INTEGER NOT NULL, PRIMARY KEY (namespace, shard)
       );`,
    );
  }

  /** Stores each report unless a newer one (a higher version) is already held (call inside a
   * transaction). A batch that reports a deletion also forgets deleted namespaces' reports older
   * than DELETED_REPORT_TTL_MS: only deletions leave such reports, so the scan of the table runs
   * as rarely as they do, not with every write. */
  add(reports: readonly IndexReportInput[], now: number): void {
    for (const r of reports) {
      this.sql.exec(
        `INSERT INTO index_reports
           (namespace, shard, documents, chunks, version, live, shards, reported_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (namespace, shard) DO UPDATE SET
           documents = excluded.documents, chunks = excluded.chunks, version = excluded.version,
           live = excluded.live, shards = excluded.shards, reported_at = excluded.reported_at
         WHERE excluded.version >= index_reports.version`,
        r.namespace,
        r.shard,
        r.documents,
        r.chunks,
        r.version,
        r.live ? 1 : 0,
        r.shards,
        now,
      );
    }
    if (!reports.some((r) => !r.live && r.namespace !== DEFAULT_NAMESPACE)) return;
    this.sql.exec(
      "DELETE FROM index_reports WHERE live = 0 AND namespace != ? AND reported_at < ?",
      DEFAULT_NAMESPACE,
      now - DELETED_REPORT_TTL_MS,
    );
  }

  /** Every report held. */
  all(): IndexReportRow[] {
    return this.sql
      .exec<{
        namespace: string;
        shard: number;
        documents: number;
        chunks: number;
        version: number;
        live: number;
        shards: number;
        reported_at: number;
      }>("SELECT * FROM index_reports ORDER BY namespace, shard")
      .toArray()
      .map((r) => ({
        namespace: r.namespace,
        shard: r.shard,
        documents: r.documents,
        chunks: r.chunks,
        version: r.version,
        live: r.live === 1,
        shards: r.shards,
        reportedAt: r.reported_at,
      }));
  }
}
