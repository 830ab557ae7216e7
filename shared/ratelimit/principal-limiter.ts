// One principal's limits as a state machine over a synchronous store: authentication status,
// the request log, the token bucket and the budget ledger. Every operation is one synchronous
// read-compute-write, so a single-threaded owner (the LIMITER Durable Object) makes each decision
// atomic; a refused operation changes nothing.
import { BudgetLedger } from "./budget-ledger.js";
import { dayPeriod, monthPeriod } from "./budget-period.js";
import type { Decision, Standing } from "./decision.js";
import { nanoToUsd, usdToNano, type Limits } from "./limits.js";
import { LEASE_MS, leaseAdmits, leasePool } from "./lease.js";
import type {
  AcquireInput,
  AcquireResult,
  AdmitInput,
  AdmitResult,
  Credential,
  LeaseReturn,
  LimiterStore,
  PrincipalRecord,
  ReportResult,
  ReserveInput,
  ReserveResult,
  SettleInput,
  SettleResult,
  Spend,
} from "./limiter-types.js";
import { authenticatePrincipal } from "./principal-auth.js";
import { SlidingLog } from "./sliding-log.js";
import {
  adjustTokens,
  available,
  msUntilFull,
  refill,
  takeTokens,
  type BucketState,
} from "./token-bucket.js";
import type { Clock } from "../ports.js";
import { grantsOf } from "../tenancy/grants.js";

const WINDOW_MS = 60_000;
const DEFAULT_RESERVATION_TTL_MS = 10 * 60_000;

/**
 * The limiter of one principal.
 *
 * @example
 * const limiter = new PrincipalLimiter(store, Date.now, () => crypto.randomUUID());
 * const admitted = limiter.admit({ credential, countRequest: true, checkBudget: false });
 */
export class PrincipalLimiter {
  private principal: PrincipalRecord | null;
  private readonly log: SlidingLog;
  private bucket: BucketState | null;
  private readonly ledger: BudgetLedger;

  constructor(
    private readonly store: LimiterStore,
    private readonly clock: Clock,
    private readonly newId: () => string,
    options: { reservationTtlMs?: number } = {},
  ) {
    const state = store.load();
    this.principal = state.principal;
    this.log = new SlidingLog(WINDOW_MS, state.log);
    this.bucket = state.bucket;
    this.ledger = new BudgetLedger(
      store,
      state.periods,
      state.reservations,
      options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS,
    );
  }

  /** The principal's record, or null before the first admit or registration. */
  record(): PrincipalRecord | null {
    return this.principal ? copyRecord(this.principal) : null;
  }

  /** Stores a new key principal; false (and nothing changes) if this limiter already has one. */
  register(record: PrincipalRecord): boolean {
    if (this.principal) return false;
    this.principal = copyRecord(record);
    this.store.savePrincipal(this.principal);
    return true;
  }

  /** Revokes the key: from now on every admit is refused. Idempotent; null if no such key. */
  revoke(): PrincipalRecord | null {
    const p = this.principal;
    if (!p || p.kind !== "key") return null;
    if (p.status !== "revoked") {
      this.principal = { ...p, status: "revoked", revokedAt: this.clock() };
      this.store.savePrincipal(this.principal);
    }
    return this.record();
  }

  /** Authenticates, then (optionally) checks that budgets remain and counts the request. */
  admit(input: AdmitInput): AdmitResult {
    const auth = this.authenticate(input.credential);
    if (!auth.ok) return auth;
    const { limits } = auth.record;
    const now = this.clock();
    this.housekeeping(now);

    const budget = input.checkBudget ? this.ledger.refusal(limits, 0, now, true) : null;
    if (budget) return this.admitted(auth.record, budget, now);
    if (!input.countRequest) {
      return this.admitted(auth.record, this.requestDecision(limits, now), now);
    }
    const check = this.log.check(now, limits.rpm);
    if (!check.allowed) return this.admitted(auth.record, rpmRefusal(limits, check), now);
    this.store.putLogEntry(this.log.add(now));
    return this.admitted(auth.record, this.requestDecision(limits, now), now);
  }

  /**
   * Holds `tokens` and `usd` for a request about to spend them, or refuses: then nothing changes
   * (the request itself was counted by its admission, and stays counted).
   */
  reserve(input: ReserveInput): ReserveResult {
    const { limits } = this.requirePrincipal();
    const now = this.clock();
    this.housekeeping(now);
    const tokens = Math.max(0, Math.ceil(input.tokens));
    const usdNano = Math.max(0, usdToNano(input.usd));

    let refusal = this.ledger.refusal(limits, usdNano, now, false);
    let bucket: BucketState | null = null;
    if (!refusal && tokens > 0) {
      const take = takeTokens(this.bucket, limits.tpm, tokens, now);
      if (take.allowed) bucket = take.state;
      else {
        refusal = tpmRefusal(limits, take);
      }
    }
    if (refusal) {
      return { ok: false, decision: refusal, standing: this.standingAt(limits, now) };
    }
    if (bucket) {
      this.bucket = bucket;
      this.store.saveBucket(bucket);
    }
    const reservation = this.ledger.hold(this.newId(), tokens, usdNano, now);
    return { ok: true, id: reservation.id, standing: this.standingAt(limits, now) };
  }

  /**
   * Replaces a reservation with what the request actually used: unused tokens and USD come back,
   * extra usage is charged. An unknown id (already settled) changes nothing. `nearLimit` lists
   * the budgets this charge carried past 80%.
   */
  settle(input: SettleInput): SettleResult {
    const { limits } = this.requirePrincipal();
    const now = this.clock();
    const settled = this.ledger.get(input.id) !== null;
    const nearLimit = this.settleReservation(input.id, input, limits, now);
    this.housekeeping(now);
    return { settled, standing: this.standingAt(limits, now), nearLimit };
  }

  /**
   * Admits one request and makes its first reservation in one step, after settling the leases
   * the isolate hands back. The request window decides first: its refusal consumes nothing.
   * Once the window admits the request it counts, whatever refuses it next (a spent budget, the
   * token bucket, a request too large). With `lease`, spare admits, tokens and USD sized by
   * shared/ratelimit/lease are granted too, all counted as used from this moment.
   */
  acquire(input: AcquireInput): AcquireResult {
    const auth = this.authenticate(input.credential);
    const now = this.clock();
    const returnsNear =
      auth.ok || auth.auth === "revoked" ? this.applyReturns(input.returns, now) : [];
    if (!auth.ok) return auth;
    const { limits } = auth.record;
    this.housekeeping(now);
    const refused = (decision: Decision): AcquireResult => ({
      ...this.admitted(auth.record, decision, now),
      grant: null,
      nearLimit: returnsNear,
    });

    if (input.countRequest) {
      const check = this.log.check(now, limits.rpm);
      if (!check.allowed) return refused(rpmRefusal(limits, check));
      this.store.putLogEntry(this.log.add(now));
    }
    const budget = input.checkBudget ? this.ledger.refusal(limits, 0, now, true) : null;
    if (budget) return refused(budget);
    const tokens = Math.max(0, Math.ceil(input.need.tokens));
    const usdNano = Math.max(0, usdToNano(input.need.usd));
    const spend = this.spendRefusal(limits, tokens, usdNano, now);
    if (spend) return refused(spend);

    const admits =
      input.lease && input.countRequest
        ? leaseAdmits(limits.rpm, limits.rpm - this.log.used(now))
        : 1;
    const spareAdmits = admits - 1;
    const spareAt = spareAdmits > 0 ? now + LEASE_MS : null;
    if (spareAt !== null) this.store.putLogEntry(this.log.add(spareAt, spareAdmits));
    const held = this.holdPools(limits, tokens, usdNano, admits, now);
    const reservation =
      held.tokens > 0 || held.usdNano > 0
        ? this.ledger.hold(this.newId(), held.tokens, held.usdNano, now)
        : null;
    return {
      ...this.admitted(auth.record, this.requestDecision(limits, now), now),
      grant: {
        spareAdmits,
        spareAt,
        reservationId: reservation?.id ?? null,
        held: { tokens: held.tokens, usd: nanoToUsd(held.usdNano) },
        ttlMs: LEASE_MS,
      },
      nearLimit: returnsNear,
    };
  }

  /** Settles leases an isolate hands back (unused admits, actual spend). */
  report(returns: LeaseReturn[]): ReportResult {
    if (!this.principal) return { standing: null, nearLimit: [] };
    const now = this.clock();
    const nearLimit = this.applyReturns(returns, now);
    this.housekeeping(now);
    return { standing: this.standingAt(this.principal.limits, now), nearLimit };
  }

  private applyReturns(returns: LeaseReturn[], now: number): Array<"day" | "month"> {
    const p = this.principal;
    if (!p) return [];
    const near = new Set<"day" | "month">();
    for (const r of returns) {
      if (r.spareAt !== null && r.unusedAdmits > 0) {
        const entry = this.log.release(r.spareAt, r.unusedAdmits);
        if (entry) this.store.putLogEntry(entry);
      }
      // A lease that held nothing can still report spend (a request used more than it held):
      // it is charged through an empty reservation, like any other overrun.
      const spent = r.used.tokens > 0 || r.used.usd > 0;
      const id = r.reservationId ?? (spent ? this.ledger.hold(this.newId(), 0, 0, now).id : null);
      if (id) {
        for (const w of this.settleReservation(id, r.used, p.limits, now)) near.add(w);
      }
    }
    return [...near];
  }

  /** Why spending `tokens` and `usdNano` now is refused, or null when it fits. */
  private spendRefusal(limits: Limits, tokens: number, usdNano: number, now: number) {
    const budget = this.ledger.refusal(limits, usdNano, now, false);
    if (budget || tokens === 0) return budget;
    const take = takeTokens(this.bucket, limits.tpm, tokens, now);
    if (take.allowed) return null;
    return tpmRefusal(limits, take);
  }

  /** Takes this request's need plus a lease's share of tokens and USD (checked to fit). */
  private holdPools(limits: Limits, tokens: number, usdNano: number, admits: number, now: number) {
    const bucket = refill(this.bucket, limits.tpm, now);
    let poolTokens = leasePool(tokens, admits, available(bucket));
    let take = takeTokens(this.bucket, limits.tpm, poolTokens, now);
    if (!take.allowed) {
      poolTokens = tokens;
      take = takeTokens(this.bucket, limits.tpm, poolTokens, now);
    }
    if (take.allowed && poolTokens > 0) {
      this.bucket = take.state;
      this.store.saveBucket(take.state);
    }
    let poolNano = leasePool(usdNano, admits, this.ledger.remainingNano(limits, now));
    if (this.ledger.refusal(limits, poolNano, now, false)) poolNano = usdNano;
    return { tokens: poolTokens, usdNano: poolNano };
  }

  private settleReservation(
    id: string,
    used: Spend,
    limits: Limits,
    now: number,
  ): Array<"day" | "month"> {
    const r = this.ledger.get(id);
    if (!r) return [];
    const tokens = Math.max(0, Math.ceil(used.tokens));
    if (tokens !== r.tokens) {
      this.bucket = adjustTokens(this.bucket, limits.tpm, r.tokens - tokens, now);
      this.store.saveBucket(this.bucket);
    }
    return this.ledger.close(r.id, tokens, Math.max(0, usdToNano(used.usd)), now, limits);
  }

  /** The principal's standing now, or null when there is no principal yet. */
  standing(): Standing | null {
    if (!this.principal) return null;
    const now = this.clock();
    this.housekeeping(now);
    return this.standingAt(this.principal.limits, now);
  }

  private authenticate(
    credential: Credential,
  ): { ok: true; record: PrincipalRecord } | { ok: false; auth: "unknown" | "revoked" } {
    const outcome = authenticatePrincipal(this.principal, credential, this.clock());
    if (!outcome.ok) return outcome;
    if (outcome.changed) {
      // First sight, or the configured anonymous limits changed: follow the configuration.
      this.principal = outcome.record;
      this.store.savePrincipal(outcome.record);
    }
    return { ok: true, record: outcome.record };
  }

  private admitted(
    record: PrincipalRecord,
    decision: Decision,
    now: number,
  ): Extract<AdmitResult, { ok: true }> {
    return {
      ok: true,
      principal: {
        id: record.id,
        kind: record.kind,
        name: record.name,
        grants: grantsOf(record.grants),
      },
      decision,
      standing: this.standingAt(record.limits, now),
    };
  }

  private requestDecision(limits: Limits, now: number): Decision {
    return {
      allowed: true,
      reason: null,
      limit: limits.rpm,
      remaining: Math.max(0, limits.rpm - this.log.used(now)),
      resetMs: this.log.resetMs(now),
      retryAfterMs: 0,
      policy: "rpm",
    };
  }

  private standingAt(limits: Limits, now: number): Standing {
    const used = this.log.used(now);
    const bucket = refill(this.bucket, limits.tpm, now);
    return {
      requests: {
        limit: limits.rpm,
        windowSeconds: WINDOW_MS / 1000,
        used,
        remaining: Math.max(0, limits.rpm - used),
        resetMs: this.log.resetMs(now),
      },
      tokens: {
        limit: limits.tpm,
        windowSeconds: WINDOW_MS / 1000,
        remaining: available(bucket),
        resetMs: msUntilFull(bucket, limits.tpm),
      },
      daily: this.ledger.standing(dayPeriod(now), limits.dailyBudgetUsd),
      monthly: this.ledger.standing(monthPeriod(now), limits.monthlyBudgetUsd),
    };
  }

  /** Drops requests that left the window and sweeps the ledger. */
  private housekeeping(now: number): void {
    if (this.log.expire(now) > 0) this.store.deleteLogThrough(now - WINDOW_MS);
    this.ledger.sweep(now);
  }

  private requirePrincipal(): PrincipalRecord {
    if (!this.principal) throw new Error("limiter has no principal: admit or register first");
    return this.principal;
  }
}

function copyRecord(r: PrincipalRecord): PrincipalRecord {
  const grants = r.grants
    ? { namespaces: [...r.grants.namespaces], scopes: [...r.grants.scopes] }
    : null;
  return { ...r, limits: { ...r.limits }, grants };
}

/** The request window's refusal, from the log's check. */
function rpmRefusal(limits: Limits, check: { resetMs: number; retryAfterMs: number }): Decision {
  return {
    allowed: false,
    reason: "requests",
    limit: limits.rpm,
    remaining: 0,
    resetMs: check.resetMs,
    retryAfterMs: check.retryAfterMs,
    policy: "rpm",
  };
}

/** The token bucket's refusal: too large ever to fit, or not enough tokens yet. */
function tpmRefusal(
  limits: Limits,
  take: { reason?: string; remaining: number; resetMs: number; retryAfterMs: number },
): Decision {
  return {
    allowed: false,
    reason: take.reason === "too_large" ? "request_too_large" : "tokens",
    limit: limits.tpm,
    remaining: take.remaining,
    resetMs: take.resetMs,
    retryAfterMs: take.retryAfterMs,
    policy: "tpm",
  };
}
