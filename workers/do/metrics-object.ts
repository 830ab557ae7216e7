// METRICS Durable Object: the global aggregate of the series that isolates flush in batches, and
// a small ring of sampled totals for the dashboard's charts, the request log (records that ride
// in the same flushes) and the INDEX objects' reports of their size (sent after each write). One
// instance ("global"); each flush is one synchronous transaction that stores it as a row or two
// (series-store.ts, request-log-store.ts), and only series declared in the registry are stored.
import { DurableObject } from "cloudflare:workers";
import type { MetricEntry } from "../../shared/metrics/batch.js";
import { isDeclaredSeries } from "../../shared/metrics/declared-series.js";
import type { RequestLogFilter, RequestRecord } from "../../shared/metrics/request-log.js";
import {
  MAX_SAMPLES,
  SAMPLE_INTERVAL_MS,
  sampleOf,
  type StatsSample,
} from "../../shared/metrics/stats-history.js";
import type { IndexReportRow } from "../../shared/tenancy/index-reports.js";
import { IndexReportStore, type IndexReportInput } from "./index-report-store.js";
import { RequestLogStore, type RequestLogRead } from "./request-log-store.js";
import { SeriesStore } from "./series-store.js";

export class MetricsObject extends DurableObject<Env> {
  private readonly series: SeriesStore;
  private readonly requestLog: RequestLogStore;
  private readonly indexReports: IndexReportStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS samples (t INTEGER PRIMARY KEY, totals TEXT NOT NULL)",
    );
    // In one transaction, like the request log below: waiting flushes carried over once.
    this.series = ctx.storage.transactionSync(() => new SeriesStore(ctx.storage.sql));
    // In one transaction: a log kept a row per record is carried over whole or not at all.
    this.requestLog = ctx.storage.transactionSync(() => new RequestLogStore(ctx.storage.sql));
    this.indexReports = new IndexReportStore(ctx.storage.sql);
  }

  /** Adds a batch of increments (and sets gauges); undeclared series are counted, not stored.
   * The request records of the same flush join the request log. */
  ingest(
    entries: MetricEntry[],
    requests: RequestRecord[] = [],
  ): { accepted: number; rejected: number } {
    const kept: MetricEntry[] = [];
    let rejected = 0;
    for (const e of entries) {
      if (!Number.isFinite(e.value) || !isDeclaredSeries(e.name, e.labels)) {
        rejected++;
        continue;
      }
      kept.push({ name: e.name, labels: e.labels, value: e.value, ...(e.op ? { op: e.op } : {}) });
    }
    const accepted = kept.length;
    if (rejected > 0)
      kept.push({ name: "ragway_metrics_rejected_total", labels: {}, value: rejected });
    this.ctx.storage.transactionSync(() => {
      this.series.add(kept);
      this.requestLog.add(requests, Date.now());
    });
    this.maybeSample();
    return { accepted, rejected };
  }

  /** Stores INDEX objects' reports of their size (each kept unless a newer one is held). */
  reportIndex(reports: IndexReportInput[]): void {
    this.ctx.storage.transactionSync(() => this.indexReports.add(reports, Date.now()));
  }

  /** Every series with its current value, and the INDEX objects' reports (what /metrics needs). */
  snapshot(): { series: MetricEntry[]; index: IndexReportRow[] } {
    const series = this.series.all();
    this.maybeSample(series);
    return { series, index: this.indexReports.all() };
  }

  /** Series, sampled history and the INDEX objects' reports in one round trip (/v1/stats). */
  read(): { series: MetricEntry[]; samples: StatsSample[]; index: IndexReportRow[] } {
    const series = this.series.all();
    this.maybeSample(series);
    return { series, samples: this.samples(), index: this.indexReports.all() };
  }

  /** The INDEX objects' reports alone (the namespace listing). */
  indexSizes(): IndexReportRow[] {
    return this.indexReports.all();
  }

  /** A page of the request log, newest first, with the routes and principals it holds. */
  requests(filter: RequestLogFilter): RequestLogRead {
    return this.requestLog.read(filter, Date.now());
  }

  /** The sampled totals, oldest first (at most MAX_SAMPLES). */
  samples(): StatsSample[] {
    return this.ctx.storage.sql
      .exec<{ totals: string }>("SELECT totals FROM samples ORDER BY t")
      .toArray()
      .map((r) => JSON.parse(r.totals) as StatsSample);
  }

  /** Records the current totals when the last sample is older than SAMPLE_INTERVAL_MS. Sampling
   * rides on flushes and reads, so an idle gateway costs nothing (no alarms). A read passes the
   * series it has just read, rather than have them read again. */
  private maybeSample(series?: MetricEntry[]): void {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    const last = sql.exec<{ t: number | null }>("SELECT MAX(t) AS t FROM samples").one().t;
    if (last !== null && now - last < SAMPLE_INTERVAL_MS) return;
    const sample = sampleOf(series ?? this.series.all(), now);
    sql.exec(
      "INSERT OR REPLACE INTO samples (t, totals) VALUES (?, ?)",
      now,
      JSON.stringify(sample),
    );
    sql.exec(
      "DELETE FROM samples WHERE t NOT IN (SELECT t FROM samples ORDER BY t DESC LIMIT ?)",
      MAX_SAMPLES,
    );
  }
}
