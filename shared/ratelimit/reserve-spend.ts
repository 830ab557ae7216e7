// Reservation and settlement: holding tokens (from the bucket) and USD (in the ledger) for a
// request about to spend them, and replacing a hold with what the request actually used. A
// refused reservation changes nothing; settling an unknown (already settled) id changes nothing.
import type { Decision } from "./decision.js";
import type { LimiterCore } from "./limiter-core.js";
import type {
  ReserveInput,
  ReserveResult,
  SettleInput,
  SettleResult,
  Spend,
} from "./limiter-types.js";
import { usdToNano, type Limits } from "./limits.js";
import { adjustTokens, takeTokens } from "./token-bucket.js";

/** Holds `tokens` and `usd` for a request about to spend them, or refuses. */
export function reserveSpend(core: LimiterCore, input: ReserveInput): ReserveResult {
  const { limits } = core.requirePrincipal();
  const now = core.clock();
  core.housekeeping(now);
  const tokens = Math.max(0, Math.ceil(input.tokens));
  const usdNano = Math.max(0, usdToNano(input.usd));
  const refusal = spendRefusal(core, limits, tokens, usdNano, now);
  if (refusal) return { ok: false, decision: refusal, standing: core.standingAt(limits, now) };
  if (tokens > 0) {
    const take = takeTokens(core.bucket, limits.tpm, tokens, now);
    if (take.allowed) core.saveBucket(take.state);
  }
  const reservation = core.ledger.hold(core.newId(), tokens, usdNano, now);
  return { ok: true, id: reservation.id, standing: core.standingAt(limits, now) };
}

/**
 * Replaces a reservation with what the request actually used: unused tokens and USD come back,
 * extra usage is charged. `nearLimit` lists the budgets this charge carried past 80%.
 */
export function settleSpend(core: LimiterCore, input: SettleInput): SettleResult {
  const { limits } = core.requirePrincipal();
  const now = core.clock();
  const settled = core.ledger.get(input.id) !== null;
  const nearLimit = settleReservation(core, input.id, input, limits, now);
  core.housekeeping(now);
  return { settled, standing: core.standingAt(limits, now), nearLimit };
}

/** Settles reservation `id` with `used`; the budgets carried past 80% (none if `id` is unknown). */
export function settleReservation(
  core: LimiterCore,
  id: string,
  used: Spend,
  limits: Limits,
  now: number,
): Array<"day" | "month"> {
  const r = core.ledger.get(id);
  if (!r) return [];
  const tokens = Math.max(0, Math.ceil(used.tokens));
  if (tokens !== r.tokens) {
    core.saveBucket(adjustTokens(core.bucket, limits.tpm, r.tokens - tokens, now));
  }
  return core.ledger.close(r.id, tokens, Math.max(0, usdToNano(used.usd)), now, limits);
}

/** Why spending `tokens` and `usdNano` now is refused (a budget, then the bucket), or null. */
export function spendRefusal(
  core: LimiterCore,
  limits: Limits,
  tokens: number,
  usdNano: number,
  now: number,
): Decision | null {
  const budget = core.ledger.refusal(limits, usdNano, now, false);
  if (budget || tokens === 0) return budget;
  const take = takeTokens(core.bucket, limits.tpm, tokens, now);
  if (take.allowed) return null;
  return tpmRefusal(limits, take);
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
