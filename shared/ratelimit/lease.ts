// Lease math: how much of a principal's limits the LIMITER object hands an isolate at once, so a
// busy key is admitted locally between round trips. Everything granted counts as used from the
// moment of the grant, and spare admits are logged at the lease's expiry (the latest instant one
// can be used), so no span of the window ever holds more than the limit. Pure: the object stores.

/** A lease's lifetime: also the bound on how late an isolate can see a revocation or a refusal. */
export const LEASE_MS = 1_000;

/** The most admits one lease carries (the request that asked for it included). */
export const MAX_LEASE_ADMITS = 64;

/** A lease never takes more than this share of what is left of a window or budget. */
const SHARE_OF_REMAINING = 4;

const WINDOW_MS = 60_000;

/**
 * How many admits a lease carries, the asking request included: what the key's rate allows in
 * one lease lifetime, at most a quarter of what is left of its window, at least one.
 *
 * @example
 * leaseAdmits(60, 59);        // 1: a slow key goes to the object for every request
 * leaseAdmits(100_000, 9_999); // 64: a busy key goes once every 64 requests
 */
export function leaseAdmits(rpm: number, remainingAfterThis: number): number {
  const byRate = Math.floor((rpm * LEASE_MS) / WINDOW_MS);
  const byWindow = Math.floor(Math.max(0, remainingAfterThis) / SHARE_OF_REMAINING) + 1;
  return Math.max(1, Math.min(MAX_LEASE_ADMITS, byRate, byWindow));
}

/**
 * How much of a pool (tokens, or nano-USD) a lease of `admits` takes for requests that each need
 * `need`: `need` per admit, at most a quarter of what is `available`, never less than `need`
 * (the asking request's own reservation, which the caller has already checked fits).
 */
export function leasePool(need: number, admits: number, available: number): number {
  if (need <= 0) return 0;
  const share = Math.floor(Math.max(0, available) / SHARE_OF_REMAINING);
  return Math.max(need, Math.min(need * admits, share));
}
