// Tokens per minute as a token bucket: capacity `tpm`, refilled continuously at `tpm / 60` tokens
// per second. Model calls reserve their estimate up front and settle the difference afterwards, so
// the level may dip below zero when a call used more than it reserved: that debt is paid by refill.

/** A bucket's level at an instant. A missing state means a full bucket. */
export interface BucketState {
  level: number;
  updatedAt: number;
}

/** The outcome of taking tokens from the bucket. */
export type TakeResult =
  | { allowed: true; state: BucketState; remaining: number; resetMs: number }
  | {
      allowed: false;
      /** `insufficient`: wait `retryAfterMs`; `too_large`: more than a full bucket, never fits. */
      reason: "insufficient" | "too_large";
      remaining: number;
      resetMs: number;
      retryAfterMs: number;
    };

const WINDOW_MS = 60_000;
// Floating point refill can land a hair under a whole amount; this much is treated as present.
const EPSILON = 1e-6;

/** The bucket refilled up to `now`, capped at `capacity`. */
export function refill(state: BucketState | null, capacity: number, now: number): BucketState {
  if (!state) return { level: capacity, updatedAt: now };
  const elapsed = Math.max(0, now - state.updatedAt);
  const level = Math.min(capacity, state.level + (elapsed * capacity) / WINDOW_MS);
  return { level, updatedAt: Math.max(now, state.updatedAt) };
}

/** Whole tokens available now (never negative). */
export function available(state: BucketState): number {
  return Math.max(0, Math.floor(state.level + EPSILON));
}

/** Milliseconds until the bucket is full again. */
export function msUntilFull(state: BucketState, capacity: number): number {
  const missing = capacity - state.level;
  return missing <= EPSILON ? 0 : Math.ceil((missing * WINDOW_MS) / capacity);
}

/** Milliseconds until `amount` tokens are available (0 if they are now). */
export function msUntilAvailable(state: BucketState, capacity: number, amount: number): number {
  const missing = amount - state.level;
  return missing <= EPSILON ? 0 : Math.ceil((missing * WINDOW_MS) / capacity);
}

/**
 * Takes `amount` tokens at `now` if the bucket holds them; otherwise changes nothing and says
 * how long until it will.
 *
 * @example
 * const r = takeTokens(state, 10_000, 600, Date.now());
 * if (r.allowed) save(r.state); else retryAfter(r.retryAfterMs);
 */
export function takeTokens(
  state: BucketState | null,
  capacity: number,
  amount: number,
  now: number,
): TakeResult {
  const current = refill(state, capacity, now);
  if (amount > capacity) {
    return {
      allowed: false,
      reason: "too_large",
      remaining: available(current),
      resetMs: msUntilFull(current, capacity),
      retryAfterMs: WINDOW_MS,
    };
  }
  const wait = msUntilAvailable(current, capacity, amount);
  if (wait > 0) {
    return {
      allowed: false,
      reason: "insufficient",
      remaining: available(current),
      resetMs: msUntilFull(current, capacity),
      retryAfterMs: wait,
    };
  }
  const next = { level: current.level - amount, updatedAt: current.updatedAt };
  return {
    allowed: true,
    state: next,
    remaining: available(next),
    resetMs: msUntilFull(next, capacity),
  };
}

/**
 * Settles a reservation: `delta` > 0 gives tokens back (capped at capacity), `delta` < 0 takes
 * the extra a call used beyond its reservation (the level may go negative).
 */
export function adjustTokens(
  state: BucketState | null,
  capacity: number,
  delta: number,
  now: number,
): BucketState {
  const current = refill(state, capacity, now);
  return { level: Math.min(capacity, current.level + delta), updatedAt: current.updatedAt };
}
