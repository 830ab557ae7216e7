// The limiter's plain-data shapes: what it persists, the synchronous store port it persists
// through, and what its operations take and return (they cross the Durable Object RPC boundary).
import type { Spend } from "../util/spend.js";
import type { Grants } from "../tenancy/grants.js";
import type { Decision, Standing } from "./decision.js";
import type { Limits } from "./limits.js";
import type { LogEntry } from "./sliding-log.js";
import type { BucketState } from "./token-bucket.js";

/** Who the limiter belongs to. The key's secret is never here, only its SHA-256. */
export interface PrincipalRecord {
  id: string;
  kind: "key" | "anonymous";
  name: string;
  keyHash: string | null;
  status: "active" | "revoked";
  createdAt: number;
  revokedAt: number | null;
  limits: Limits;
  /** The key's namespaces and scopes; absent (or null) for keys created before grants existed. */
  grants?: Grants | null;
}

/** Spend and tokens in one budget period (a UTC day `d:...` or month `m:...`). */
export interface PeriodRow {
  key: string;
  spentNano: number;
  reservedNano: number;
  tokens: number;
}

/** Tokens and USD held for a request in flight. */
export interface ReservationRow {
  id: string;
  tokens: number;
  usdNano: number;
  day: string;
  month: string;
  createdAt: number;
  /** Unsettled past its TTL: its USD already moved from reserved to spent. */
  expired: boolean;
}

/** Everything the limiter persists. */
export interface LimiterState {
  principal: PrincipalRecord | null;
  log: LogEntry[];
  bucket: BucketState | null;
  periods: PeriodRow[];
  reservations: ReservationRow[];
}

/** Synchronous persistence (the Durable Object's SQLite). `putLogEntry` with count 0 deletes. */
export interface LimiterStore {
  load(): LimiterState;
  savePrincipal(principal: PrincipalRecord): void;
  putLogEntry(entry: LogEntry): void;
  deleteLogThrough(at: number): void;
  saveBucket(bucket: BucketState): void;
  savePeriod(period: PeriodRow): void;
  deletePeriod(key: string): void;
  saveReservation(reservation: ReservationRow): void;
  deleteReservation(id: string): void;
}

/** How a request proves who it is: a key's hash, or an anonymous id with the default limits. */
export type Credential =
  { kind: "key"; hash: string } | { kind: "anonymous"; id: string; limits: Limits };

export interface AdmitInput {
  credential: Credential;
  /** Count this request against requests per minute. */
  countRequest: boolean;
  /** Refuse when a budget is already spent (routes that spend money). */
  checkBudget: boolean;
}

/** A credential the limiter does not accept. */
export interface AuthRefusal {
  ok: false;
  auth: "unknown" | "revoked";
}

/** An authenticated request's principal and what the window decided. */
export interface Admitted {
  ok: true;
  /**
   * The principal with its effective grants (legacy keys: every scope on `default`): the before
   * stage needs no other lookup.
   */
  principal: { id: string; kind: "key" | "anonymous"; name: string; grants: Grants };
  /** Allowed, or the limit that refused (a window refusal counted nothing). */
  decision: Decision;
  standing: Standing;
}

export type AdmitResult = AuthRefusal | Admitted;

export interface ReserveInput {
  tokens: number;
  usd: number;
}

export type ReserveResult =
  | { ok: true; id: string; standing: Standing }
  | { ok: false; decision: Decision; standing: Standing };

export interface SettleInput {
  id: string;
  tokens: number;
  usd: number;
}

export interface SettleResult {
  /** False when the reservation was unknown (already settled). */
  settled: boolean;
  standing: Standing;
  /** Budgets whose settled spend this charge carried past 80% of their limit. */
  nearLimit: Array<"day" | "month">;
}

export type { Spend } from "../util/spend.js";

/**
 * A lease handed back: its spare admits not used (taken back from the log where they were
 * counted) and what the requests under it actually spent (settling its reservation).
 */
export interface LeaseReturn {
  /** The log instant the lease's spare admits were counted at; null when it had none. */
  spareAt: number | null;
  unusedAdmits: number;
  /** The reservation holding the lease's tokens and USD; null when it held none. */
  reservationId: string | null;
  /** What the requests admitted under the lease actually used. */
  used: Spend;
}

/** Admission of one request and its first reservation, in one call. */
export interface AcquireInput {
  credential: Credential;
  /** Count this request against requests per minute. */
  countRequest: boolean;
  /** Refuse when a budget is already spent (routes that spend money). */
  checkBudget: boolean;
  /** What this request reserves before it spends (zero for requests that spend nothing). */
  need: Spend;
  /**
   * `need` is only what the request is likely to reserve next (it is admitted before it knows):
   * held when it fits, and when it does not, the request is admitted holding nothing instead of
   * refused, so the reservation it makes later decides, exactly as it would have.
   */
  tentative?: boolean;
  /** The key is busy in the isolate: spare admits, tokens and USD may be granted with this one. */
  lease: boolean;
  /** Leases this isolate is done with, settled before anything is decided. */
  returns: LeaseReturn[];
}

/**
 * A lease asked ahead of need: spare admits, tokens and USD for requests an isolate expects, with
 * no request of its own (see renewLease).
 */
export interface RenewInput {
  credential: Credential;
  /** What one expected request reserves (what the isolate's last such request held). */
  need: Spend;
  /** Leases this isolate is done with, settled before anything is decided. */
  returns: LeaseReturn[];
}

/** What was granted with an admitted request: its own reservation plus any spare for a lease. */
export interface LeaseGrant {
  /** Spare admits beyond this request, counted at `spareAt` (the lease's end). */
  spareAdmits: number;
  spareAt: number | null;
  /** Holds `held` (this request's need plus the lease's spare); null when nothing is held. */
  reservationId: string | null;
  held: Spend;
  /** How long the isolate may admit under it. */
  ttlMs: number;
}

export type AcquireResult =
  | AuthRefusal
  | (Admitted & {
      /** Null when refused. */
      grant: LeaseGrant | null;
      /** Budgets the returned leases' spend carried past 80%. */
      nearLimit: Array<"day" | "month">;
    });

/** What reporting returned leases answers. */
export interface ReportResult {
  standing: Standing | null;
  nearLimit: Array<"day" | "month">;
}
