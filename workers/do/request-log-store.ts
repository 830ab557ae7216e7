// The request log in the METRICS object's SQLite: the last REQUEST_LOG_MAX records of the last
// REQUEST_LOG_MAX_AGE_MS, whichever is fewer. Records arrive with metrics flushes, and a flush's
// records are stored 200 to a row. A row per record made every request cost the object an insert,
// a delete and their index entries (about four rows written, which SQLite storage bills), and made
// one global object write as many rows a second as the whole deployment served requests. Pruning
// drops whole rows in the same synchronous transaction; a read skips what the oldest kept row
// holds beyond the bounds.
import {
  REQUEST_LOG_MAX,
  REQUEST_LOG_MAX_AGE_MS,
  requestLogFacets,
  requestLogPage,
  type LoggedRecord,
  type RequestLogFilter,
  type RequestRecord,
} from "../../shared/metrics/request-log.js";
import { hasTable } from "./sql-tables.js";

/** Records stored in one row at most: records are bounded (a few KB at worst), so a row stays
 * well under SQLite storage's 2 MB limit on a row. */
export const RECORDS_PER_ROW = 200;

/** A page of the log, newest first, and the cursor of the next (older) page. */
export interface RequestLogPage {
  data: RequestRecord[];
  next_before: string | null;
}

/** A page and the routes and principals the whole log holds (the console's filters). */
export type RequestLogRead = RequestLogPage & {
  facets: { routes: string[]; principals: string[] };
};

/** Reads and writes the `request_flushes` table of one SQLite database. */
export class RequestLogStore {
  constructor(private readonly sql: SqlStorage) {
    // `last`: the place of the row's last record among every record ever logged, so the
    // newest REQUEST_LOG_MAX records are those placed after MAX(last) - REQUEST_LOG_MAX.
    // `newest`: its newest record's time, for the age bound. No index on it: rows arrive in
    // about the order of their times, so the oldest rows are the ones to check, and an index
    // entry would double the rows each insert and delete writes.
    sql.exec(
      `CREATE TABLE IF NOT EXISTS request_flushes (
         last INTEGER PRIMARY KEY, newest INTEGER NOT NULL, records TEXT NOT NULL
       )`,
    );
    this.carryOverRowPerRecordLog();
  }

  /** Appends a flush's records (a row per RECORDS_PER_ROW) and drops the rows that fall out of
   * the bounds (call inside a transaction). */
  add(records: readonly RequestRecord[], now: number): void {
    if (records.length === 0) return;
    // Only the newest REQUEST_LOG_MAX of one flush could ever be read.
    const kept = records.length > REQUEST_LOG_MAX ? records.slice(-REQUEST_LOG_MAX) : records;
    let last = this.lastPlace();
    for (let i = 0; i < kept.length; i += RECORDS_PER_ROW) {
      const part = kept.slice(i, i + RECORDS_PER_ROW);
      let newest = 0;
      for (const r of part) newest = Math.max(newest, r.t);
      last += part.length;
      this.sql.exec(
        "INSERT INTO request_flushes (last, newest, records) VALUES (?, ?, ?)",
        last,
        newest,
        JSON.stringify(part),
      );
    }
    // A row goes once every record it holds is out of bounds, by place or by age.
    this.sql.exec("DELETE FROM request_flushes WHERE last <= ?", last - REQUEST_LOG_MAX);
    this.dropAged(now - REQUEST_LOG_MAX_AGE_MS);
  }

  /** Drops the oldest rows while their newest record is older than `since`, reading one row per
   * step. A row whose isolate's clock ran ahead waits for its own time, and the rows after it
   * with it; reads leave their old records out all the same, and the count bound still holds. */
  private dropAged(since: number): void {
    for (;;) {
      const oldest = this.sql
        .exec<{ last: number; newest: number }>(
          "SELECT last, newest FROM request_flushes ORDER BY last LIMIT 1",
        )
        .toArray()[0];
      if (!oldest || oldest.newest >= since) return;
      this.sql.exec("DELETE FROM request_flushes WHERE last = ?", oldest.last);
    }
  }

  /** The newest records matching `filter` (at most `filter.limit`), and the facets. */
  read(filter: RequestLogFilter, now: number): RequestLogRead {
    const logged = this.records(now);
    return { ...requestLogPage(logged, filter), facets: requestLogFacets(logged) };
  }

  /** Every record within the bounds, with its place. */
  private records(now: number): LoggedRecord[] {
    const since = now - REQUEST_LOG_MAX_AGE_MS;
    const floor = this.lastPlace() - REQUEST_LOG_MAX;
    const out: LoggedRecord[] = [];
    const rows = this.sql.exec<{ last: number; records: string }>(
      "SELECT last, records FROM request_flushes WHERE newest >= ?",
      since,
    );
    for (const row of rows) {
      const records = JSON.parse(row.records) as RequestRecord[];
      const first = row.last - records.length + 1;
      records.forEach((record, i) => {
        if (first + i > floor && record.t >= since) out.push({ record, seq: first + i });
      });
    }
    return out;
  }

  private lastPlace(): number {
    return (
      this.sql.exec<{ last: number | null }>("SELECT MAX(last) AS last FROM request_flushes").one()
        .last ?? 0
    );
  }

  /** A log kept a row per record (its `requests` table) is carried over, once. */
  private carryOverRowPerRecordLog(): void {
    if (!hasTable(this.sql, "requests")) return;
    const records = this.sql
      .exec<{ record: string }>("SELECT record FROM requests ORDER BY t, seq")
      .toArray()
      .map((r) => JSON.parse(r.record) as RequestRecord);
    this.add(records, Date.now());
    this.sql.exec("DROP TABLE requests");
  }
}
