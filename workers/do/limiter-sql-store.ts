// The LIMITER object's SQLite tables behind the limiter's synchronous store port. Budgets are kept
// as REAL USD (as configured), spend as integer nano-USD so sums of tiny prices stay exact.
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
import { readRowPerItemTables, rowPerItemTables } from "./limiter-row-per-item.js";
import type { DecisionState } from "./limiter-state-row.js";
import { hasTable } from "./sql-tables.js";

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
  // What every decision changes (the request log, the token bucket, the spend periods and the
  // open reservations), as one JSON row: one row written per decision.
  `CREATE TABLE IF NOT EXISTS limiter_state (
     singleton INTEGER PRIMARY KEY CHECK (singleton = 1), state TEXT NOT NULL)`,
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
 * A LimiterStore over one Durable Object's SQLite storage. The principal and its grants are rows
 * of their own (written when a key is created, changed or revoked). Everything a decision changes
 * is kept here as it is saved and written as one row by {@link commit}, which the object calls at
 * the end of each decision's transaction: a row per log entry, bucket, period and reservation cost
 * a request without a lease about ten rows written (its reservation and settlement), which SQLite
 * storage bills and the free plan caps per day; now two.
 *
 * The tables are created by the first write, not by the constructor: a request with a
 * well-formed but unknown key reaches an object that has no principal, reads nothing and must
 * leave no storage behind.
 */
export class SqlLimiterStore implements LimiterStore {
  private created: boolean;
  private readonly log = new Map<number, number>();
  private bucket: BucketState | null = null;
  private readonly periods = new Map<string, PeriodRow>();
  private readonly reservations = new Map<string, ReservationRow>();
  /** The decision state changed since it was last written. */
  private dirty = false;
  /** Tables of the row-per-item layout still to drop once the state is written as one row. */
  private legacyTables: string[] = [];

  constructor(private readonly sql: SqlStorage) {
    this.created = hasTable(sql, "principal");
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
    const grants = this.sql
      .exec<{ namespaces: string; scopes: string }>(
        "SELECT namespaces, scopes FROM principal_grants",
      )
      .toArray()[0];
    const state = this.readDecisionState();
    // Copies: the limiter changes its own objects and saves them when it means to.
    this.log.clear();
    for (const e of state.log) this.log.set(e.at, e.count);
    this.bucket = state.bucket && { ...state.bucket };
    this.periods.clear();
    for (const row of state.periods) this.periods.set(row.key, { ...row });
    this.reservations.clear();
    for (const r of state.reservations) this.reservations.set(r.id, { ...r });
    this.dirty = this.legacyTables.length > 0;
    return {
      principal: p ? { ...toRecord(p), grants: grants ? toGrants(grants) : null } : null,
      ...state,
      log: [...state.log].sort((a, b) => a.at - b.at),
    };
  }

  /** The `limiter_state` row, or the row-per-item tables of an object written before it. The
   * row and those tables never both exist: the write of the row drops them. */
  private readDecisionState(): DecisionState {
    const row = this.sql.exec<{ state: string }>("SELECT state FROM limiter_state").toArray()[0];
    if (row) {
      this.legacyTables = [];
      return JSON.parse(row.state) as DecisionState;
    }
    this.legacyTables = rowPerItemTables(this.sql);
    return readRowPerItemTables(this.sql, this.legacyTables);
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
    if (entry.count > 0) this.log.set(entry.at, entry.count);
    else this.log.delete(entry.at);
    this.dirty = true;
  }

  deleteLogThrough(at: number): void {
    for (const t of this.log.keys()) if (t <= at) this.log.delete(t);
    this.dirty = true;
  }

  saveBucket(bucket: BucketState): void {
    this.bucket = { level: bucket.level, updatedAt: bucket.updatedAt };
    this.dirty = true;
  }

  savePeriod(p: PeriodRow): void {
    this.periods.set(p.key, { ...p });
    this.dirty = true;
  }

  deletePeriod(key: string): void {
    this.periods.delete(key);
    this.dirty = true;
  }

  saveReservation(r: ReservationRow): void {
    this.reservations.set(r.id, { ...r });
    this.dirty = true;
  }

  deleteReservation(id: string): void {
    this.reservations.delete(id);
    this.dirty = true;
  }

  /** Writes the decision state as one row if it changed (call at the end of the transaction that
   * changed it). The first write of an object kept a row per item drops those tables. */
  commit(): void {
    if (!this.dirty) return;
    const state: DecisionState = {
      log: [...this.log].map(([at, count]) => ({ at, count })),
      bucket: this.bucket,
      periods: [...this.periods.values()],
      reservations: [...this.reservations.values()],
    };
    this.write(
      "INSERT OR REPLACE INTO limiter_state (singleton, state) VALUES (1, ?)",
      JSON.stringify(state),
    );
    for (const table of this.legacyTables) this.sql.exec(`DROP TABLE IF EXISTS ${table}`);
    this.legacyTables = [];
    this.dirty = false;
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
