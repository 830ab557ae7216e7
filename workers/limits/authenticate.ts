// The before stage for limited routes: who is calling (API key, or an anonymous client IP when
// ALLOW_ANONYMOUS), and the admission the request owes. Routes that spend defer it to their first
// reservation, so admitting and reserving are one call to the LIMITER object; every other route
// is admitted here. Callers the isolate already knows to be refused are answered from its memos
// (a revocation seen by this isolate before any refusal: revocation wins).
import { hashApiKey, keyFormatOf } from "../../shared/security/api-key.js";
import { anonymousPrincipalId } from "../../shared/security/client-id.js";
import { FULL_DEFAULT_GRANTS } from "../../shared/tenancy/grants.js";
import { bearerToken, clientAddress } from "../auth.js";
import type { AppContext } from "../context.js";
import { HttpError } from "../errors.js";
import { ensureAdmitted } from "./admission.js";
import type { Caller } from "./admission-types.js";
import { grantsOfCaller } from "./grants-memo.js";
import { aged, deniedMemo, limitMemo, refuse } from "./limiter-client.js";
import { newLimits } from "./request-limits.js";
import type { RoutePolicy } from "./route-policy.js";
import { BEARER, deniedMessage, unauthorized } from "./unauthorized.js";

/** Authenticates the request under `policy` and admits it unless its route spends; throws. */
export async function authenticate(
  request: Request,
  app: AppContext,
  policy: RoutePolicy,
): Promise<void> {
  if (!policy.principal) return;
  const token = bearerTokenOr401(request, app);
  const who =
    token === null || isPlaceholder(token, app)
      ? await anonymous(request, app)
      : await keyed(token, app);
  if (!who) return; // anonymous with rate limits switched off (development only)

  // Budgets are checked at the door only where money can be spent: a caller whose budget is gone
  // must not even make the query embedding an upstream would bill.
  const checkBudget = policy.spends && app.config.providerMode === "openai";
  answerFromMemo(app, who, policy.countRequest, checkBudget);
  // Who is calling is known from here on (a chat's cache and counts are scoped by it). Grants
  // known here (anonymous, or a key this isolate has seen) let the before stage authorize the
  // route at once; otherwise the admission does, as soon as its call returns them.
  app.principal = {
    id: who.principalId,
    kind: who.credential.kind,
    grants: grantsOfCaller(who),
  };
  app.admission = {
    caller: who,
    countRequest: policy.countRequest,
    checkBudget,
    state: "pending",
    ticket: null,
    inFlight: null,
    authorize: null,
    forbidden: null,
    responded: false,
  };
  if (!policy.spends || !policy.countRequest) await ensureAdmitted(app);
}

function bearerTokenOr401(request: Request, app: AppContext): string | null {
  try {
    return bearerToken(request);
  } catch (err) {
    app.metrics.inc("ragway_auth_failures_total", { reason: "malformed" });
    if (err instanceof HttpError) {
      throw new HttpError(err.code, err.message, { headers: BEARER });
    }
    throw err;
  }
}

/**
 * In development with anonymous access on, a token that is not a ragway key at all (the
 * "unused-locally" an OpenAI SDK needs) is a placeholder, as local model servers treat it: the
 * caller is anonymous. Anything shaped like a ragway key is still checked, and production
 * (where anonymous access is refused by configuration) never gets here.
 */
function isPlaceholder(token: string, app: AppContext): boolean {
  return (
    app.config.ALLOW_ANONYMOUS &&
    app.config.ENVIRONMENT !== "production" &&
    !wellFormed.has(token) &&
    keyFormatOf(token).kind === "foreign"
  );
}

/** Well-formed keys this isolate has seen, with their hash: the checksum and the SHA-256 are
 * computed once per key, not per request (both showed in the request path's CPU profile). What
 * the key may do is still decided by its object or a lease, never by this memo. */
const wellFormed = new Map<string, { id: string; hash: string }>();
const MAX_WELL_FORMED = 1024;

async function keyed(token: string, app: AppContext): Promise<Caller> {
  let known = wellFormed.get(token);
  if (!known) {
    // The checksum refuses mistyped and forged keys here, before any Durable Object is addressed.
    const format = keyFormatOf(token);
    if (format.kind === "bad_checksum") throw unauthorized(app, "bad_checksum", "invalid API key");
    if (format.kind === "foreign") throw unauthorized(app, "unknown", "invalid API key");
    known = { id: format.id, hash: await hashApiKey(token) };
    if (wellFormed.size >= MAX_WELL_FORMED) wellFormed.clear();
    wellFormed.set(token, known);
  }
  const { id: keyId, hash } = known;
  const denied = deniedMemo.check(hash, "denied");
  if (denied) throw unauthorized(app, denied.value, deniedMessage(denied.value));
  return { principalId: keyId, memoKey: hash, credential: { kind: "key", hash } };
}

async function anonymous(request: Request, app: AppContext): Promise<Caller | null> {
  if (!app.config.ALLOW_ANONYMOUS) {
    throw unauthorized(app, "missing", "missing API key: send it as 'Authorization: Bearer <key>'");
  }
  // The IP is hashed at once, under a secret: principal ids appear in logs, and raw IPs (or an
  // unsalted hash of one, reversible for IPv4) must not.
  const principalId = await anonymousPrincipalId(anonymousIdSecret(app), clientAddress(request));
  // Anonymous callers (development only) may do everything on `default`: the quick start.
  app.principal = { id: principalId, kind: "anonymous", grants: FULL_DEFAULT_GRANTS };
  if (!app.config.RATE_LIMITS_ENABLED) return null;
  return {
    principalId,
    memoKey: principalId,
    credential: { kind: "anonymous", id: principalId, limits: app.config.anonymousLimits },
  };
}

/** Refuses from the isolate's memo of limited callers, without a call; counts nothing. */
function answerFromMemo(
  app: AppContext,
  who: Caller,
  countRequest: boolean,
  checkBudget: boolean,
): void {
  const memoed =
    (countRequest ? limitMemo.check(who.memoKey, "requests") : null) ??
    (checkBudget ? limitMemo.check(who.memoKey, "budget") : null);
  if (!memoed) return;
  const { standing } = memoed.value;
  const decision = aged(memoed.value);
  const limits = { ...newLimits(who, standing), fromMemo: true };
  if (decision.reason === "requests") {
    limits.standing = {
      ...standing,
      requests: { ...standing.requests, remaining: 0, resetMs: decision.resetMs },
    };
  }
  app.principal = { id: who.principalId, kind: who.credential.kind, grants: grantsOfCaller(who) };
  app.limits = limits;
  throw refuse(app, limits, decision, limits.standing, { memo: null });
}

/** A secret random to each isolate, for deployments without ADMIN_TOKEN (development only);
 * made on first use, since Workers refuse random values at global scope. */
let isolateSecret: string | null = null;

/** The HMAC key of anonymous ids: derived from ADMIN_TOKEN, a secret every production has. */
function anonymousIdSecret(app: AppContext): string {
  const admin = app.config.ADMIN_TOKEN;
  if (admin) return `ragway-anonymous-id:${admin}`;
  isolateSecret ??= crypto.randomUUID();
  return isolateSecret;
}
