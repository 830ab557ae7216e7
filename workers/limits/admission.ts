// Admission of a limited request: one call to the principal's LIMITER object that admits the
// request and makes its first reservation together (or none while this isolate holds a lease
// from it), and the hand-back of leases and settlements once they are done. Nothing is handed
// back while the handler runs: finishAdmission (the router's finish stage, once the response is
// complete) starts the report in waitUntil, unawaited. It is not put off past the hand-over: a
// client's next request would then race it to the object and could be admitted against a
// budget its previous request had already spent.
import { LeaseHolder, type LeaseTicket } from "../../shared/ratelimit/lease-holder.js";
import type {
  AcquireResult,
  AuthRefusal,
  Credential,
  LeaseReturn,
  Spend,
} from "../../shared/ratelimit/limiter-types.js";
import type { AppContext, RequestLimits } from "../context.js";
import { HttpError } from "../errors.js";
import { scheduleMetricsFlush } from "../metrics.js";
import { grantsOfCaller, learnGrants } from "./grants-memo.js";
import { deniedMemo, limiterStub, refuse, timedCall } from "./limiter-client.js";

/** Who is calling, as the limiter knows them. */
export interface Caller {
  principalId: string;
  memoKey: string;
  credential: Credential;
}

/** The admission a limited request owes, and how it went. */
export interface Admission {
  caller: Caller;
  countRequest: boolean;
  checkBudget: boolean;
  state: "pending" | "admitted" | "refused";
  /** The request's claim on a lease, until a hold takes it over. */
  ticket: LeaseTicket | null;
  /** The admission under way, for siblings that need it too (a batch's items). */
  inFlight: Promise<unknown> | null;
  /**
   * The route's scope check, when the before stage could not make it (this isolate did not know
   * the key's grants): made as soon as the admission returns them.
   */
  authorize: (() => void) | null;
  /** The scope check's refusal, for siblings waiting on the same admission. */
  forbidden: HttpError | null;
  /** The response is complete (finishAdmission ran): settlement may be reported. */
  responded: boolean;
}

/** How long an unknown key is refused from memory (keys are random: it will not appear). */
const UNKNOWN_KEY_MEMO_MS = 60_000;
/** Revocation is final; the memo only saves round trips. */
const REVOKED_KEY_MEMO_MS = 3_600_000;
const MAX_HOLDERS = 10_000;
const ZERO: Spend = { tokens: 0, usd: 0 };

const holders = new Map<string, LeaseHolder>();

function holderFor(memoKey: string): LeaseHolder {
  let holder = holders.get(memoKey);
  if (!holder) {
    if (holders.size >= MAX_HOLDERS) {
      for (const [key, h] of holders) {
        if (h.size === 0) holders.delete(key);
        if (holders.size < MAX_HOLDERS) break;
      }
    }
    holder = new LeaseHolder(() => Date.now());
    holders.set(memoKey, holder);
  }
  return holder;
}

/** Ends this isolate's leases for a key at once (a revocation made here). */
export function dropLeases(memoKey: string): void {
  holders.delete(memoKey);
}

/** A key revoked by this isolate: refused here from now on, before any memoed refusal. */
export function forgetRevoked(keyHash: string): void {
  dropLeases(keyHash);
  deniedMemo.block(keyHash, "denied", Date.now() + REVOKED_KEY_MEMO_MS, "revoked");
}

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
        lease: admission.countRequest,
        returns,
      }),
    counters,
  );
  if (!result.ok) {
    admission.state = "refused";
    dropLeases(caller.memoKey);
    deniedMemo.block(
      caller.memoKey,
      "denied",
      Date.now() + (result.auth === "revoked" ? REVOKED_KEY_MEMO_MS : UNKNOWN_KEY_MEMO_MS),
      result.auth,
    );
    throw unauthorized(app, result.auth, deniedMessage(result.auth));
  }
  holder.standing = result.standing;
  const limits: RequestLimits = { ...newLimits(caller, result.standing), ...counters };
  const { grants } = result.principal;
  if (caller.credential.kind === "key") learnGrants(caller.memoKey, grants);
  app.principal = { id: result.principal.id, kind: result.principal.kind, grants };
  app.limits = limits;
  noteNearLimit(app, caller, result.nearLimit);
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
  if (grant.spareAdmits > 0 || spare) {
    // Hands the lease back when it expires, if no renewal in this isolate did so first.
    app.exec.waitUntil(
      new Promise((resolve) => setTimeout(resolve, grant.ttlMs + 10)).then(() =>
        reportReturns(app, caller, holder.takeReturns()),
      ),
    );
  }
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

/**
 * After a request settled: hands back the leases and settlements that are done, in waitUntil,
 * unless a live lease will carry them with its renewal or its expiry. Before the response is
 * complete this does nothing (finishAdmission calls it then).
 */
export function returnLeases(app: AppContext): void {
  const admission = app.admission;
  if (!admission?.responded) return;
  const { caller } = admission;
  const holder = holders.get(caller.memoKey);
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

async function reportReturns(app: AppContext, caller: Caller, returns: LeaseReturn[]) {
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

function noteNearLimit(app: AppContext, caller: Caller, windows: Array<"day" | "month">) {
  for (const window of windows) {
    app.metrics.inc("ragway_budget_near_limit_total", { window });
    app.logger.info("budget_near_limit", { principal_id: caller.principalId, window });
  }
}

/** A fresh limits view of a request. */
export function newLimits(caller: Caller, standing: RequestLimits["standing"]): RequestLimits {
  return {
    principalId: caller.principalId,
    memoKey: caller.memoKey,
    standing,
    rpcMs: 0,
    rpcCalls: 0,
    fromMemo: false,
    fromLease: false,
  };
}

const BEARER = { "www-authenticate": 'Bearer realm="ragway"' };

/** The message of a key refused by its object. */
export function deniedMessage(auth: AuthRefusal["auth"]): string {
  return auth === "revoked" ? "this API key has been revoked" : "invalid API key";
}

/** A 401, counted. */
export function unauthorized(app: AppContext, reason: string, message: string): HttpError {
  app.metrics.inc("ragway_auth_failures_total", { reason });
  return new HttpError("unauthorized", message, { headers: BEARER });
}
