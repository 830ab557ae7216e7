// Renewing a busy key's lease ahead of need: a request admitted under a lease that finds it
// running low asks the LIMITER object for the next one in waitUntil, and does not wait for the
// answer. The requests after it are admitted from the new lease in the isolate instead of
// waiting for the object when the old one runs out. A key too slow for leases never renews, and
// a renewal the object cannot grant leaves the requests to ask it themselves, as before.
import type { LeaseHolder } from "../../shared/ratelimit/lease-holder.js";
import type { AcquireResult } from "../../shared/ratelimit/limiter-types.js";
import type { AppContext } from "../context.js";
import type { Caller } from "./admission-types.js";
import { learnGrants } from "./grants-memo.js";
import { limiterStub, timedCall } from "./limiter-client.js";
import { noteNearLimit, returnAtExpiry } from "./return-leases.js";
import { denyKey } from "./unauthorized.js";

/**
 * Asks for the caller's next lease in waitUntil when `holder` says it is running low, each
 * expected request needing what the last one held. What the holder is done with goes along, as
 * with any call.
 */
export function renewAhead(app: AppContext, caller: Caller, holder: LeaseHolder): void {
  if (!holder.shouldRenew()) return;
  const need = holder.expected;
  holder.renewalStarted();
  const returns = holder.takeReturns();
  const renew = async (): Promise<void> => {
    const sentAt = Date.now();
    try {
      const result = await timedCall(
        app,
        "renew",
        async (): Promise<AcquireResult> =>
          limiterStub(app.env, caller.principalId).renew({
            credential: caller.credential,
            need,
            returns,
          }),
        // Off the request's critical path: not part of its Server-Timing.
        { rpcMs: 0, rpcCalls: 0 },
      );
      if (!result.ok) {
        // Revoked (or gone): refused here from now on, its leases dropped.
        denyKey(caller.memoKey, result.auth);
        return;
      }
      learnFromAnswer(app, caller, holder, result);
      if (!result.grant) return;
      holder.hold(result.grant, sentAt);
      returnAtExpiry(app, caller, holder, result.grant.ttlMs);
    } catch (err) {
      // What the returns held stays held and counts as spent after its TTL: safe, never lenient.
      app.logger.warn("limiter_renew_failed", { error: String(err) });
    } finally {
      holder.renewalEnded();
    }
  };
  app.exec.waitUntil(renew());
}

/**
 * What an answer of the object that admitted the caller tells this isolate, whichever call it
 * answered: the standing locally admitted requests answer with, the key's grants, and budgets
 * the returned leases carried near their limit.
 */
export function learnFromAnswer(
  app: AppContext,
  caller: Caller,
  holder: LeaseHolder,
  result: Extract<AcquireResult, { ok: true }>,
): void {
  holder.standing = result.standing;
  if (caller.credential.kind === "key") learnGrants(caller.memoKey, result.principal.grants);
  noteNearLimit(app, caller, result.nearLimit);
}
