// The LIMITER object's decision state as objects written before `limiter_state` kept it: a row
// per log entry, token bucket, spend period and reservation. Read once, when such an object first
// loads; its next write moves the state to the one row and drops these tables.
import type { DecisionState } from "./limiter-state-row.js";
import { existingTables } from "./sql-tables.js";

/** The tables that held the decision state a row each. */
const ROW_PER_ITEM_TABLES = ["request_log", "token_bucket", "spend_period", "reservation"];

/** Which of those tables the database still has. */
export function rowPerItemTables(sql: SqlStorage): string[] {
  return existingTables(sql, ROW_PER_ITEM_TABLES);
}

/** The decision state from `tables` (any of the four; a missing one holds nothing). */
export function readRowPerItemTables(sql: SqlStorage, tables: readonly string[]): DecisionState {
  const has = (table: string): boolean => tables.includes(table);
  const bucket = has("token_bucket")
    ? sql
        .exec<{ level: number; updated_at: number }>("SELECT level, updated_at FROM token_bucket")
        .toArray()[0]
    : undefined;
  return {
    log: has("request_log")
      ? sql
          .exec<{ at: number; count: number }>("SELECT at, count FROM request_log ORDER BY at")
          .toArray()
          .map((r) => ({ at: r.at, count: r.count }))
      : [],
    bucket: bucket ? { level: bucket.level, updatedAt: bucket.updated_at } : null,
    periods: has("spend_period")
      ? sql
          .exec<{ period: string; spent_nano: number; reserved_nano: number; tokens: number }>(
            "SELECT period, spent_nano, reserved_nano, tokens FROM spend_period",
          )
          .toArray()
          .map((r) => ({
            key: r.period,
            spentNano: r.spent_nano,
            reservedNano: r.reserved_nano,
            tokens: r.tokens,
          }))
      : [],
    reservations: has("reservation")
      ? sql
          .exec<{
            id: string;
            tokens: number;
            usd_nano: number;
            day: string;
            month: string;
            created_at: number;
            expired: number;
          }>("SELECT * FROM reservation")
          .toArray()
          .map((r) => ({
            id: r.id,
            tokens: r.tokens,
            usdNano: r.usd_nano,
            day: r.day,
            month: r.month,
            createdAt: r.created_at,
            expired: r.expired === 1,
          }))
      : [],
  };
}
