// The LIMITER object's storage: what a decision changes (request log, token bucket, spend periods,
// open reservations) is written as one row at the end of the decision, so a key without a lease
// costs a row or two per call rather than about ten rows per chat (a row per item, each billed);
// an object written a row per item is read as it was and moves to the one row at its next write.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SqlLimiterStore } from "../../workers/do/limiter-sql-store.js";
import { call } from "./helpers.js";
import { bearer, createKey } from "./limits-helpers.js";

const stubOf = (id: string) => env.LIMITER.get(env.LIMITER.idFromName(id));

async function chat(key: string, n: number): Promise<void> {
  const res = await call("POST", "/v1/chat/completions", {
    body: { model: "auto", messages: [{ role: "user", content: `hello number ${n}` }] },
    headers: bearer(key),
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the LIMITER object's storage", () => {
  it("writes a row or two per call for a key without a lease", async () => {
    const key = await createKey({ name: "rows-per-call", rpm: 60 });
    const stub = stubOf(key.id);
    const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
    let restore = (): void => undefined;
    // Every statement the object runs from here on, whichever request it serves.
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      const exec = sql.exec.bind(sql);
      sql.exec = ((query: string, ...bindings: unknown[]) => {
        const cursor = exec(query, ...bindings);
        cursors.push(cursor);
        return cursor;
      }) as typeof sql.exec;
      restore = () => {
        sql.exec = exec;
      };
    });
    try {
      // Under three requests a second: no lease, so each chat calls the object itself.
      for (let i = 0; i < 4; i++) {
        await chat(key.key, i);
        await sleep(400);
      }
    } finally {
      await runInDurableObject(stub, () => restore());
    }
    const writes = cursors.filter((c) => c.rowsWritten > 0).length;
    const rowsWritten = cursors.reduce((n, c) => n + c.rowsWritten, 0);
    // At least admission and settlement per chat, each a row (a row per item wrote about 40).
    expect(writes).toBeGreaterThanOrEqual(4);
    expect(rowsWritten).toBeLessThanOrEqual(2 * writes);
    expect(rowsWritten).toBeLessThanOrEqual(12);
  });

  it("reads an object kept a row per item as it was, and moves it to one row at its next write", async () => {
    const key = await createKey({ name: "row-per-item", rpm: 60, daily_budget_usd: 3 });
    await chat(key.key, 0);
    await chat(key.key, 1);
    await sleep(100);
    await runInDurableObject(stubOf(key.id), (_instance, state) => {
      const sql = state.storage.sql;
      const saved = new SqlLimiterStore(sql).load();
      expect(saved.log.length).toBeGreaterThan(0);
      expect(saved.periods.length).toBeGreaterThan(0);
      // The same state as the row-per-item layout kept it.
      sql.exec("DELETE FROM limiter_state");
      sql.exec("CREATE TABLE request_log (at INTEGER PRIMARY KEY, count INTEGER NOT NULL)");
      sql.exec(`CREATE TABLE token_bucket (
         singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
         level REAL NOT NULL, updated_at INTEGER NOT NULL)`);
      sql.exec(`CREATE TABLE spend_period (
         period TEXT PRIMARY KEY, spent_nano INTEGER NOT NULL, reserved_nano INTEGER NOT NULL,
         tokens INTEGER NOT NULL)`);
      sql.exec(`CREATE TABLE reservation (
         id TEXT PRIMARY KEY, tokens INTEGER NOT NULL, usd_nano INTEGER NOT NULL, day TEXT NOT NULL,
         month TEXT NOT NULL, created_at INTEGER NOT NULL, expired INTEGER NOT NULL)`);
      for (const e of saved.log) {
        sql.exec("INSERT INTO request_log (at, count) VALUES (?, ?)", e.at, e.count);
      }
      if (saved.bucket) {
        sql.exec(
          "INSERT INTO token_bucket (singleton, level, updated_at) VALUES (1, ?, ?)",
          saved.bucket.level,
          saved.bucket.updatedAt,
        );
      }
      for (const p of saved.periods) {
        sql.exec(
          "INSERT INTO spend_period (period, spent_nano, reserved_nano, tokens) VALUES (?, ?, ?, ?)",
          p.key,
          p.spentNano,
          p.reservedNano,
          p.tokens,
        );
      }
      const held = { id: "r-open", tokens: 40, usdNano: 7, day: "d", month: "m", createdAt: 5 };
      for (const r of [...saved.reservations, { ...held, expired: false }]) {
        sql.exec(
          `INSERT INTO reservation (id, tokens, usd_nano, day, month, created_at, expired)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          r.id,
          r.tokens,
          r.usdNano,
          r.day,
          r.month,
          r.createdAt,
          r.expired ? 1 : 0,
        );
      }

      const store = new SqlLimiterStore(sql);
      const read = store.load();
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      expect({ ...read, reservations: read.reservations.sort(byId) }).toEqual({
        ...saved,
        reservations: [...saved.reservations, { ...held, expired: false }].sort(byId),
      });

      store.deleteReservation("r-open");
      store.commit();
      const tables = sql
        .exec<{ name: string }>(
          `SELECT name FROM sqlite_master WHERE type = 'table'
           AND name IN ('request_log', 'token_bucket', 'spend_period', 'reservation')`,
        )
        .toArray();
      expect(tables).toEqual([]);
      expect(new SqlLimiterStore(sql).load()).toEqual(saved);
    });
  });
});
