// Talking to a principal's LIMITER object from a request: the stub, timing of each call
// (Server-Timing, a latency histogram), the isolate's memo of blocked callers, and turning a
// refusal into the 429 (or 413) every limited route answers with.
import { BlockedMemo } from "../../shared/ratelimit/blocked-memo.js";
import type { Decision, LimitReason, Standing } from "../../shared/ratelimit/decision.js";
import { rateLimitHeaders } from "../../shared/ratelimit/headers.js";
import { LEASE_MS } from "../../shared/ratelimit/lease.js";
import type { AppContext } from "../context.js";
import type { LimiterObject } from "../do/limiter-object.js";
import { HttpError } from "../errors.js";
import type { RequestLimits } from "./request-limits.js";

/** The LIMITER object of a principal. */
export function limiterStub(env: Env, principalId: string): DurableObjectStub<LimiterObject> {
  return env.LIMITER.get(env.LIMITER.idFromName(principalId));
}

/**
 * The longest a refusal is answered from memory: a lease's lifetime. The memo skips the object,
 * so it cannot see a revocation made in another isolate: a key revoked while refused keeps its
 * 429 (never a 200) for at most this long there, before the object answers 401.
 */
export const MAX_MEMO_MS = LEASE_MS;

/** A refusal as the object made it, and when (Worker clock). */
export interface MemoedRefusal {
  decision: Decision;
  standing: Standing;
  at: number;
}

/** Callers refused by a limit, until when, with the standing to answer them with. */
export const limitMemo = new BlockedMemo<MemoedRefusal>(() => Date.now());

/** Keys the authority refused (unknown or revoked): both final for a given key. */
export const deniedMemo = new BlockedMemo<"unknown" | "revoked">(() => Date.now());

/** A memoized refusal as it stands now: its times shortened by how long ago it was made. */
export function aged(memoed: MemoedRefusal): Decision {
  const elapsed = Math.max(0, Date.now() - memoed.at);
  const { decision } = memoed;
  return {
    ...decision,
    retryAfterMs: Math.max(1, decision.retryAfterMs - elapsed),
    resetMs: Math.max(0, decision.resetMs - elapsed),
  };
}

/** Runs one call to the LIMITER object, accounting its time to the request. */
export async function timedCall<T>(
  app: AppContext,
  op: "acquire" | "renew" | "reserve" | "report" | "settle",
  call: () => Promise<T>,
  limits?: Pick<RequestLimits, "rpcMs" | "rpcCalls">,
): Promise<T> {
  const started = performance.now();
  try {
    return await call();
  } finally {
    const ms = performance.now() - started;
    app.metrics.observe("ragway_limiter_call_seconds", { op }, ms / 1000);
    const target = limits ?? app.limits;
    if (target) {
      target.rpcMs += ms;
      target.rpcCalls++;
    }
  }
}

/**
 * A refusal by the caller's limits (429, 413), as distinct from any other error: `tryRaise`
 * answers false for it, and a batch whose every item it refused is refused as a whole.
 */
export class LimitRefusal extends HttpError {
  constructor(error: HttpError) {
    super(error.code, error.message, {
      param: error.param,
      headers: error.headers,
      ...(error.details ? { details: error.details } : {}),
    });
  }
}

/** The error a refusal is answered with. `requested` is the token estimate, for 413s. */
export function limitError(decision: Decision, requested?: number): HttpError {
  const reason: LimitReason = decision.reason ?? "requests";
  const retryS = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  const retryHeaders = {
    "retry-after": String(retryS),
    "retry-after-ms": String(Math.max(1, Math.ceil(decision.retryAfterMs))),
  };
  switch (reason) {
    case "requests":
      return new HttpError(
        "rate_limit_exceeded",
        `Rate limit reached: ${decision.limit} requests per minute. Retry in ${retryS} s.`,
        { headers: retryHeaders, details: { reason } },
      );
    case "tokens":
      return new HttpError(
        "rate_limit_exceeded",
        `Rate limit reached: ${decision.limit} tokens per minute, ${decision.remaining} left. ` +
          `Retry in ${retryS} s.`,
        { headers: retryHeaders, details: { reason } },
      );
    case "request_too_large":
      return new HttpError(
        "request_too_large",
        `This request needs about ${requested ?? "more"} tokens, more than this key's limit of ` +
          `${decision.limit} tokens per minute: it can never be admitted. Make it smaller ` +
          `(fewer documents, a lower k or max_context_tokens).`,
        { details: { reason } },
      );
    case "daily_budget":
    case "monthly_budget": {
      const which = reason === "daily_budget" ? "daily" : "monthly";
      const limitUsd = decision.limit / 1e9;
      const resetAt = new Date(Date.now() + decision.resetMs).toISOString();
      const inFlight = decision.retryAfterMs < decision.resetMs;
      return new HttpError(
        "insufficient_quota",
        inFlight
          ? `The ${which} budget of $${limitUsd} is held by requests in flight. Retry in ${retryS} s.`
          : `The ${which} budget of $${limitUsd} is spent; it resets at ${resetAt}.`,
        { headers: retryHeaders, details: { reason } },
      );
    }
  }
}

/** Records a refusal (memo, metrics, headers) and returns the error to throw. */
export function refuse(
  app: AppContext,
  limits: RequestLimits,
  decision: Decision,
  standing: Standing,
  options: { memo: "requests" | "budget" | null; requested?: number },
): LimitRefusal {
  limits.standing = standing;
  if (options.memo && decision.retryAfterMs > 0) {
    const at = Date.now();
    const memoMs = Math.min(decision.retryAfterMs, MAX_MEMO_MS);
    limitMemo.block(limits.memoKey, options.memo, at + memoMs, { decision, standing, at });
  }
  app.metrics.inc("ragway_ratelimit_limited_total", {
    reason: decision.reason ?? "requests",
    source: limits.fromMemo ? "memo" : "object",
  });
  app.logFields.limited = decision.reason;
  return new LimitRefusal(limitError(decision, options.requested));
}

/** The rate-limit headers for this request's standing, and its Server-Timing entry. */
export function limitHeaders(limits: RequestLimits): Record<string, string> {
  const timing = limits.fromMemo
    ? 'limiter;desc="memo";dur=0'
    : limits.fromLease
      ? 'limiter;desc="lease";dur=0'
      : `limiter;desc="${limits.rpcCalls} calls";dur=${limits.rpcMs.toFixed(2)}`;
  return { ...rateLimitHeaders(limits.standing), "server-timing": timing };
}
