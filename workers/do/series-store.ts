// The METRICS object's series in its SQLite: the running value of every declared series. A flush
// is stored as one row as it arrives and folded into the series at the next compaction: before
// any read of the series, and once MAX_PENDING_FLUSHES are waiting. Upserting every series of
// every flush cost each isolate's flush about 70-100 rows written (one per series touched; a
// histogram touches every bucket at or above the value), which SQLite storage bills, once a
// second per busy isolate. Now a flush writes one row (a row per 1,000 entries), deleted again at
// compaction, and a compaction writes each series it changes once, however many flushes changed it.
import type { MetricEntry } from "../../shared/metrics/batch.js";
import { foldEntries, type SeriesChange } from "../../shared/metrics/fold-entries.js";

/** Stored flushes (rows) held before they are folded in without waiting for a read. */
export const MAX_PENDING_FLUSHES = 200;

/** Entries stored in one row at most: a declared series is a few hundred bytes at worst, so a
 * row stays well under SQLite storage's 2 MB limit on a row (a flush holds up to 5,000). */
const ENTRIES_PER_ROW = 1000;

/** Rows folded at a time: at most a few tens of MB of entries in memory at once. */
const COMPACT_ROWS = 50;

/** Reads and writes the `series` and `series_flushes` tables of one SQLite database. */
export class SeriesStore {
  private pending: number;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(
      `CREATE TABLE IF NOT EXISTS series (
         key TEXT PRIMARY KEY, name TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL
       );
       CREATE TABLE IF NOT EXISTS series_flushes (seq INTEGER PRIMARY KEY, entries TEXT NOT NULL);`,
    );
    this.pending = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM series_flushes").one().n;
  }

  /** Stores a flush's entries, a row per ENTRIES_PER_ROW (call inside a transaction). */
  add(entries: readonly MetricEntry[]): void {
    for (let i = 0; i < entries.length; i += ENTRIES_PER_ROW) {
      const part = entries.slice(i, i + ENTRIES_PER_ROW);
      this.sql.exec("INSERT INTO series_flushes (entries) VALUES (?)", JSON.stringify(part));
      this.pending++;
    }
    if (this.pending >= MAX_PENDING_FLUSHES) this.compact();
  }

  /** Folds the waiting flushes into the series, COMPACT_ROWS at a time so memory stays bounded
   * (call inside a transaction). */
  compact(): void {
    if (this.pending === 0) return;
    for (;;) {
      const rows = this.sql
        .exec<{ seq: number; entries: string }>(
          "SELECT seq, entries FROM series_flushes ORDER BY seq LIMIT ?",
          COMPACT_ROWS,
        )
        .toArray();
      const last = rows[rows.length - 1];
      if (last) {
        this.write(foldEntries(rows.map((r) => JSON.parse(r.entries) as MetricEntry[])));
        this.sql.exec("DELETE FROM series_flushes WHERE seq <= ?", last.seq);
      }
      if (rows.length < COMPACT_ROWS) break;
    }
    this.pending = 0;
  }

  private write(changes: readonly SeriesChange[]): void {
    for (const c of changes) {
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
  }

  /** Every series with its value, by key (the caller compacts first). */
  all(): MetricEntry[] {
    return this.sql
      .exec<{ name: string; labels: string; value: number }>(
        "SELECT name, labels, value FROM series ORDER BY key",
      )
      .toArray()
      .map((r) => ({
        name: r.name,
        labels: JSON.parse(r.labels) as Record<string, string>,
        value: r.value,
      }));
  }
}
