import { describe, expect, it } from "vitest";
import type { MetricEntry } from "../../../shared/metrics/batch.js";
import { createMetricsFlusher } from "../../../shared/metrics/flusher.js";
import {
  MAX_PENDING_RECORDS,
  parseCursor,
  requestLogPage,
  requestRecordOf,
  type RequestRecord,
} from "../../../shared/metrics/request-log.js";

const line = {
  method: "POST",
  route: "/v1/query",
  status: 200,
  principal_id: "key_0123456789abcdef01234567",
  latency_ms: 42,
  model: "local-extractive",
  cache: "MISS",
  tokens: 812,
  cost_usd: 0,
  degraded: false,
  attempts: [{ model: "x" }],
  query: "what is the refund policy?",
};

describe("requestRecordOf", () => {
  it("keeps the log line's bounded fields and leaves the question out unless LOG_QUERIES", () => {
    const r = requestRecordOf("req_1", 1000, line, false);
    expect(r).toEqual({
      id: "req_1",
      t: 1000,
      method: "POST",
      route: "/v1/query",
      status: 200,
      principal_id: "key_0123456789abcdef01234567",
      model: "local-extractive",
      cache: "MISS",
      tokens: 812,
      cost_usd: 0,
      latency_ms: 42,
      overhead_ms: null,
      // Non-scalar fields (attempts) stay out of the record.
      detail: { degraded: false },
    });
    expect(JSON.stringify(r)).not.toContain("refund");
  });

  it("records the question with LOG_QUERIES, and overhead_ms when the request measured it", () => {
    const r = requestRecordOf("req_2", 1000, { ...line, overhead_ms: 3.5 }, true);
    expect(r?.query).toBe("what is the refund policy?");
    expect(r?.overhead_ms).toBe(3.5);
  });

  it("leaves out the console's polling and uptime probes", () => {
    for (const route of ["/v1/stats", "/metrics", "/health", "/admin/requests"]) {
      expect(requestRecordOf("req_3", 1, { ...line, route }, false)).toBeNull();
    }
  });
});

describe("parseCursor", () => {
  it("reads next_before cursors and ISO times, and refuses anything else", () => {
    expect(parseCursor("1700000000000_42")).toEqual({ t: 1700000000000, seq: 42 });
    expect(parseCursor("2026-12-06T00:00:00Z")).toEqual({ t: Date.UTC(2026, 11, 6), seq: 0 });
    expect(parseCursor("yesterday")).toBeNull();
    expect(parseCursor("12")).toBeNull();
  });
});

describe("request records in the metrics flush", () => {
  it("leave with the series in the same sink call, bounded while they wait", async () => {
    const sent: Array<{ entries: MetricEntry[]; requests: RequestRecord[] }> = [];
    const flusher = createMetricsFlusher({
      intervalMs: 1000,
      maxSeries: 100,
      sleep: () => Promise.resolve(),
      onError: () => undefined,
    });
    const record = (i: number): RequestRecord => {
      const r = requestRecordOf(`req_${i}`, i, line, false);
      if (!r) throw new Error("expected a record");
      return r;
    };
    flusher.metrics.inc("ragway_requests_total", { route: "/v1/query", status: "200" });
    for (let i = 0; i < MAX_PENDING_RECORDS + 5; i++) flusher.record(record(i));
    await flusher.flushNow(async (entries, requests) => {
      sent.push({ entries, requests });
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.entries).toHaveLength(1);
    expect(sent[0]?.requests).toHaveLength(MAX_PENDING_RECORDS);
    expect(sent[0]?.requests[0]?.id).toBe("req_5"); // the oldest went first

    // Records alone are worth a flush.
    const background: Array<Promise<unknown>> = [];
    flusher.record(record(9999));
    flusher.schedule({ waitUntil: (p) => background.push(p) }, async (entries, requests) => {
      sent.push({ entries, requests });
    });
    await Promise.all(background);
    expect(sent[1]?.requests.map((r) => r.id)).toEqual(["req_9999"]);
  });
});

describe("requestLogPage", () => {
  const at = (id: string, t: number, seq: number, status = 200) => ({
    record: { ...(requestRecordOf(id, t, { route: "/v1/query", status }, false) as RequestRecord) },
    seq,
  });
  const logged = [at("a", 10, 1), at("b", 20, 2, 429), at("c", 20, 3), at("d", 5, 4)];

  it("pages newest first, equal times by arrival, and ends without a cursor on the last record", () => {
    const first = requestLogPage(logged, { limit: 2 });
    expect(first.data.map((r) => r.id)).toEqual(["c", "b"]);
    expect(first.next_before).toBe("20_2");
    const rest = requestLogPage(logged, { limit: 2, before: parseCursor("20_2") ?? undefined });
    expect(rest.data.map((r) => r.id)).toEqual(["a", "d"]);
    expect(rest.next_before).toBeNull();
  });

  it("matches a status class or an exact status", () => {
    expect(requestLogPage(logged, { limit: 9, status: "4xx" }).data.map((r) => r.id)).toEqual([
      "b",
    ]);
    expect(requestLogPage(logged, { limit: 9, status: "200" }).data).toHaveLength(3);
  });
});
