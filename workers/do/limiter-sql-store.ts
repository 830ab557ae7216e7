// The LIMITER object's SQLite tables behind the limiter's synchronous store port. Budgets are kept
// as REAL USD (as configured), spend as INTEGER nano-USD so sums of tiny prices stay exact.
import type {
  LimiterState,
  LimiterStore,
  PeriodRow,
  PrincipalRecord,
  ReservationRow,
} from "../../shared/ratelimit/limiter-types.js";
import { SCOPES, type Grants, type Scope } from "../../shared/tenancy/grants.js";
import type { LogEntry } from "../../shared/ratelimit/sliding-log.js";
import type { BucketState } from "../../shared/ratelimit/token-bucket.js";

const SCHEMA = [
  // The foundation's placeholder counted per-minute buckets here; the sliding log replaces it.
  "DROP TABLE IF EXISTS requests",
  `CREATE TABLE IF NOT EXISTS principal (
     singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
     id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, key_hash TEXT,
     status TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER,
     rpm INTEGER NOT NULL, tpm INTEGER NOT NULL,
     daily_budget_usd REAL NOT NULL, monthly_budget_usd REAL NOT NULL)`,
  // Grants sit in their own row so objects created before them need no migration: no row means
  // a key from before scopes existed (see shared/tenancy/grants).
  `CREATE TABLE IF NOT EXISTS principal_grants (
     singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
     namespaces TEXT NOT NULL, scopes TEXT NOT NULL)`,
  "CREATE TABLE IF NOT EXISTS request_log (at INTEGER PRIMARY KEY, count INTEGER NOT NULL)",
  `CREATE TABLE IF NOT EXISTS token_bucket (
     singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
     level REAL NOT NULL, updated_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS spend_period (
     period TEXT PRIMARY KEY, spent_nano INTEGER NOT NULL, reserved_nano INTEGER NOT NULL,
     tokens INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS reservation (
     id TEXT PRIMARY KEY, tokens INTEGER NOT NULL, usd_nano INTEGER NOT NULL, day TEXT NOT NULL,
     month TEXT NOT NULL, created_at INTEGER NOT NULL, expired INTEGER NOT NULL)`,
];

type PrincipalRow = {
  id: string;
  kind: string;
  name: string;
  key_hash: string | null;
  status: string;
  created_at: number;
  revoked_at: number | null;
  rpm: number;
  tpm: number;
  daily_budget_usd: number;
  monthly_budget_usd: number;
};

/**
 * A LimiterStore over one Durable Object's SQLite storage. The tables are created by the first
 * write, not by the constructor: a request with a well-formed but unknown key reaches an object
 * that has no principal, reads nothing and must leave no storage behind.
 */
export class SqlLimiterStore implements LimiterStore {
  private created: boolean;

  constructor(private readonly sql: SqlStorage) {
    this.created =
      sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'principal'").toArray()
        .length > 0;
    // An existing object still gets any table added since it was created.
    if (this.created) this.createTables();
  }

  private createTables(): void {
    for (const statement of SCHEMA) this.sql.exec(statement);
    this.created = true;
  }

  /** Runs a write, creating the tables first if this is the object's first. */
  private write(statement: string, ...bindings: unknown[]): void {
    if (!this.created) this.createTables();
    this.sql.exec(statement, ...bindings);
  }

  load(): LimiterState {
    if (!this.created) {
      return { principal: null, log: [], bucket: null, periods: [], reservations: [] };
    }
    const p = this.sql.exec<PrincipalRow>("SELECT * FROM principal").toArray()[0];
    const bucket = this.sql
      .exec<{ level: number; updated_at: number }>("SELECT level, updated_at FROM token_bucket")
      .toArray()[0];
    const grants = this.sql
      .exec<{ namespaces: string; scopes: string }>(
        "SELECT namespaces, scopes FROM principal_grants",
      )
      .toArray()[0];
    return {
      principal: p ? { ...toRecord(p), grants: grants ? toGrants(grants) : null } : null,
      log: this.sql
        .exec<{ at: number; count: number }>("SELECT at, count FROM request_log ORDER BY at")
        .toArray()
        .map((r) => ({ at: r.at, count: r.count })),
      bucket: bucket ? { level: bucket.level, updatedAt: bucket.updated_at } : null,
      periods: this.sql
        .exec<{ period: string; spent_nano: number; reserved_nano: number; tokens: number }>(
          "SELECT period, spent_nano, reserved_nano, tokens FROM spend_period",
        )
        .toArray()
        .map((r) => ({
          key: r.period,
          spentNano: r.spent_nano,
          reservedNano: r.reserved_nano,
          tokens: r.tokens,
        })),
      reservations: this.sql
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
        })),
    };
  }

  savePrincipal(p: PrincipalRecord): void {
    this.write(
      `INSERT OR REPLACE INTO principal (singleton, id, kind, name, key_hash, status, created_at,
         revoked_at, rpm, tpm, daily_budget_usd, monthly_budget_usd)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      p.id,
      p.kind,
      p.name,
      p.keyHash,
      p.status,
      p.createdAt,
      p.revokedAt,
      p.limits.rpm,
      p.limits.tpm,
      p.limits.dailyBudgetUsd,
      p.limits.monthlyBudgetUsd,
    );
    if (p.grants) {
      this.write(
        "INSERT OR REPLACE INTO principal_grants (singleton, namespaces, scopes) VALUES (1, ?, ?)",
        JSON.stringify(p.grants.namespaces),
        JSON.stringify(p.grants.scopes),
      );
    }
  }

  putLogEntry(entry: LogEntry): void {
    if (entry.count > 0) {
      this.write(
        "INSERT OR REPLACE INTO request_log (at, count) VALUES (?, ?)",
        entry.at,
        entry.count,
      );
    } else {
      this.write("DELETE FROM request_log WHERE at = ?", entry.at);
    }
  }

  deleteLogThrough(at: number): void {
    this.write("DELETE FROM request_log WHERE at <= ?", at);
  }

  saveBucket(bucket: BucketState): void {
    this.write(
      "INSERT OR REPLACE INTO token_bucket (singleton, level, updated_at) VALUES (1, ?, ?)",
      bucket.level,
      bucket.updatedAt,
    );
  }

  savePeriod(p: PeriodRow): void {
    this.write(
      `INSERT OR REPLACE INTO spend_period (period, spent_nano, reserved_nano, tokens)
       VALUES (?, ?, ?, ?)`,
      p.key,
      p.spentNano,
      p.reservedNano,
      p.tokens,
    );
  }

  deletePeriod(key: string): void {
    this.write("DELETE FROM spend_period WHERE period = ?", key);
  }

  saveReservation(r: ReservationRow): void {
    this.write(
      `INSERT OR REPLACE INTO reservation (id, tokens, usd_nano, day, month, created_at, expired)
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

  deleteReservation(id: string): void {
    this.write("DELETE FROM reservation WHERE id = ?", id);
  }
}

function toRecord(p: PrincipalRow): PrincipalRecord {
  return {
    id: p.id,
    kind: p.kind === "key" ? "key" : "anonymous",
    name: p.name,
    keyHash: p.key_hash,
    status: p.status === "revoked" ? "revoked" : "active",
    createdAt: p.created_at,
    revokedAt: p.revoked_at,
    limits: {
      rpm: p.rpm,
      tpm: p.tpm,
      dailyBudgetUsd: p.daily_budget_usd,
      monthlyBudgetUsd: p.monthly_budget_usd,
    },
  };
}

/** Grants as stored; anything unreadable is dropped rather than widened. */
function toGrants(row: { namespaces: string; scopes: string }): Grants {
  const strings = (text: string): string[] => {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
  };
  const known = new Set<string>(SCOPES);
  return {
    namespaces: strings(row.namespaces),
    scopes: strings(row.scopes).filter((s): s is Scope => known.has(s)),
  };
}
