// The state one principal's limiter decides over (its record, request log, token bucket and
// budget ledger), loaded from the synchronous store and written back through it, with what every
// operation shares: authentication, housekeeping and the standing. The operations themselves live
// in admit-request, reserve-spend, grant-lease and settle-lease-returns; each runs synchronously
// to completion, so a single-threaded owner makes it atomic.
import { BudgetLedger } from "./budget-ledger.js";
import { dayPeriod, monthPeriod } from "./budget-period.js";
import type { Standing } from "./decision.js";
import type { Limits } from "./limits.js";
import type { AuthRefusal, Credential, LimiterStore, PrincipalRecord } from "./limiter-types.js";
import { authenticatePrincipal } from "./principal-auth.js";
import { SlidingLog } from "./sliding-log.js";
import { available, msUntilFull, refill, type BucketState } from "./token-bucket.js";
import type { Clock } from "../ports.js";

/** The request window and the token bucket's refill period. */
export const WINDOW_MS = 60_000;

/** What authentication answers: the principal's record, or why it is refused. */
export type Authenticated = { ok: true; record: PrincipalRecord } | AuthRefusal;

/** One principal's limiter state and the store it is persisted through. */
export class LimiterCore {
  principal: PrincipalRecord | null;
  readonly log: SlidingLog;
  bucket: BucketState | null;
  readonly ledger: BudgetLedger;

  constructor(
    readonly store: LimiterStore,
    readonly clock: Clock,
    readonly newId: () => string,
    reservationTtlMs: number,
  ) {
    const state = store.load();
    this.principal = state.principal;
    this.log = new SlidingLog(WINDOW_MS, state.log);
    this.bucket = state.bucket;
    this.ledger = new BudgetLedger(store, state.periods, state.reservations, reservationTtlMs);
  }

  /** Replaces the principal's record and stores it. */
  savePrincipal(record: PrincipalRecord): void {
    this.principal = record;
    this.store.savePrincipal(record);
  }

  /** Replaces the token bucket and stores it. */
  saveBucket(bucket: BucketState): void {
    this.bucket = bucket;
    this.store.saveBucket(bucket);
  }

  /** Checks `credential`; an anonymous caller seen first (or with new limits) is stored. */
  authenticate(credential: Credential): Authenticated {
    const outcome = authenticatePrincipal(this.principal, credential, this.clock());
    if (!outcome.ok) return outcome;
    // First sight, or the configured anonymous limits changed: follow the configuration.
    if (outcome.changed) this.savePrincipal(outcome.record);
    return { ok: true, record: outcome.record };
  }

  /** Drops requests that left the window and sweeps the ledger. */
  housekeeping(now: number): void {
    if (this.log.expire(now) > 0) this.store.deleteLogThrough(now - WINDOW_MS);
    this.ledger.sweep(now);
  }

  /** The principal's standing under `limits` at `now`. */
  standingAt(limits: Limits, now: number): Standing {
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

  /** The principal; throws before the first admit or registration (a caller's bug). */
  requirePrincipal(): PrincipalRecord {
    if (!this.principal) throw new Error("limiter has no principal: admit or register first");
    return this.principal;
  }
}

/** A copy of `r` that shares nothing mutable with it. */
export function copyRecord(r: PrincipalRecord): PrincipalRecord {
  const grants = r.grants
    ? { namespaces: [...r.grants.namespaces], scopes: [...r.grants.scopes] }
    : null;
  return { ...r, limits: { ...r.limits }, grants };
}
