// One principal's limits as a state machine over a synchronous store: authentication status,
// the request log, the token bucket and the budget ledger. Every operation is one synchronous
// read-compute-write, so a single-threaded owner (the LIMITER Durable Object) makes each decision
// atomic; a refused operation changes nothing. This class is the facade: the state is
// limiter-core, and each operation lives with its concern (admit-request, reserve-spend,
// grant-lease, settle-lease-returns).
import { admitRequest } from "./admit-request.js";
import type { Standing } from "./decision.js";
import { grantLease, renewLease } from "./grant-lease.js";
import { copyRecord, LimiterCore } from "./limiter-core.js";
import type {
  AcquireInput,
  AcquireResult,
  AdmitInput,
  AdmitResult,
  LeaseReturn,
  LimiterStore,
  PrincipalRecord,
  RenewInput,
  ReportResult,
  ReserveInput,
  ReserveResult,
  SettleInput,
  SettleResult,
} from "./limiter-types.js";
import { reserveSpend, settleSpend } from "./reserve-spend.js";
import { reportLeaseReturns } from "./settle-lease-returns.js";
import type { Clock } from "../ports.js";

const DEFAULT_RESERVATION_TTL_MS = 10 * 60_000;

/**
 * The limiter of one principal.
 *
 * @example
 * const limiter = new PrincipalLimiter(store, Date.now, () => crypto.randomUUID());
 * const admitted = limiter.admit({ credential, countRequest: true, checkBudget: false });
 */
export class PrincipalLimiter {
  private readonly core: LimiterCore;

  constructor(
    store: LimiterStore,
    clock: Clock,
    newId: () => string,
    options: { reservationTtlMs?: number } = {},
  ) {
    this.core = new LimiterCore(
      store,
      clock,
      newId,
      options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS,
    );
  }

  /** The principal's record, or null before the first admit or registration. */
  record(): PrincipalRecord | null {
    const p = this.core.principal;
    return p ? copyRecord(p) : null;
  }

  /** Stores a new key principal; false (and nothing changes) if this limiter already has one. */
  register(record: PrincipalRecord): boolean {
    if (this.core.principal) return false;
    this.core.savePrincipal(copyRecord(record));
    return true;
  }

  /** Revokes the key: from now on every admit is refused. Idempotent; null if no such key. */
  revoke(): PrincipalRecord | null {
    const p = this.core.principal;
    if (!p || p.kind !== "key") return null;
    if (p.status !== "revoked") {
      this.core.savePrincipal({ ...p, status: "revoked", revokedAt: this.core.clock() });
    }
    return this.record();
  }

  /** Authenticates, then (optionally) checks that budgets remain and counts the request. */
  admit(input: AdmitInput): AdmitResult {
    return admitRequest(this.core, input);
  }

  /**
   * Holds `tokens` and `usd` for a request about to spend them, or refuses: then nothing changes
   * (the request itself was counted by its admission, and stays counted).
   */
  reserve(input: ReserveInput): ReserveResult {
    return reserveSpend(this.core, input);
  }

  /**
   * Replaces a reservation with what the request actually used: unused tokens and USD come back,
   * extra usage is charged. An unknown id (already settled) changes nothing. `nearLimit` lists
   * the budgets this charge carried past 80%.
   */
  settle(input: SettleInput): SettleResult {
    return settleSpend(this.core, input);
  }

  /**
   * Admits one request and makes its first reservation in one step, after settling the leases
   * the isolate hands back; with `lease`, grants spare admits, tokens and USD (see grant-lease).
   */
  acquire(input: AcquireInput): AcquireResult {
    return grantLease(this.core, input);
  }

  /**
   * Settles returned leases, then grants a lease ahead of need, counting no request (see
   * grant-lease's renewLease).
   */
  renew(input: RenewInput): AcquireResult {
    return renewLease(this.core, input);
  }

  /** Settles leases an isolate hands back (unused admits, actual spend). */
  report(returns: LeaseReturn[]): ReportResult {
    return reportLeaseReturns(this.core, returns);
  }

  /** The principal's standing now, or null when there is no principal yet. */
  standing(): Standing | null {
    const p = this.core.principal;
    if (!p) return null;
    const now = this.core.clock();
    this.core.housekeeping(now);
    return this.core.standingAt(p.limits, now);
  }
}
