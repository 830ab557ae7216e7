// The before stage for limited routes: who is calling (API key, or an anonymous client IP when
// ALLOW_ANONYMOUS), and the admission the request owes. Routes that spend defer it to their first
// reservation, so admitting and reserving are one call to the LIMITER object; every other route
// is admitted here. Callers the isolate already knows to be refused are answered from its memos
// (a revocation seen by this isolate before any refusal: revocation wins).
import { keyIdOf, hashApiKey } from "../../shared/security/api-key.js";
import { sha256Hex } from "../../shared/util/hash.js";
import { bearerToken } from "../auth.js";
import type { AppContext } from "../context.js";
import { HttpError } from "../errors.js";
import {
  deniedMessage,
  ensureAdmitted,
  newLimits,
  unauthorized,
  type Caller,
} from "./admission.js";
import { aged, deniedMemo, limitMemo, refuse } from "./limiter-client.js";
import type { RoutePolicy } from "./route-policy.js";

const BEARER = { "www-authenticate": 'Bearer realm="ragway"' };

/** Authenticates the request under `policy` and admits it unless its route spends; throws. */
export async function authenticate(
  request: Request,
  app: AppContext,
  policy: RoutePolicy,
): Promise<void> {
  if (!policy.principal) return;
  const token = bearerTokenOr401(request, app);
  const who = token === null ? await anonymous(request, app) : await keyed(token, app);
  if (!who) return; // anonymous with rate limits switched off (development only)

  // Budgets are checked at the door only where money can be spent: a caller whose budget is gone
  // must not even make the query embedding an upstream would bill.
  const checkBudget = policy.spends && app.config.providerMode === "openai";
  answerFromMemo(app, who, policy.countRequest, checkBudget);
  app.admission = {
    caller: who,
    countRequest: policy.countRequest,
    checkBudget,
    state: "pending",
    ticket: null,
    inFlight: null,
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

async function keyed(token: string, app: AppContext): Promise<Caller> {
  const keyId = keyIdOf(token);
  if (!keyId) throw unauthorized(app, "unknown", "invalid API key");
  const hash = await hashApiKey(token);
  const denied = deniedMemo.check(hash, "denied");
  if (denied) throw unauthorized(app, denied.value, deniedMessage(denied.value));
  return { principalId: keyId, memoKey: hash, credential: { kind: "key", hash } };
}

async function anonymous(request: Request, app: AppContext): Promise<Caller | null> {
  if (!app.config.ALLOW_ANONYMOUS) {
    throw unauthorized(app, "missing", "missing API key: send it as 'Authorization: Bearer <key>'");
  }
  // The IP is hashed at once: principal ids appear in logs, and raw IPs must not.
  const ip = request.headers.get("cf-connecting-ip") ?? "unknown";
  const principalId = `anon_${(await sha256Hex(`ragway-anonymous:${ip}`)).slice(0, 24)}`;
  app.principal = { id: principalId, kind: "anonymous" };
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
  app.principal = { id: who.principalId, kind: who.credential.kind };
  app.limits = limits;
  throw refuse(app, limits, decision, limits.standing, { memo: null });
}
