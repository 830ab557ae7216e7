// Lease grants: admitting one request and making its first reservation in one step, with, for a
// busy key, a lease of spare admits, tokens and USD for the calling isolate to admit locally
// (sized by shared/ratelimit/lease), and the same lease renewed ahead of need, with no request of
// its own. Everything granted counts as used the moment it is granted: spare admits are logged at
// the lease's end, its tokens and USD held in one reservation.
import { admittedResult, rpmRefusal, windowDecision } from "./admit-request.js";
import type { Decision } from "./decision.js";
import { LEASE_MS, leaseAdmits, leasePool } from "./lease.js";
import type { Authenticated, LimiterCore } from "./limiter-core.js";
import type {
  AcquireInput,
  AcquireResult,
  Credential,
  LeaseGrant,
  LeaseReturn,
  RenewInput,
  Spend,
} from "./limiter-types.js";
import { nanoToUsd, usdToNano, type Limits } from "./limits.js";
import { spendRefusal } from "./reserve-spend.js";
import { settleLeaseReturns } from "./settle-lease-returns.js";
import { available, refill, takeTokens } from "./token-bucket.js";

/**
 * Admits one request and makes its first reservation in one step, after settling the leases
 * the isolate hands back. The request window decides first: its refusal consumes nothing.
 * Once the window admits the request it counts, whatever refuses it next (a spent budget, the
 * token bucket, a request too large). A `tentative` need is held only if it fits. With `lease`,
 * spare admits, tokens and USD are granted too.
 */
export function grantLease(core: LimiterCore, input: AcquireInput): AcquireResult {
  const { auth, now, nearLimit } = settledCaller(core, input);
  if (!auth.ok) return auth;
  const { limits } = auth.record;
  const refused = (decision: Decision): AcquireResult => ({
    ...admittedResult(core, auth.record, decision, now),
    grant: null,
    nearLimit,
  });

  if (input.countRequest) {
    const check = core.log.check(now, limits.rpm);
    if (!check.allowed) return refused(rpmRefusal(limits, check));
    core.store.putLogEntry(core.log.add(now));
  }
  const budget = input.checkBudget ? core.ledger.refusal(limits, 0, now, true) : null;
  if (budget) return refused(budget);
  const need = fittingNeed(core, limits, input.need, now);
  if (need.refusal && !input.tentative) return refused(need.refusal);

  const admits =
    input.lease && input.countRequest
      ? leaseAdmits(limits.rpm, limits.rpm - core.log.used(now))
      : 1;
  const grant = grantOf(core, limits, need, admits - 1, admits, now);
  return {
    ...admittedResult(core, auth.record, windowDecision(core, limits, now), now),
    grant,
    nearLimit,
  };
}

/**
 * A lease renewed ahead of need: what a request arriving now would get beside its own admission
 * (the spare admits, and the pools for them, sized by the same rules), with no request of its own
 * counted. An isolate asks while its lease still admits, so a busy key's requests do not wait
 * for this object when the lease runs out. Everything granted counts at once, as for any lease.
 * It refuses nothing: when a request arriving now would be refused, or its lease would carry no
 * spare admits (a key too slow for leases), there is no grant, and requests come here themselves.
 */
export function renewLease(core: LimiterCore, input: RenewInput): AcquireResult {
  const { auth, now, nearLimit } = settledCaller(core, input);
  if (!auth.ok) return auth;
  const { limits } = auth.record;
  const result = (grant: LeaseGrant | null): AcquireResult => ({
    ...admittedResult(core, auth.record, windowDecision(core, limits, now), now),
    grant,
    nearLimit,
  });
  if (!core.log.check(now, limits.rpm).allowed) return result(null);
  if (core.ledger.refusal(limits, 0, now, true)) return result(null);
  // The asking request's admit is the one a request arriving now would take: not counted here.
  const spareAdmits = leaseAdmits(limits.rpm, limits.rpm - core.log.used(now) - 1) - 1;
  if (spareAdmits < 1) return result(null);
  // Every need here is a likely one: held only if it fits.
  const need = fittingNeed(core, limits, input.need, now);
  return result(grantOf(core, limits, need, spareAdmits, spareAdmits, now));
}

/**
 * Authenticates the caller and settles the leases it hands back: a revoked key's isolates still
 * hand back what they spent under its leases. `nearLimit`: budgets those returns carried past 80%.
 */
function settledCaller(
  core: LimiterCore,
  input: { credential: Credential; returns: LeaseReturn[] },
): { auth: Authenticated; now: number; nearLimit: Array<"day" | "month"> } {
  const auth = core.authenticate(input.credential);
  const now = core.clock();
  const nearLimit =
    auth.ok || auth.auth === "revoked" ? settleLeaseReturns(core, input.returns, now) : [];
  if (auth.ok) core.housekeeping(now);
  return { auth, now, nearLimit };
}

/** A need in tokens and nano-USD, or nothing with the refusal it met when it does not fit. */
function fittingNeed(
  core: LimiterCore,
  limits: Limits,
  need: Spend,
  now: number,
): { tokens: number; usdNano: number; refusal: Decision | null } {
  const tokens = Math.max(0, Math.ceil(need.tokens));
  const usdNano = Math.max(0, usdToNano(need.usd));
  const refusal = spendRefusal(core, limits, tokens, usdNano, now);
  // A likely need that does not fit is not held: the request's own reservation decides later.
  return refusal ? { tokens: 0, usdNano: 0, refusal } : { tokens, usdNano, refusal: null };
}

/**
 * The lease itself: `spareAdmits` logged at its end, and pools for `poolAdmits` requests of
 * `need` each held in one reservation (see holdPools).
 */
function grantOf(
  core: LimiterCore,
  limits: Limits,
  need: { tokens: number; usdNano: number },
  spareAdmits: number,
  poolAdmits: number,
  now: number,
): LeaseGrant {
  const spareAt = spareAdmits > 0 ? now + LEASE_MS : null;
  if (spareAt !== null) core.store.putLogEntry(core.log.add(spareAt, spareAdmits));
  const held = holdPools(core, limits, need.tokens, need.usdNano, poolAdmits, now);
  const reservation =
    held.tokens > 0 || held.usdNano > 0
      ? core.ledger.hold(core.newId(), held.tokens, held.usdNano, now)
      : null;
  return {
    spareAdmits,
    spareAt,
    reservationId: reservation?.id ?? null,
    held: { tokens: held.tokens, usd: nanoToUsd(held.usdNano) },
    ttlMs: LEASE_MS,
  };
}

/**
 * Takes this request's need plus a lease's share of tokens and USD: the share when it fits, else
 * the need alone (which the caller has already checked fits). The caller holds both in one
 * reservation.
 */
function holdPools(
  core: LimiterCore,
  limits: Limits,
  tokens: number,
  usdNano: number,
  admits: number,
  now: number,
): { tokens: number; usdNano: number } {
  const bucket = refill(core.bucket, limits.tpm, now);
  let poolTokens = leasePool(tokens, admits, available(bucket));
  let take = takeTokens(core.bucket, limits.tpm, poolTokens, now);
  if (!take.allowed) {
    poolTokens = tokens;
    take = takeTokens(core.bucket, limits.tpm, poolTokens, now);
  }
  if (take.allowed && poolTokens > 0) core.saveBucket(take.state);
  let poolNano = leasePool(usdNano, admits, core.ledger.remainingNano(limits, now));
  if (core.ledger.refusal(limits, poolNano, now, false)) poolNano = usdNano;
  return { tokens: poolTokens, usdNano: poolNano };
}
