// Who a credential is, as one principal's limiter sees it: a key is its stored hash (compared
// without an early exit), an anonymous caller follows the configured anonymous limits.
import type { Limits } from "./limits.js";
import type { AuthRefusal, Credential, PrincipalRecord } from "./limiter-types.js";

/** The outcome of checking a credential against the principal a limiter holds. */
export type AuthOutcome = { ok: true; record: PrincipalRecord; changed: boolean } | AuthRefusal;

/**
 * Checks `credential` against `principal`. An anonymous caller seen first, or whose configured
 * limits changed, gets a new record (`changed`: the caller stores it).
 */
export function authenticatePrincipal(
  principal: PrincipalRecord | null,
  credential: Credential,
  now: number,
): AuthOutcome {
  const p = principal;
  if (credential.kind === "anonymous") {
    if (p && p.kind !== "anonymous") return { ok: false, auth: "unknown" };
    if (p && sameLimits(p.limits, credential.limits))
      return { ok: true, record: p, changed: false };
    const record: PrincipalRecord = {
      id: credential.id,
      kind: "anonymous",
      name: "anonymous",
      keyHash: null,
      status: "active",
      createdAt: p?.createdAt ?? now,
      revokedAt: null,
      limits: { ...credential.limits },
      grants: null,
    };
    return { ok: true, record, changed: true };
  }
  if (!p || p.kind !== "key" || !p.keyHash || !equalHex(p.keyHash, credential.hash)) {
    return { ok: false, auth: "unknown" };
  }
  if (p.status === "revoked") return { ok: false, auth: "revoked" };
  return { ok: true, record: p, changed: false };
}

function sameLimits(a: Limits, b: Limits): boolean {
  return (
    a.rpm === b.rpm &&
    a.tpm === b.tpm &&
    a.dailyBudgetUsd === b.dailyBudgetUsd &&
    a.monthlyBudgetUsd === b.monthlyBudgetUsd
  );
}

/** Compares two hex digests without an early exit. */
function equalHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
