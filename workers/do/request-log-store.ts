// The request log's table in the METRICS object's SQLite: the last REQUEST_LOG_MAX records of
// the last REQUEST_LOG_MAX_AGE_MS, whichever is fewer. Records arrive with metrics flushes; the
// pruning runs in the same synchronous transaction, so the table never grows past its bound.
import {
  REQUEST_LOG_MAX,
  REQUEST_LOG_MAX_AGE_MS,
  cursorOf,
  type RequestLogFilter,
  type RequestRecord,
} from "../../shared/metrics/request-log.js";

/** A page of the log, newest first, and the cursor of the next (older) page. */
export interface RequestLogPage {
  data: RequestRecord[];
  next_before: string | null;
}

/** Reads and writes the `requests` table of one SQLite database. */
export class RequestLogStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(
      `CREATE TABLE IF NOT EXISTS requests (
         seq INTEGER PRIMARY KEY AUTOINCREMENT, t INTEGER NOT NULL, route TEXT NOT NULL,
         status INTEGER NOT NULL, principal_id TEXT, record TEXT NOT NULL
       );
       CREATE INDEX IF NOT EXISTS requests_t ON requests (t, seq);`,
    );
  }

  /** Appends records and drops what falls out of the bounds (call inside a transaction). */
  add(records: readonly RequestRecord[], now: number): void {
    if (records.length === 0) return;
    for (const r of records) {
      this.sql.exec(
        "INSERT INTO requests (t, route, status, principal_id, record) VALUES (?, ?, ?, ?, ?)",
        r.t,
        r.route,
        r.status,
        r.principal_id,
        JSON.stringify(r),
      );
    }
    this.sql.exec("DELETE FROM requests WHERE t < ?", now - REQUEST_LOG_MAX_AGE_MS);
    this.sql.exec(
      `DELETE FROM requests WHERE seq IN (
         SELECT seq FROM requests ORDER BY t DESC, seq DESC LIMIT -1 OFFSET ?
       )`,
      REQUEST_LOG_MAX,
    );
  }

  /** The newest records matching `filter`, at most `filter.limit`. */
  list(filter: RequestLogFilter, now: number): RequestLogPage {
    const where: string[] = ["t >= ?"];
    const args: Array<string | number> = [now - REQUEST_LOG_MAX_AGE_MS];
    if (filter.status !== undefined) {
      const cls = /^([1-5])xx$/.exec(filter.status);
      if (cls) {
        where.push("status >= ? AND status < ?");
        args.push(Number(cls[1]) * 100, Number(cls[1]) * 100 + 100);
      } else {
        where.push("status = ?");
        args.push(Number(filter.status));
      }
    }
    if (filter.route !== undefined) {
      where.push("route = ?");
      args.push(filter.route);
    }
    if (filter.principal !== undefined) {
      where.push("principal_id = ?");
      args.push(filter.principal);
    }
    if (filter.before !== undefined) {
      where.push("(t < ? OR (t = ? AND seq < ?))");
      args.push(filter.before.t, filter.before.t, filter.before.seq);
    }
    const rows = this.sql
      .exec<{ seq: number; t: number; record: string }>(
        `SELECT seq, t, record FROM requests WHERE ${where.join(" AND ")}
         ORDER BY t DESC, seq DESC LIMIT ?`,
        ...args,
        filter.limit + 1,
      )
      .toArray();
    const more = rows.length > filter.limit;
    const page = more ? rows.slice(0, filter.limit) : rows;
    const last = page[page.length - 1];
    return {
      data: page.map((r) => JSON.parse(r.record) as RequestRecord),
      next_before: more && last ? cursorOf(last.t, last.seq) : null,
    };
  }

  /** Distinct routes and principals in the log, for the console's filters. */
  facets(now: number): { routes: string[]; principals: string[] } {
    const since = now - REQUEST_LOG_MAX_AGE_MS;
    const routes = this.sql
      .exec<{ route: string }>(
        "SELECT DISTINCT route FROM requests WHERE t >= ? ORDER BY route",
        since,
      )
      .toArray()
      .map((r) => r.route);
    const principals = this.sql
      .exec<{ principal_id: string }>(
        `SELECT DISTINCT principal_id FROM requests
         WHERE t >= ? AND principal_id IS NOT NULL ORDER BY principal_id`,
        since,
      )
      .toArray()
      .map((r) => r.principal_id);
    return { routes, principals };
  }
}
