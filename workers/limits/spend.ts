// The one way a route spends tokens or money. The first reservation of a request is its
// admission too (one call to the LIMITER object, or none under a lease); a later, larger one
// raises the hold (from the lease when it has room, else a call). Settling never delays the
// response: it is recorded against the lease at once and reported to the object in waitUntil,
// or with the lease's renewal.
import type { ModelInfo } from "../../shared/llm/catalog.js";
import { costUsd } from "../../shared/llm/catalog.js";
import type { LeaseTicket } from "../../shared/ratelimit/lease-holder.js";
import type { ReserveResult, Spend } from "../../shared/ratelimit/limiter-types.js";
import type { AppContext } from "../context.js";
import { admitOnce } from "./admission.js";
import { aged, LimitRefusal, limitMemo, limiterStub, refuse, timedCall } from "./limiter-client.js";
import { queueSettlements, returnLeases } from "./return-leases.js";

/** Tokens (prompt + completion + embedding) and USD: the one spend type. */
export type SpendAmount = Spend;

/** Held spend; `settle` once with what was actually used (later calls are no-ops). */
export interface Reservation {
  readonly held: SpendAmount;
  settle(actual: SpendAmount): Promise<void>;
}

/**
 * Reserves `amount` for this request, or throws the HttpError that refuses it.
 *
 * @example
 * const reservation = await reserve(app, { tokens: prompt + cap, usd: estimate });
 * try { result = await callModel(); } finally { await reservation.settle(actualUsage); }
 */
export async function reserve(app: AppContext, amount: SpendAmount): Promise<Reservation> {
  const hold = spendHold(app);
  await hold.raise(amount);
  const held = { tokens: Math.max(0, Math.ceil(amount.tokens)), usd: Math.max(0, amount.usd) };
  return { held, settle: (actual) => hold.settle(actual) };
}

/**
 * A reservation that can grow: a fallback chain reserves for its first model, and raises the hold
 * before a later model that may cost more. Settled once, with what was actually used; settling
 * schedules the report and resolves at once.
 *
 * @example
 * const hold = spendHold(app);
 * await hold.raise(firstModelEstimate);            // admission + reservation; a refusal throws
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
  let ticket: LeaseTicket | null = null;
  const extra: Array<{ id: string } & SpendAmount> = [];
  const held: SpendAmount = { tokens: 0, usd: 0 };
  let settled = false;
  const raise = async (amount: SpendAmount): Promise<void> => {
    const want = { tokens: Math.max(0, Math.ceil(amount.tokens)), usd: Math.max(0, amount.usd) };
    const admission = app.admission;
    if (admission && admission.state !== "admitted" && !ticket) {
      // The request's first reservation is its admission: one call for both.
      const admitted = await admitOnce(app, want);
      if (admitted) {
        ticket = admitted;
        held.tokens = want.tokens;
        held.usd = want.usd;
        return;
      }
    }
    if (!app.limits) {
      // Only anonymous callers with RATE_LIMITS_ENABLED=false (development) reach here unlimited.
      if (app.principal?.kind === "anonymous" && !app.config.RATE_LIMITS_ENABLED) return;
      throw new Error(`spendHold() on ${app.route}, which has no admitted principal`);
    }
    if (!ticket && admission?.ticket) {
      // The request was admitted before it reserved (ensureAdmitted): this hold owns its claim,
      // and what the admission held for it (a tentative need that fit) counts as held.
      ticket = admission.ticket;
      admission.ticket = null;
      held.tokens += ticket.held.tokens;
      held.usd += ticket.held.usd;
    }
    const more = {
      tokens: Math.max(0, want.tokens - held.tokens),
      usd: Math.max(0, want.usd - held.usd),
    };
    if (more.tokens === 0 && more.usd <= 0) return;
    if (ticket?.topUp(more)) {
      held.tokens += more.tokens;
      held.usd += more.usd;
      return;
    }
    extra.push({ id: await reserveMore(app, more), ...more });
    held.tokens += more.tokens;
    held.usd += more.usd;
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
      if (settled) return;
      settled = true;
      const used = { tokens: Math.max(0, Math.ceil(actual.tokens)), usd: Math.max(0, actual.usd) };
      if (app.limits) app.metrics.inc("ragway_budget_spent_usd_total", {}, used.usd);
      // What was used fills the reservations made by calls first, each up to what it held, so
      // no reservation is refunded before what replaced it is charged; the lease takes the rest.
      const left = { ...used };
      const settles = extra.map((hold, i) => {
        const last = i === extra.length - 1 && !ticket;
        const tokens = last ? left.tokens : Math.min(left.tokens, hold.tokens);
        const usd = last ? left.usd : Math.min(left.usd, hold.usd);
        left.tokens -= tokens;
        left.usd -= usd;
        return { id: hold.id, tokens, usd };
      });
      ticket?.settle(left);
      // Reported with the key's returned leases, after the response: no call of their own.
      queueSettlements(app, settles);
      returnLeases(app);
    },
  };
}

/** Spend held past the end of the request that reserved it, settled later by its id. */
export interface DetachedReservation extends SpendAmount {
  id: string;
  principalId: string;
}

/**
 * Reserves `amount` for work that outlives this request (an ingestion job), or throws the
 * HttpError that refuses it. The request must be admitted. Null when the caller is not limited
 * (anonymous with RATE_LIMITS_ENABLED=false, development only). Whoever does the work settles it
 * with `LimiterObject.settle({ id, ...actual })`; unsettled, it counts as spent after its TTL.
 */
export async function reserveDetached(
  app: AppContext,
  amount: SpendAmount,
): Promise<DetachedReservation | null> {
  const want = { tokens: Math.max(0, Math.ceil(amount.tokens)), usd: Math.max(0, amount.usd) };
  const limits = app.limits;
  if (!limits) {
    if (app.principal?.kind === "anonymous" && !app.config.RATE_LIMITS_ENABLED) return null;
    throw new Error(`reserveDetached() on ${app.route}, which has no admitted principal`);
  }
  const id = await reserveMore(app, want);
  return { id, principalId: limits.principalId, ...want };
}

/** Gives a detached reservation back unused (the work it was for never started). */
export async function releaseDetached(app: AppContext, held: DetachedReservation): Promise<void> {
  const stub = limiterStub(app.env, held.principalId);
  await timedCall(app, "settle", async () => stub.settle({ id: held.id, tokens: 0, usd: 0 }));
}

/** A reservation beyond what the request's lease holds: one call. */
async function reserveMore(app: AppContext, more: SpendAmount): Promise<string> {
  const limits = app.limits;
  if (!limits) throw new Error("reserveMore() without limits");
  if (more.usd > 0) {
    const memoed = limitMemo.check(limits.memoKey, "budget");
    if (memoed) {
      limits.fromMemo = true;
      throw refuse(app, limits, aged(memoed.value), memoed.value.standing, { memo: null });
    }
  }
  const stub = limiterStub(app.env, limits.principalId);
  const result = await timedCall(app, "reserve", async (): Promise<ReserveResult> =>
    stub.reserve(more),
  );
  limits.standing = result.standing;
  if (!result.ok) {
    throw refuse(app, limits, result.decision, result.standing, {
      memo: null,
      requested: more.tokens,
    });
  }
  app.metrics.inc("ragway_ratelimit_allowed_total", { check: "spend" });
  app.metrics.inc("ragway_budget_reserved_usd_total", {}, more.usd);
  app.metrics.inc("ragway_budget_reserved_tokens_total", {}, more.tokens);
  return result.id;
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
