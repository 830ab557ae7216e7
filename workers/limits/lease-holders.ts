// The leases this isolate holds, one LeaseHolder per caller (by memo key: a key's hash or an
// anonymous principal id). Bounded: past MAX_HOLDERS, only holders with no lease and no queued
// settlement make room; one that still has either is kept, so nothing owed to the object is lost.
import { LeaseHolder } from "../../shared/ratelimit/lease-holder.js";

const MAX_HOLDERS = 10_000;

const holders = new Map<string, LeaseHolder>();

/** The caller's holder, made on first use. */
export function holderFor(memoKey: string): LeaseHolder {
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

/** The caller's holder if this isolate has one (never makes one). */
export function existingHolder(memoKey: string): LeaseHolder | undefined {
  return holders.get(memoKey);
}

/** Ends this isolate's leases for a key at once (a revocation made here). */
export function dropLeases(memoKey: string): void {
  holders.delete(memoKey);
}
