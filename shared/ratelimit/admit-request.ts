// Admission decisions: authenticate a request, check the request window (and, for routes that
// spend, whether a budget is already gone), and count it. A refusal by the window counts nothing.
// The decisions and the admitted result built here are shared with grant-lease, which admits a
// request together with its first reservation.
import type { Decision } from "./decision.js";
import type { LimiterCore } from "./limiter-core.js";
import type { AdmitInput, AdmitResult, PrincipalRecord } from "./limiter-types.js";
import type { Limits } from "./limits.js";
import { grantsOf } from "../tenancy/grants.js";

/** An admitted (authenticated) result: allowed, or refused by a limit. */
export type Admitted = Extract<AdmitResult, { ok: true }>;

/** Authenticates, then (optionally) checks that budgets remain and counts the request. */
export function admitRequest(core: LimiterCore, input: AdmitInput): AdmitResult {
  const auth = core.authenticate(input.credential);
  if (!auth.ok) return auth;
  const { limits } = auth.record;
  const now = core.clock();
  core.housekeeping(now);

  const budget = input.checkBudget ? core.ledger.refusal(limits, 0, now, true) : null;
  if (budget) return admittedResult(core, auth.record, budget, now);
  if (!input.countRequest) {
    return admittedResult(core, auth.record, windowDecision(core, limits, now), now);
  }
  const check = core.log.check(now, limits.rpm);
  if (!check.allowed) return admittedResult(core, auth.record, rpmRefusal(limits, check), now);
  core.store.putLogEntry(core.log.add(now));
  return admittedResult(core, auth.record, windowDecision(core, limits, now), now);
}

/** The result of an authenticated request: who it is (with its grants), the decision, the standing. */
export function admittedResult(
  core: LimiterCore,
  record: PrincipalRecord,
  decision: Decision,
  now: number,
): Admitted {
  return {
    ok: true,
    principal: {
      id: record.id,
      kind: record.kind,
      name: record.name,
      grants: grantsOf(record.grants),
    },
    decision,
    standing: core.standingAt(record.limits, now),
  };
}

/** An allowed decision, reporting the request window as it stands. */
export function windowDecision(core: LimiterCore, limits: Limits, now: number): Decision {
  return {
    allowed: true,
    reason: null,
    limit: limits.rpm,
    remaining: Math.max(0, limits.rpm - core.log.used(now)),
    resetMs: core.log.resetMs(now),
    retryAfterMs: 0,
    policy: "rpm",
  };
}

/** The request window's refusal, from the log's check. */
export function rpmRefusal(
  limits: Limits,
  check: { resetMs: number; retryAfterMs: number },
): Decision {
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
