// Keys the authority refused: the 401 a request with one is answered with, and the isolate's memo
// that refuses the key again without a call. Both refusals are final for a key (keys are random,
// revocation is permanent), so the memo only saves round trips; a revocation made in this isolate
// also ends its leases at once.
import type { AuthRefusal } from "../../shared/ratelimit/limiter-types.js";
import type { AppContext } from "../context.js";
import { HttpError } from "../errors.js";
import { dropLeases } from "./lease-holders.js";
import { deniedMemo } from "./limiter-client.js";

/** How long an unknown key is refused from memory (keys are random: it will not appear). */
const UNKNOWN_KEY_MEMO_MS = 60_000;
/** Revocation is final; the memo only saves round trips. */
const REVOKED_KEY_MEMO_MS = 3_600_000;

/** The challenge every 401 carries (RFC 6750). */
export const BEARER = { "www-authenticate": 'Bearer realm="ragway"' };

/** A key its object refused: its leases end here and the isolate refuses it from memory. */
export function denyKey(memoKey: string, auth: AuthRefusal["auth"]): void {
  dropLeases(memoKey);
  deniedMemo.block(
    memoKey,
    "denied",
    Date.now() + (auth === "revoked" ? REVOKED_KEY_MEMO_MS : UNKNOWN_KEY_MEMO_MS),
    auth,
  );
}

/** A key revoked by this isolate: refused here from now on, before any memoed refusal. */
export function forgetRevoked(keyHash: string): void {
  denyKey(keyHash, "revoked");
}

/** The message of a key refused by its object. */
export function deniedMessage(auth: AuthRefusal["auth"]): string {
  return auth === "revoked" ? "this API key has been revoked" : "invalid API key";
}

/** A 401, counted. */
export function unauthorized(app: AppContext, reason: string, message: string): HttpError {
  app.metrics.inc("ragway_auth_failures_total", { reason });
  return new HttpError("unauthorized", message, { headers: BEARER });
}
