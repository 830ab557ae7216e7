// The METRICS object's series storage: a flush is stored as one row, reads fold the waiting rows
// in without writing, and the rows are folded into the stored values once enough wait. Reads stay
// exact (gauges included) while a flush writes a row or two however many series it touches
// (upserting each cost a busy isolate about 70-100 billed rows a second).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MetricsBatch, type MetricEntry } from "../../shared/metrics/batch.js";
import type { MetricsObject } from "../../workers/do/metrics-object.js";
import {
  MAX_PENDING_ENTRIES,
  MAX_PENDING_ROWS,
  SeriesStore,
} from "../../workers/do/series-store.js";
import { countRows } from "./sql-rows.js";

const stubOf = (name: string): DurableObjectStub<MetricsObject> =>
  env.METRICS.get(env.METRICS.idFromName(name));

const CHAT = { route: "/v1/chat/completions" };

/** What an isolate flushes after `n` chat completions: a counter and two histograms. */
function chatFlush(n: number): MetricEntry[] {
  const batch = new MetricsBatch();
  for (let i = 0; i < n; i++) {
    batch.inc("ragway_requests_total", { ...CHAT, status: "200" });
    batch.observe("ragway_request_duration_seconds", CHAT, 0.004 + i * 0.01);
    batch.observe("ragway_gateway_overhead_seconds", CHAT, 0.001);
  }
  return batch.drain();
}

const valueOf = (series: MetricEntry[], name: string, labels: Record<string, string>) =>
  series.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;

/** The number a query selects as `n` from the object's SQLite. */
const numberIn = (state: DurableObjectState, query: string): number =>
  state.storage.sql.exec<{ n: number }>(query).one().n;

describe("the METRICS object's series", () => {
  it("write a row or two per flush, however many series it touches", async () => {
    const stub = stubOf("series-rows");
    await stub.ingest(chatFlush(3));
    const flush = chatFlush(20);
    const rowsWritten = await runInDurableObject(stub, (instance, state) => {
      // A read first: it takes any sample due, so the flush below is measured alone.
      instance.snapshot();
      return countRows(state, () => instance.ingest(flush)).rowsWritten;
    });
    expect(flush.length).toBeGreaterThan(25);
    expect(rowsWritten).toBeLessThanOrEqual(2);
    const { series } = await stub.snapshot();
    expect(valueOf(series, "ragway_requests_total", { ...CHAT, status: "200" })).toBe(23);
    expect(valueOf(series, "ragway_gateway_overhead_seconds_count", CHAT)).toBe(23);
  });

  it("are read with every waiting flush, and a read writes nothing", async () => {
    const stub = stubOf("series-read");
    const read = await runInDurableObject(stub, (instance, state) => {
      instance.ingest(chatFlush(4));
      instance.ingest(chatFlush(6));
      const { result, rowsWritten: written } = countRows(state, () => instance.snapshot());
      const waiting = numberIn(state, "SELECT COUNT(*) AS n FROM series_pending");
      return { written, waiting, series: result.series };
    });
    expect(read.written).toBe(0);
    expect(read.waiting).toBeGreaterThan(0);
    expect(valueOf(read.series, "ragway_requests_total", { ...CHAT, status: "200" })).toBe(10);
    expect(valueOf(read.series, "ragway_request_duration_seconds_count", CHAT)).toBe(10);
  });

  it("read exactly what every flush added, a gauge as last set and increments after it", async () => {
    const stub = stubOf("series-exact");
    const gauge = { model: "gpt-4o-mini" };
    await stub.ingest([{ name: "ragway_circuit_state", labels: gauge, value: 2, op: "set" }]);
    expect(valueOf((await stub.snapshot()).series, "ragway_circuit_state", gauge)).toBe(2);
    await stub.ingest([
      ...chatFlush(2),
      { name: "ragway_circuit_state", labels: gauge, value: 1, op: "set" },
    ]);
    await stub.ingest([...chatFlush(5), { name: "ragway_circuit_state", labels: gauge, value: 0 }]);
    const { series } = await stub.read();
    expect(valueOf(series, "ragway_requests_total", { ...CHAT, status: "200" })).toBe(7);
    expect(valueOf(series, "ragway_request_duration_seconds_bucket", { ...CHAT, le: "+Inf" })).toBe(
      7,
    );
    expect(valueOf(series, "ragway_circuit_state", gauge)).toBe(1);
    // Undeclared series are refused and counted, as before.
    expect(await stub.ingest([{ name: "not_declared", labels: {}, value: 1 }])).toEqual({
      accepted: 0,
      rejected: 1,
    });
    const after = (await stub.snapshot()).series;
    expect(valueOf(after, "ragway_metrics_rejected_total", {})).toBe(1);
    expect(after.some((s) => s.name === "not_declared")).toBe(false);
  });

  it("store a flush of thousands of series in rows under the platform's row limit", async () => {
    const stub = stubOf("series-large");
    const flush = Array.from({ length: 2500 }, (_, i) => ({
      name: "ragway_requests_total",
      labels: { route: `/route-${"r".repeat(80)}-${i}`, status: "200" },
      value: i + 1,
    }));
    const rows = await runInDurableObject(stub, (instance, state) => {
      // A read first: it takes any sample due, which would fold the flush in at once.
      instance.snapshot();
      expect(instance.ingest(flush)).toEqual({ accepted: 2500, rejected: 0 });
      return state.storage.sql
        .exec<{ n: number; longest: number }>(
          "SELECT COUNT(*) AS n, MAX(LENGTH(entries)) AS longest FROM series_pending",
        )
        .one();
    });
    expect(rows.n).toBe(3);
    expect(rows.longest).toBeLessThan(1_000_000);
    const { series } = await stub.snapshot();
    const stored = series.filter((s) => s.name === "ragway_requests_total");
    expect(stored).toHaveLength(2500);
    expect(stored.reduce((sum, s) => sum + s.value, 0)).toBe((2500 * 2501) / 2);
  });

  it(`fold in without waiting for a read once ${MAX_PENDING_ROWS} flushes wait`, async () => {
    const stub = stubOf("series-pending");
    const pending = await runInDurableObject(stub, (instance, state) => {
      instance.snapshot();
      const one = [{ name: "ragway_requests_total", labels: { ...CHAT, status: "200" }, value: 1 }];
      for (let i = 0; i < MAX_PENDING_ROWS - 1; i++) instance.ingest(one);
      const before = numberIn(state, "SELECT COUNT(*) AS n FROM series_pending");
      instance.ingest(one);
      return {
        before,
        after: numberIn(state, "SELECT COUNT(*) AS n FROM series_pending"),
        value: numberIn(state, "SELECT value AS n FROM series"),
      };
    });
    expect(pending).toEqual({
      before: MAX_PENDING_ROWS - 1,
      after: 0,
      value: MAX_PENDING_ROWS,
    });
  });

  it(`fold in without waiting for a read once ${MAX_PENDING_ENTRIES} entries wait`, async () => {
    const stub = stubOf("series-pending-entries");
    const flushes = Math.ceil(MAX_PENDING_ENTRIES / 5000);
    const flush = Array.from({ length: 5000 }, (_, i) => ({
      name: "ragway_requests_total",
      labels: { route: `/route-${i}`, status: "200" },
      value: 1,
    }));
    const counts = await runInDurableObject(stub, (instance, state) => {
      instance.snapshot();
      for (let i = 0; i < flushes - 1; i++) instance.ingest(flush);
      const before = numberIn(state, "SELECT COUNT(*) AS n FROM series");
      instance.ingest(flush);
      return {
        before,
        after: numberIn(state, "SELECT COUNT(*) AS n FROM series"),
        waiting: numberIn(state, "SELECT COUNT(*) AS n FROM series_pending"),
        total: numberIn(state, "SELECT SUM(value) AS n FROM series"),
      };
    });
    expect(counts).toEqual({ before: 0, after: 5000, waiting: 0, total: flushes * 5000 });
  });

  it("carry over flushes left waiting in the earlier series_flushes table, once", async () => {
    const stub = stubOf("series-carried");
    const carried = await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec("CREATE TABLE series_flushes (seq INTEGER PRIMARY KEY, entries TEXT NOT NULL)");
      for (const n of [3, 4]) {
        sql.exec("INSERT INTO series_flushes (entries) VALUES (?)", JSON.stringify(chatFlush(n)));
      }
      state.storage.transactionSync(() => new SeriesStore(sql));
      const again = state.storage.transactionSync(() => new SeriesStore(sql));
      return {
        series: again.all(),
        waiting: numberIn(state, "SELECT COUNT(*) AS n FROM series_pending"),
        left: numberIn(
          state,
          "SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'series_flushes'",
        ),
      };
    });
    expect(carried.left).toBe(0);
    expect(carried.waiting).toBe(2);
    expect(valueOf(carried.series, "ragway_requests_total", { ...CHAT, status: "200" })).toBe(7);
    expect(valueOf(carried.series, "ragway_gateway_overhead_seconds_count", CHAT)).toBe(7);
  });
});
