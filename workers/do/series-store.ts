// The METRICS object's series in its SQLite: the running value of every declared series. A flush
// is stored as it arrives, as one row (a row per 1,000 entries), and reads add the waiting rows to
// the stored values; the stored values themselves are rewritten only once MAX_PENDING_ROWS or
// MAX_PENDING_ENTRIES wait. Upserting every series of every flush cost each isolate's flush about
// 70-100 rows written (one per series touched; a histogram touches every bucket at or above the
// value), which SQLite storage bills (and the free plan caps per day), once a second per busy
// isolate. Now a flush costs two rows (its insert and, at the fold, its delete), and a fold writes
// each series it changes once, however many flushes changed it.
import type { MetricEntry } from "../../shared/metrics/batch.js";
import { foldEntries, type SeriesChange } from "../../shared/metrics/fold-entries.js";
import { hasTable } from "./sql-tables.js";

/** Stored flush rows that wait before they are folded into the stored values. */
export const MAX_PENDING_ROWS = 200;

/** Entries that wait at most (what a read folds in memory stays a few MB). */
export const MAX_PENDING_ENTRIES = 20_000;

/** Entries stored in one row at most: a declared series is a few hundred bytes at worst, so a
 * row stays well under SQLite storage's 2 MB limit on a row (a flush holds up to 5,000). */
const ENTRIES_PER_ROW = 1000;

/** Reads and writes the `series` and `series_pending` tables of one SQLite database. */
export class SeriesStore {
  private pendingRows: number;
  private pendingEntries: number;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(
      `CREATE TABLE IF NOT EXISTS series (
         key TEXT PRIMARY KEY, name TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL
       );
       CREATE TABLE IF NOT EXISTS series_pending (
         seq INTEGER PRIMARY KEY, n INTEGER NOT NULL, entries TEXT NOT NULL
       );`,
    );
    this.carryOverSeriesFlushes();
    const waiting = sql
      .exec<{ rows: number; entries: number }>(
        "SELECT COUNT(*) AS rows, COALESCE(SUM(n), 0) AS entries FROM series_pending",
      )
      .one();
    this.pendingRows = waiting.rows;
    this.pendingEntries = waiting.entries;
  }

  /** Stores a flush's entries (call inside a transaction). */
  add(entries: readonly MetricEntry[]): void {
    for (let i = 0; i < entries.length; i += ENTRIES_PER_ROW) {
      const part = entries.slice(i, i + ENTRIES_PER_ROW);
      this.sql.exec(
        "INSERT INTO series_pending (n, entries) VALUES (?, ?)",
        part.length,
        JSON.stringify(part),
      );
      this.pendingRows++;
      this.pendingEntries += part.length;
    }
    if (this.pendingRows >= MAX_PENDING_ROWS || this.pendingEntries >= MAX_PENDING_ENTRIES) {
      this.fold();
    }
  }

  /** Every series with its value, the waiting flushes included, by key. Writes nothing. */
  all(): MetricEntry[] {
    const byKey = new Map<string, MetricEntry>();
    const rows = this.sql.exec<{ key: string; name: string; labels: string; value: number }>(
      "SELECT key, name, labels, value FROM series",
    );
    for (const r of rows) {
      byKey.set(r.key, {
        name: r.name,
        labels: JSON.parse(r.labels) as Record<string, string>,
        value: r.value,
      });
    }
    for (const c of this.waiting()) {
      const held = byKey.get(c.key);
      const value = c.set !== null ? c.set + c.add : (held?.value ?? 0) + c.add;
      byKey.set(c.key, { name: c.name, labels: c.labels, value });
    }
    return [...byKey.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, entry]) => entry);
  }

  /** Folds the waiting flushes into the stored values (inside the caller's transaction). */
  private fold(): void {
    for (const c of this.waiting()) {
      if (c.set === null && c.add === 0) continue;
      this.sql.exec(
        `INSERT INTO series (key, name, labels, value) VALUES (?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = ${
           c.set === null ? "value + excluded.value" : "excluded.value"
         }`,
        c.key,
        c.name,
        JSON.stringify(c.labels),
        (c.set ?? 0) + c.add,
      );
    }
    this.sql.exec("DELETE FROM series_pending");
    this.pendingRows = 0;
    this.pendingEntries = 0;
  }

  /** Flushes left waiting in `series_flushes`, this table's earlier layout (no `n` column), join
   * the waiting rows in their order, once, and that table goes. Call inside a transaction, so
   * they are neither lost nor counted twice. */
  private carryOverSeriesFlushes(): void {
    if (!hasTable(this.sql, "series_flushes")) return;
    this.sql.exec(
      `INSERT INTO series_pending (n, entries)
         SELECT json_array_length(entries), entries FROM series_flushes ORDER BY seq`,
    );
    this.sql.exec("DROP TABLE series_flushes");
  }

  /** The change each series needs from the waiting flushes, oldest first. Read from the table,
   * not gated on the counts: a rolled-back transaction can leave those behind the rows. */
  private waiting(): SeriesChange[] {
    return foldEntries(
      this.sql
        .exec<{ entries: string }>("SELECT entries FROM series_pending ORDER BY seq")
        .toArray()
        .map((r) => JSON.parse(r.entries) as MetricEntry[]),
    );
  }
}
