// The before stage for limited routes: who is calling (API key, or an anonymous client IP when
// ALLOW_ANONYMOUS), then one call to that principal's LIMITER object, which confirms the key's
// status (revocation is immediate everywhere) and counts the request. Callers the isolate already
// knows to be refused are answered from its memo, without the round trip.
import type { AdmitResult, Credential } from "../../shared/ratelimit/limiter-types.js";
import { hashApiKey, keyFormatOf } from "../../shared/security/api-key.js";
import { anonymousPrincipalId } from "../../shared/security/client-id.js";
import { FULL_DEFAULT_GRANTS } from "../../shared/tenancy/grants.js";
import { bearerToken, clientAddress } from "../auth.js";
import type { AppContext, RequestLimits } from "../context.js";
import { HttpError } from "../errors.js";
import { aged, deniedMemo, limitMemo, limiterStub, refuse, timedCall } from "./limiter-client.js";
import type { RoutePolicy } from "./route-policy.js";

/** How long an unknown key is refused from memory (keys are random: it will not appear). */
const UNKNOWN_KEY_MEMO_MS = 60_000;
/** Revocation is final; the memo only saves round trips. */
const REVOKED_KEY_MEMO_MS = 3_600_000;

const BEARER = { "www-authenticate": 'Bearer realm="ragway"' };

/** Authenticates and admits the request under `policy`; throws 401/429 HttpErrors. */
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

  await admit(app, who, policy);
}

interface Caller {
  principalId: string;
  memoKey: string;
  credential: Credential;
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
    keyFormatOf(token).kind === "foreign"
  );
}

async function keyed(token: string, app: AppContext): Promise<Caller> {
  // The checksum refuses mistyped and forged keys here, before any Durable Object is addressed.
  const format = keyFormatOf(token);
  if (format.kind === "bad_checksum") throw unauthorized(app, "bad_checksum", "invalid API key");
  if (format.kind === "foreign") throw unauthorized(app, "unknown", "invalid API key");
  const keyId = format.id;
  const hash = await hashApiKey(token);
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

/** One call to the caller's LIMITER object (or its memo); sets `app.principal` and `app.limits`. */
async function admit(app: AppContext, who: Caller, policy: RoutePolicy): Promise<void> {
  // Budgets are checked at the door only where money can be spent: a caller whose budget is gone
  // must not even make the query embedding an upstream would bill.
  const checkBudget = policy.spends && app.config.providerMode === "openai";
  const memoed =
    (policy.countRequest ? limitMemo.check(who.memoKey, "requests") : null) ??
    (checkBudget ? limitMemo.check(who.memoKey, "budget") : null);
  if (memoed) {
    const { standing } = memoed.value;
    const decision = aged(memoed.value);
    const limits = newLimits(who, standing);
    limits.fromMemo = true;
    if (decision.reason === "requests") {
      limits.standing = {
        ...standing,
        requests: { ...standing.requests, remaining: 0, resetMs: decision.resetMs },
      };
    }
    app.principal = { id: who.principalId, kind: who.credential.kind };
    app.limits = limits;
    throw refuse(app, limits, decision, limits.standing, { memo: null });
  }

  const counters = { rpcMs: 0, rpcCalls: 0 };
  const result: AdmitResult = await timedCall(
    app,
    "admit",
    async (): Promise<AdmitResult> =>
      limiterStub(app.env, who.principalId).admit({
        credential: who.credential,
        countRequest: policy.countRequest,
        checkBudget,
      }),
    counters,
  );
  if (!result.ok) {
    deniedMemo.block(
      who.memoKey,
      "denied",
      Date.now() + (result.auth === "revoked" ? REVOKED_KEY_MEMO_MS : UNKNOWN_KEY_MEMO_MS),
      result.auth,
    );
    throw unauthorized(app, result.auth, deniedMessage(result.auth));
  }
  const limits = { ...newLimits(who, result.standing), ...counters, requestAt: result.requestAt };
  app.principal = {
    id: result.principal.id,
    kind: result.principal.kind,
    grants: result.principal.grants,
  };
  app.limits = limits;
  if (!result.decision.allowed) {
    const memo = result.decision.reason === "requests" ? "requests" : "budget";
    throw refuse(app, limits, result.decision, result.standing, { memo });
  }
  app.metrics.inc("ragway_ratelimit_allowed_total", { check: "request" });
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

function newLimits(who: Caller, standing: RequestLimits["standing"]): RequestLimits {
  return {
    principalId: who.principalId,
    memoKey: who.memoKey,
    requestAt: null,
    standing,
    reservations: 0,
    concurrentReservations: false,
    rpcMs: 0,
    rpcCalls: 0,
    fromMemo: false,
  };
}

function deniedMessage(auth: "unknown" | "revoked"): string {
  return auth === "revoked" ? "this API key has been revoked" : "invalid API key";
}

function unauthorized(app: AppContext, reason: string, message: string): HttpError {
  app.metrics.inc("ragway_auth_failures_total", { reason });
  return new HttpError("unauthorized", message, { headers: BEARER });
}
