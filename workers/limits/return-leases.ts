// The hand-back of leases and settlements to the principal's LIMITER object once they are done.
// Nothing is handed back while the handler runs: finishAdmission (the router's finish stage, once
// the response is complete) starts the report in waitUntil, unawaited. It is not put off past the
// hand-over: a client's next request would then race it to the object and could be admitted
// against a budget its previous request had already spent.
import type { LeaseHolder } from "../../shared/ratelimit/lease-holder.js";
import type { LeaseReturn, Spend } from "../../shared/ratelimit/limiter-types.js";
import type { AppContext } from "../context.js";
import { scheduleMetricsFlush } from "../metrics.js";
import type { Caller } from "./admission-types.js";
import { existingHolder, holderFor } from "./lease-holders.js";
import { limiterStub, timedCall } from "./limiter-client.js";

const ZERO: Spend = { tokens: 0, usd: 0 };

/**
 * When the response is complete: a claim no hold took over used nothing, and what is done
 * (leases, settlements) goes back to the object from now on.
 */
export function finishAdmission(app: AppContext): void {
  const admission = app.admission;
  if (!admission || admission.state !== "admitted") return;
  if (admission.ticket) {
    admission.ticket.settle(ZERO);
    admission.ticket = null;
  }
  admission.responded = true;
  returnLeases(app);
}

/**
 * After a request settled: hands back the leases and settlements that are done, in waitUntil,
 * unless a live lease will carry them with its renewal or its expiry. Before the response is
 * complete this does nothing (finishAdmission calls it then).
 */
export function returnLeases(app: AppContext): void {
  const admission = app.admission;
  if (!admission?.responded) return;
  const { caller } = admission;
  const holder = existingHolder(caller.memoKey);
  if (!holder || holder.hasLive()) return;
  const returns = holder.takeReturns();
  if (returns.length === 0) return;
  app.exec.waitUntil(
    // What the report records leaves with a flush of its own (the request's may have gone).
    reportReturns(app, caller, returns).then(() => scheduleMetricsFlush(app)),
  );
}

/**
 * Queues the settlement of reservations made by calls of their own (beyond a lease), to be
 * reported with the key's returned leases rather than one call each.
 */
export function queueSettlements(app: AppContext, settles: Array<{ id: string } & Spend>): void {
  const caller = app.admission?.caller;
  if (!caller) return;
  const holder = holderFor(caller.memoKey);
  for (const s of settles) holder.queueSettlement(s.id, { tokens: s.tokens, usd: s.usd });
}

/**
 * Hands a lease just granted back when it expires (`ttlMs`), with whatever else the holder is
 * done with then, unless a call from this isolate carried it first.
 */
export function returnAtExpiry(
  app: AppContext,
  caller: Caller,
  holder: LeaseHolder,
  ttlMs: number,
): void {
  app.exec.waitUntil(
    new Promise((resolve) => setTimeout(resolve, ttlMs + 10)).then(() =>
      reportReturns(app, caller, holder.takeReturns()),
    ),
  );
}

/**
 * Reports `returns` to the caller's object in one call. Never throws: a failed report leaves the
 * reservations held, and they count as spent after their TTL.
 */
export async function reportReturns(
  app: AppContext,
  caller: Caller,
  returns: LeaseReturn[],
): Promise<void> {
  if (returns.length === 0) return;
  try {
    const done = await timedCall(app, "report", async () =>
      limiterStub(app.env, caller.principalId).report(returns),
    );
    noteNearLimit(app, caller, done.nearLimit);
  } catch (err) {
    // The reservations stay held and count as spent after their TTL: safe, never lenient.
    app.logger.warn("limiter_report_failed", { error: String(err) });
  }
}

/** Counts and logs each budget window the object reported the caller near its limit in. */
export function noteNearLimit(app: AppContext, caller: Caller, windows: Array<"day" | "month">) {
  for (const window of windows) {
    app.metrics.inc("ragway_budget_near_limit_total", { window });
    app.logger.info("budget_near_limit", { principal_id: caller.principalId, window });
  }
}
