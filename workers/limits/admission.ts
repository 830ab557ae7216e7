// Admission of a limited request: one call to the principal's LIMITER object that admits the
// request and makes its first reservation together (or none while this isolate holds a lease
// from it, and knows the key's grants so its scope can be checked here too). A batch's items
// share one admission: the first to need it makes it, the others wait for it. Handing leases and
// settlements back once the response is complete is return-leases; asking for the next lease
// before this one runs out is renew-lease.
import type { LeaseTicket } from "../../shared/ratelimit/lease-holder.js";
import type { AcquireResult, Spend } from "../../shared/ratelimit/limiter-types.js";
import type { AppContext } from "../context.js";
import { HttpError } from "../errors.js";
import type { Admission } from "./admission-types.js";
import { grantsOfCaller } from "./grants-memo.js";
import { holderFor } from "./lease-holders.js";
import { limiterStub, refuse, timedCall } from "./limiter-client.js";
import { newLimits, type RequestLimits } from "./request-limits.js";
import { learnFromAnswer, renewAhead } from "./renew-lease.js";
import { returnAtExpiry } from "./return-leases.js";
import { deniedMessage, denyKey, unauthorized } from "./unauthorized.js";

const ZERO: Spend = { tokens: 0, usd: 0 };

/**
 * Admits the request if it still owes its admission, reserving nothing (e.g. a cache hit), or
 * tentatively `likely`: what its first reservation will probably be, held if it fits.
 */
export async function ensureAdmitted(app: AppContext, likely: Spend = ZERO): Promise<void> {
  const ticket = await admitOnce(app, likely, true);
  // Kept for a hold made later in the request, else settled at zero when the request ends.
  if (ticket && app.admission) app.admission.ticket = ticket;
}

/**
 * Makes the caller's grants known before a handler reads them (its namespace): admits the
 * request now if it still owes its admission and this isolate has not learned them. A key seen
 * before (or holding a lease) costs no call. `likely` is what the route's first reservation will
 * probably be (e.g. the question's embedding, or a function that computes it): held tentatively by the same call, so that
 * reservation is taken from it without a second one (a need that does not fit is not refused
 * here: the reservation itself decides, as it would have).
 */
export async function ensureGrants(
  app: AppContext,
  likely: Spend | (() => Spend) = ZERO,
): Promise<void> {
  if (app.principal?.grants || app.admission?.state !== "pending") return;
  // A function is only called here, when the admission happens (counting tokens is not free).
  await ensureAdmitted(app, typeof likely === "function" ? likely() : likely);
}

/**
 * Admits the request with `need` as its first reservation if it still owes its admission, and
 * returns its claim; null when it was already admitted (by this call's sibling, which may still
 * be at it: a batch's items wait for it). A refusal of the request throws for every caller.
 */
export async function admitOnce(
  app: AppContext,
  need: Spend,
  tentative = false,
): Promise<LeaseTicket | null> {
  const admission = app.admission;
  if (!admission) return null;
  if (admission.state === "pending" && !admission.inFlight) {
    const admitting = admitWith(app, need, tentative);
    admission.inFlight = admitting;
    const ticket = await admitting;
    admission.ticket = null;
    return ticket;
  }
  if (admission.inFlight) {
    await admission.inFlight.catch(() => undefined);
    if (admission.state !== "admitted") await admission.inFlight;
  }
  if (admission.forbidden) throw admission.forbidden;
  return null;
}

/**
 * Admits the pending request with its first reservation `need` (only held if it fits, when
 * `tentative`): taken from a live lease when this isolate holds one that covers it, else one
 * `acquire` call. Throws the 401/413/429.
 */
async function admitWith(app: AppContext, need: Spend, tentative: boolean): Promise<LeaseTicket> {
  const admission = app.admission;
  if (!admission || admission.state !== "pending") {
    throw new Error(`admitWith() on ${app.route}: the request is not awaiting admission`);
  }
  const { caller } = admission;
  const holder = holderFor(caller.memoKey);
  // A key's third request within a lease's lifetime in this isolate is the first to ask for one.
  const busy = admission.countRequest && holder.noteRequest();
  const known = grantsOfCaller(caller);
  app.principal = { id: caller.principalId, kind: caller.credential.kind, grants: known };
  // A lease admits locally only with the key's grants known, so its scope is checked here too.
  if (admission.countRequest && holder.standing && known) {
    const local = holder.take(need);
    if (local) {
      admission.state = "admitted";
      admission.ticket = local;
      app.limits = { ...newLimits(caller, holder.standing), fromLease: true };
      app.metrics.inc("ragway_ratelimit_allowed_total", { check: "request" });
      renewAhead(app, caller, holder);
      authorizeAdmitted(admission);
      return local;
    }
  }
  const counters = { rpcMs: 0, rpcCalls: 0 };
  const returns = holder.takeReturns(!admission.countRequest);
  const sentAt = Date.now();
  const result: AcquireResult = await timedCall(
    app,
    "acquire",
    async (): Promise<AcquireResult> =>
      limiterStub(app.env, caller.principalId).acquire({
        credential: caller.credential,
        countRequest: admission.countRequest,
        checkBudget: admission.checkBudget,
        need,
        tentative,
        lease: busy,
        returns,
      }),
    counters,
  );
  if (!result.ok) {
    admission.state = "refused";
    denyKey(caller.memoKey, result.auth);
    throw unauthorized(app, result.auth, deniedMessage(result.auth));
  }
  const limits: RequestLimits = { ...newLimits(caller, result.standing), ...counters };
  const { grants } = result.principal;
  app.principal = { id: result.principal.id, kind: result.principal.kind, grants };
  app.limits = limits;
  learnFromAnswer(app, caller, holder, result);
  const { decision, grant } = result;
  if (!grant) {
    // A refusal by the request window counted nothing; any later refusal counted the request.
    admission.state = decision.reason === "requests" ? "refused" : "admitted";
    const untilReset = decision.retryAfterMs >= decision.resetMs;
    const memo =
      decision.reason === "requests"
        ? "requests"
        : (decision.reason === "daily_budget" || decision.reason === "monthly_budget") && untilReset
          ? "budget"
          : null;
    throw refuse(app, limits, decision, result.standing, { memo, requested: need.tokens });
  }
  admission.state = "admitted";
  const ticket = holder.install(grant, sentAt, need);
  admission.ticket = ticket;
  app.metrics.inc("ragway_ratelimit_allowed_total", { check: "request" });
  const spare = grant.held.tokens > need.tokens || grant.held.usd > need.usd;
  if (grant.spareAdmits > 0 || spare) returnAtExpiry(app, caller, holder, grant.ttlMs);
  // A scope refusal now: the request counted, and its claim is settled at zero when it ends.
  authorizeAdmitted(admission);
  return ticket;
}

/** Makes the scope check the before stage left to the admission; keeps its refusal. */
function authorizeAdmitted(admission: Admission): void {
  const authorize = admission.authorize;
  if (!authorize) return;
  admission.authorize = null;
  try {
    authorize();
  } catch (err) {
    if (err instanceof HttpError) admission.forbidden = err;
    throw err;
  }
}
