// The request log's storage in the METRICS object: it keeps the newest REQUEST_LOG_MAX records of
// the last day across flushes of any size, pages them newest first without repeats, carries over a log
// kept a row per record, stores records whose text fields are all at their longest, and a flush
// writes a few rows rather than several per record (about four billed rows written per request).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  MAX_PENDING_RECORDS,
  REQUEST_LOG_MAX,
  parseCursor,
  requestRecordOf,
  type RequestLogFilter,
  type RequestRecord,
} from "../../shared/metrics/request-log.js";
import type { MetricsObject } from "../../workers/do/metrics-object.js";
import { RequestLogStore } from "../../workers/do/request-log-store.js";
import { countRows } from "./sql-rows.js";

const stubOf = (name: string): DurableObjectStub<MetricsObject> =>
  env.METRICS.get(env.METRICS.idFromName(name));

const DAY_MS = 24 * 60 * 60 * 1000;

/** `n` records numbered from `from`, finished at `t(i)`, alternating routes and statuses. */
function records(from: number, n: number, t: (i: number) => number): RequestRecord[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const record = requestRecordOf(
      `req_${i}`,
      t(i),
      {
        method: "POST",
        route: i % 2 === 0 ? "/v1/query" : "/v1/chat/completions",
        status: i % 10 === 0 ? 429 : 200,
        principal_id: `key_${i % 3}`,
        latency_ms: 5,
      },
      false,
    );
    if (!record) throw new Error("a logged route");
    return record;
  });
}

/** Every page of the log under `filter`, followed by its cursor, as record ids. */
async function readAll(
  stub: DurableObjectStub<MetricsObject>,
  filter: Omit<RequestLogFilter, "limit" | "before"> = {},
): Promise<string[]> {
  const ids: string[] = [];
  let before: RequestLogFilter["before"];
  for (let pages = 0; pages < 100; pages++) {
    const page = await stub.requests({ ...filter, limit: 170, ...(before ? { before } : {}) });
    ids.push(...page.data.map((r) => r.id));
    if (page.next_before === null) return ids;
    before = parseCursor(page.next_before) ?? undefined;
  }
  throw new Error("the log did not end");
}

describe("the request log's storage", () => {
  it("keeps the newest REQUEST_LOG_MAX records across flushes of any size, newest first, without repeats", async () => {
    const stub = stubOf("request-log-bounds");
    const now = Date.now();
    // 3.7 times the bound in flushes of 1 and 7 records and of 0.3 and 1.2 times the bound: the
    // last flush alone is over it.
    const part = (share: number): number => Math.round(share * REQUEST_LOG_MAX);
    let next = 0;
    for (const size of [1, 7, part(0.3), part(1.2), part(0.3), 7, 1, part(0.684), part(1.2)]) {
      await stub.ingest(
        [],
        records(next, size, (i) => now - 10_000 + i),
      );
      next += size;
    }
    const ids = await readAll(stub);
    expect(ids).toHaveLength(REQUEST_LOG_MAX);
    expect(new Set(ids).size).toBe(REQUEST_LOG_MAX);
    expect(ids[0]).toBe(`req_${next - 1}`);
    expect(ids.at(-1)).toBe(`req_${next - REQUEST_LOG_MAX}`);
  });

  it("orders records of interleaved flushes by time, and equal times by arrival", async () => {
    const stub = stubOf("request-log-order");
    const now = Date.now();
    // Two isolates' flushes: the second's records finished between the first's.
    await stub.ingest(
      [],
      records(0, 3, (i) => now - 100 + i * 10),
    );
    await stub.ingest(
      [],
      records(3, 3, (i) => now - 100 + (i - 3) * 10 + 5),
    );
    await stub.ingest(
      [],
      records(6, 1, () => now - 100 + 20),
    );
    expect(await readAll(stub)).toEqual([
      "req_5",
      "req_6",
      "req_2",
      "req_4",
      "req_1",
      "req_3",
      "req_0",
    ]);
  });

  it("filters and pages by status class, route and principal across flushes", async () => {
    const stub = stubOf("request-log-filters");
    const now = Date.now();
    await stub.ingest(
      [],
      records(0, 400, (i) => now - 1000 + i),
    );
    await stub.ingest(
      [],
      records(400, 400, (i) => now - 1000 + i),
    );
    const expected = (keep: (i: number) => boolean): string[] =>
      Array.from({ length: 800 }, (_, k) => 799 - k)
        .filter(keep)
        .map((i) => `req_${i}`);
    expect(await readAll(stub, { status: "4xx" })).toEqual(expected((i) => i % 10 === 0));
    expect(await readAll(stub, { status: "200" })).toEqual(expected((i) => i % 10 !== 0));
    expect(await readAll(stub, { route: "/v1/query", principal: "key_1" })).toEqual(
      expected((i) => i % 2 === 0 && i % 3 === 1),
    );
    const page = await stub.requests({ limit: 1 });
    expect(page.facets).toEqual({
      routes: ["/v1/chat/completions", "/v1/query"],
      principals: ["key_0", "key_1", "key_2"],
    });
  });

  it("leaves out records older than a day, and drops flushes that hold nothing newer", async () => {
    const stub = stubOf("request-log-age");
    const now = Date.now();
    await stub.ingest(
      [],
      records(0, 5, () => now - DAY_MS - 60_000),
    );
    // A flush that straddles the bound keeps its fresh records only.
    await stub.ingest(
      [],
      [...records(5, 2, () => now - DAY_MS - 1000), ...records(7, 2, () => now)],
    );
    expect(await readAll(stub)).toEqual(["req_8", "req_7"]);
    const flushes = await runInDurableObject(
      stub,
      (_instance, state) =>
        state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM request_flushes").one().n,
    );
    expect(flushes).toBe(1);
  });

  it("writes a few rows per flush, however many records it carries", async () => {
    const stub = stubOf("request-log-rows");
    const now = Date.now();
    // The log full: flushes of 500 records (one ingest call each, inside the object).
    const full = REQUEST_LOG_MAX / 500;
    await runInDurableObject(stub, (instance) => {
      for (let f = 0; f < full; f++) {
        instance.ingest(
          [],
          records(f * 500, 500, (i) => now - 100_000 + i),
        );
      }
    });
    let next = full * 500;
    const { rowsWritten } = await runInDurableObject(stub, (instance, state) =>
      countRows(state, () =>
        instance.ingest(
          [],
          records(next, 500, (i) => now - 100_000 + i),
        ),
      ),
    );
    next += 500;
    // 3 rows in and the 3 oldest rows out: a row per record wrote 2,000 (an insert, a delete
    // and their index entries per record).
    expect(rowsWritten).toBeLessThanOrEqual(6);
    expect(await readAll(stub)).toHaveLength(REQUEST_LOG_MAX);
    // A quiet isolate's flush of one record, the log full of such flushes: one row in, one out.
    await runInDurableObject(stub, (instance) => {
      for (let i = 0; i < REQUEST_LOG_MAX; i++) {
        instance.ingest(
          [],
          records(next + i, 1, () => now),
        );
      }
    });
    next += REQUEST_LOG_MAX;
    const quiet = await runInDurableObject(stub, (instance, state) =>
      countRows(state, () =>
        instance.ingest(
          [],
          records(next, 1, () => now),
        ),
      ),
    );
    expect(quiet.rowsWritten).toBeLessThanOrEqual(2);
    expect(await readAll(stub)).toHaveLength(REQUEST_LOG_MAX);
  });

  it("stores the largest flush an isolate sends, every text field at its longest", async () => {
    const stub = stubOf("request-log-long");
    const now = Date.now();
    const long = "x".repeat(100_000);
    const flush = Array.from({ length: MAX_PENDING_RECORDS }, (_, i) =>
      requestRecordOf(
        `req_${i}`,
        now - 1000 + i,
        {
          method: long,
          route: "/v1/chat/completions",
          status: 502,
          principal_id: long,
          model: long,
          cache: long,
          model_reason: long,
          error: long,
          key_id: long,
          query: long,
        },
        true,
      ),
    ).filter((r): r is RequestRecord => r !== null);
    expect(await stub.ingest([], flush)).toEqual({ accepted: 0, rejected: 0 });
    const page = await stub.requests({ limit: 1 });
    expect(page.data[0]?.id).toBe(`req_${MAX_PENDING_RECORDS - 1}`);
    expect(JSON.stringify(page.data[0]).length).toBeLessThan(4000);
    // Production's SQLite refuses a row over 2 MB (the local one does not): 1,000 of these
    // records in one row would be over it.
    const longestRow = await runInDurableObject(
      stub,
      (_instance, state) =>
        state.storage.sql
          .exec<{ n: number }>("SELECT MAX(LENGTH(records)) AS n FROM request_flushes")
          .one().n,
    );
    expect(longestRow).toBeLessThan(1_000_000);
  });

  it("carries over a log kept a row per record, once", async () => {
    const stub = stubOf("request-log-carried");
    const now = Date.now();
    const ids = await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE request_flushes");
      sql.exec(
        `CREATE TABLE requests (
           seq INTEGER PRIMARY KEY AUTOINCREMENT, t INTEGER NOT NULL, route TEXT NOT NULL,
           status INTEGER NOT NULL, principal_id TEXT, record TEXT NOT NULL
         )`,
      );
      for (const r of records(0, 4, (i) => now - 100 + i)) {
        sql.exec(
          "INSERT INTO requests (t, route, status, principal_id, record) VALUES (?, ?, ?, ?, ?)",
          r.t,
          r.route,
          r.status,
          r.principal_id,
          JSON.stringify(r),
        );
      }
      new RequestLogStore(sql);
      const again = new RequestLogStore(sql);
      const tables = sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name = 'requests'")
        .toArray();
      expect(tables).toEqual([]);
      return again.read({ limit: 10 }, now).data.map((r) => r.id);
    });
    expect(ids).toEqual(["req_3", "req_2", "req_1", "req_0"]);
  });
});
