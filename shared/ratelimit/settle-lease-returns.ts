// Lease returns: settling what an isolate hands back once a lease is done. Unused spare admits
// leave the request window (from the instant they were logged at), and the lease's reservation is
// settled with what the requests under it actually spent; a lease that held nothing but whose
// requests spent something is charged through an empty reservation, like any other overrun.
import type { LimiterCore } from "./limiter-core.js";
import type { LeaseReturn, ReportResult } from "./limiter-types.js";
import { settleReservation } from "./reserve-spend.js";

/** Settles leases an isolate hands back; the budgets their spend carried past 80%. */
export function settleLeaseReturns(
  core: LimiterCore,
  returns: LeaseReturn[],
  now: number,
): Array<"day" | "month"> {
  const p = core.principal;
  if (!p) return [];
  const near = new Set<"day" | "month">();
  for (const r of returns) {
    if (r.spareAt !== null && r.unusedAdmits > 0) {
      const entry = core.log.release(r.spareAt, r.unusedAdmits);
      if (entry) core.store.putLogEntry(entry);
    }
    const spent = r.used.tokens > 0 || r.used.usd > 0;
    const id = r.reservationId ?? (spent ? core.ledger.hold(core.newId(), 0, 0, now).id : null);
    if (id) {
      for (const w of settleReservation(core, id, r.used, p.limits, now)) near.add(w);
    }
  }
  return [...near];
}

/** Settles returned leases outside an admission (the isolate's report): with the standing after. */
export function reportLeaseReturns(core: LimiterCore, returns: LeaseReturn[]): ReportResult {
  const p = core.principal;
  if (!p) return { standing: null, nearLimit: [] };
  const now = core.clock();
  const nearLimit = settleLeaseReturns(core, returns, now);
  core.housekeeping(now);
  return { standing: core.standingAt(p.limits, now), nearLimit };
}
