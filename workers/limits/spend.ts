// The one way a route spends tokens or money: reserve the estimate in the principal's LIMITER
// object before the model or embedding call, settle with the actual usage after it (in a finally:
// a failed call settles at what it used, usually nothing). A refusal throws the 429/413 and
// consumes nothing, not even the request's slot in the per-minute window.
import type { ModelInfo } from "../../shared/llm/catalog.js";
import { costUsd } from "../../shared/llm/catalog.js";
import type { ReserveResult, SettleResult } from "../../shared/ratelimit/limiter-types.js";
import type { AppContext } from "../context.js";
import { aged, LimitRefusal, limitMemo, limiterStub, refuse, timedCall } from "./limiter-client.js";

/** Tokens (prompt + completion + embedding) and USD. */
export interface SpendAmount {
  tokens: number;
  usd: number;
}

/** Held spend; `settle` exactly once with what was actually used (later calls are no-ops). */
export interface Reservation {
  readonly held: SpendAmount;
  settle(actual: SpendAmount): Promise<void>;
}

const UNLIMITED: Reservation = { held: { tokens: 0, usd: 0 }, settle: async () => {} };

/**
 * Reserves `amount` for this request, or throws the HttpError that refuses it.
 *
 * @example
 * const reservation = await reserve(app, { tokens: prompt + cap, usd: estimate });
 * try { result = await callModel(); } finally { await reservation.settle(actualUsage); }
 */
export async function reserve(app: AppContext, amount: SpendAmount): Promise<Reservation> {
  const limits = app.limits;
  if (!limits) {
    // Only anonymous callers with RATE_LIMITS_ENABLED=false (development) reach here unlimited.
    if (app.principal?.kind === "anonymous" && !app.config.RATE_LIMITS_ENABLED) return UNLIMITED;
    throw new Error(`reserve() called on ${app.route}, which has no admitted principal`);
  }
  const tokens = Math.max(0, Math.ceil(amount.tokens));
  const usd = Math.max(0, amount.usd);
  if (usd > 0) {
    const memoed = limitMemo.check(limits.memoKey, "budget");
    if (memoed) {
      limits.fromMemo = true;
      const decision = aged(memoed.value);
      throw refuse(app, limits, decision, memoed.value.standing, { memo: null });
    }
  }
  // Only the request's first reservation may give its slot back: later ones follow spending.
  const release =
    limits.reservations === 0 && !limits.concurrentReservations ? limits.requestAt : null;
  const stub = limiterStub(app.env, limits.principalId);
  const result = await timedCall(app, "reserve", async (): Promise<ReserveResult> =>
    stub.reserve({ tokens, usd, releaseRequestAt: release }),
  );
  limits.standing = result.standing;
  if (!result.ok) {
    if (release !== null) limits.requestAt = null;
    throw refuse(app, limits, result.decision, result.standing, { memo: null, requested: tokens });
  }
  limits.reservations++;
  app.metrics.inc("ragway_ratelimit_allowed_total", { check: "spend" });
  app.metrics.inc("ragway_budget_reserved_usd_total", {}, usd);
  app.metrics.inc("ragway_budget_reserved_tokens_total", {}, tokens);

  let settled = false;
  return {
    held: { tokens, usd },
    async settle(actual: SpendAmount): Promise<void> {
      if (settled) return;
      settled = true;
      const used = { tokens: Math.max(0, Math.ceil(actual.tokens)), usd: Math.max(0, actual.usd) };
      app.metrics.inc("ragway_budget_spent_usd_total", {}, used.usd);
      try {
        const done = await timedCall(app, "settle", async (): Promise<SettleResult> =>
          stub.settle({ id: result.id, ...used }),
        );
        limits.standing = done.standing;
        for (const window of done.nearLimit) {
          app.metrics.inc("ragway_budget_near_limit_total", { window });
          app.logger.info("budget_near_limit", { principal_id: limits.principalId, window });
        }
      } catch (err) {
        // The reservation stays held and counts as spent after its TTL: safe, never lenient.
        app.logger.warn("limiter_settle_failed", { error: String(err) });
      }
    },
  };
}

/**
 * A reservation that can grow: a fallback chain reserves for its first model, and raises the hold
 * before a later model that may cost more. Settled once, with what was actually used.
 *
 * @example
 * const hold = spendHold(app);
 * await hold.raise(firstModelEstimate);            // a refusal throws: the request's 429
 * if (!(await hold.tryRaise(nextModelEstimate))) { skip that model }
 * await hold.settle(actualUsage);
 */
export interface SpendHold {
  /** Reserves what `amount` needs beyond what is already held; a refusal throws. */
  raise(amount: SpendAmount): Promise<void>;
  /** The same, but a refusal by the caller's limits answers false. */
  tryRaise(amount: SpendAmount): Promise<boolean>;
  /** Settles every reservation made: the total is what was actually used. */
  settle(actual: SpendAmount): Promise<void>;
}

export function spendHold(app: AppContext): SpendHold {
  const reservations: Reservation[] = [];
  const held: SpendAmount = { tokens: 0, usd: 0 };
  const raise = async (amount: SpendAmount): Promise<void> => {
    const more = {
      tokens: Math.max(0, Math.ceil(amount.tokens) - held.tokens),
      usd: Math.max(0, amount.usd - held.usd),
    };
    if (reservations.length > 0 && more.tokens === 0 && more.usd === 0) return;
    const reservation = await reserve(app, more);
    reservations.push(reservation);
    held.tokens += reservation.held.tokens;
    held.usd += reservation.held.usd;
  };
  return {
    raise,
    async tryRaise(amount) {
      try {
        await raise(amount);
        return true;
      } catch (err) {
        if (err instanceof LimitRefusal) return false;
        throw err;
      }
    },
    async settle(actual) {
      const [first, ...rest] = reservations;
      for (const r of rest) await r.settle({ tokens: 0, usd: 0 });
      await first?.settle(actual);
    },
  };
}

/**
 * Runs the calls a hold was made for. When they throw, or report that nothing answered, nothing
 * was billed: the hold is given back before the caller turns the failure into its error.
 *
 * @example
 * const r = await releasedOnFailure(hold, () => completeChat(plan, deps, opts));
 * if (!r.ok) throw upstreamError(r, app);
 * await hold.settle(actualUsage);
 */
export async function releasedOnFailure<T extends { ok: boolean }>(
  hold: Pick<SpendHold, "settle">,
  call: () => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await call();
  } catch (err) {
    await hold.settle({ tokens: 0, usd: 0 });
    throw err;
  }
  if (!result.ok) await hold.settle({ tokens: 0, usd: 0 });
  return result;
}

/**
 * The USD estimate of a call: `promptTokens` at the model's input price plus the completion cap
 * at its output price (an upper bound: the model cannot bill more completion than the cap).
 */
export function estimateUsd(model: ModelInfo, promptTokens: number, maxTokens: number): number {
  return costUsd(model, { prompt_tokens: promptTokens, completion_tokens: maxTokens });
}
