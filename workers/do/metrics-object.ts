// METRICS Durable Object: the global aggregate of counters that isolates flush in batches.
// One instance ("global"); each flush is one synchronous transaction of upserts.
import { DurableObject } from "cloudflare:workers";
import type { MetricEntry } from "../../shared/metrics/batch.js";
import { seriesKey } from "../../shared/metrics/batch.js";

export class MetricsObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS series (
         key TEXT PRIMARY KEY, name TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL
       )`,
    );
  }

  /** Adds a batch of increments. */
  ingest(entries: MetricEntry[]): void {
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      for (const e of entries) {
        if (!Number.isFinite(e.value)) continue;
        sql.exec(
          `INSERT INTO series (key, name, labels, value) VALUES (?, ?, ?, ?)
           ON CONFLICT(key) DO UPDATE SET value = value + excluded.value`,
          seriesKey(e.name, e.labels),
          e.name,
          JSON.stringify(e.labels),
          e.value,
        );
      }
    });
  }

  /** Every series with its current value. */
  snapshot(): MetricEntry[] {
    return this.ctx.storage.sql
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
