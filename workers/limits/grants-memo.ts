// The grants this isolate has learned per API key (by the key's hash), so a request from a key it
// has seen is authorized in the before stage, and admitted from a lease, without a call. A key's
// grants never change after it is created (revocation goes through the denied memo and leases),
// so entries need no expiry; the map is bounded, oldest learned first out.
import { FULL_DEFAULT_GRANTS, type Grants } from "../../shared/tenancy/grants.js";
import type { Caller } from "./admission-types.js";

const MAX_KEYS = 10_000;
const memo = new Map<string, Grants>();

/** The grants learned for the key with hash `keyHash`, if this isolate has seen it admitted. */
export function knownGrants(keyHash: string): Grants | undefined {
  return memo.get(keyHash);
}

/** Remembers the grants admission returned for a key. */
export function learnGrants(keyHash: string, grants: Grants): void {
  if (memo.has(keyHash)) return;
  if (memo.size >= MAX_KEYS) {
    const oldest = memo.keys().next();
    if (!oldest.done) memo.delete(oldest.value);
  }
  memo.set(keyHash, grants);
}

/** The caller's grants if this isolate knows them (anonymous callers' are fixed: all, on default). */
export function grantsOfCaller(caller: Caller): Grants | undefined {
  return caller.credential.kind === "anonymous" ? FULL_DEFAULT_GRANTS : memo.get(caller.memoKey);
}
