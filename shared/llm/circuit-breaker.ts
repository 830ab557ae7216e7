// A circuit breaker per model: opens after a run of failed calls, skips the model while open, and
// lets one probe through after a cool-down. State is plain memory owned by the caller (one per
// isolate in the Worker): each isolate learns on its own, which costs a few failed calls per
// isolate and saves a Durable Object round trip on every upstream call.
import type { Clock } from "../ports.js";

export type BreakerState = "closed" | "open" | "half_open";

export interface BreakerOptions {
  /** Consecutive failed calls that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker skips the model before letting one probe through. */
  cooldownMs: number;
  now: Clock;
  /** Called on every state change (metrics, logs). */
  onTransition?(key: string, from: BreakerState, to: BreakerState): void;
}

/** The answer to "may I call this model now?". */
export type BreakerGate = { allowed: true; probe: boolean } | { allowed: false; retryInMs: number };

export interface CircuitBreaker {
  /**
   * Asks to call `key`. Closed: allowed. Open within the cool-down: refused. Open after it: one
   * caller gets `probe: true` (the state becomes half-open) and the others are refused until the
   * probe reports, or until another cool-down passes without a report.
   */
  acquire(key: string): BreakerGate;
  /** The call got an answer from the model: close the breaker and forget past failures. */
  success(key: string): void;
  /** The call failed for the model's sake: count it; a failed probe reopens at once. */
  failure(key: string): void;
  /** The call ended without saying anything about the model (e.g. the client left): frees a probe. */
  release(key: string): void;
  state(key: string): BreakerState;
}

interface Entry {
  state: BreakerState;
  failures: number;
  openedAt: number;
  probeAt: number | null;
}

/**
 * Creates a breaker over any number of keys (model ids).
 *
 * @example
 * const breaker = createCircuitBreaker({ failureThreshold: 5, cooldownMs: 30_000, now: Date.now });
 * const gate = breaker.acquire("gpt-4o-mini");
 * if (gate.allowed) { const r = await call(); r.ok ? breaker.success(id) : breaker.failure(id); }
 */
export function createCircuitBreaker(opts: BreakerOptions): CircuitBreaker {
  if (!Number.isInteger(opts.failureThreshold) || opts.failureThreshold < 1) {
    throw new RangeError("circuit breaker: failureThreshold must be an integer >= 1");
  }
  if (!(opts.cooldownMs > 0)) throw new RangeError("circuit breaker: cooldownMs must be > 0");
  const entries = new Map<string, Entry>();

  const entry = (key: string): Entry => {
    let e = entries.get(key);
    if (!e) {
      e = { state: "closed", failures: 0, openedAt: 0, probeAt: null };
      entries.set(key, e);
    }
    return e;
  };
  const move = (key: string, e: Entry, to: BreakerState): void => {
    const from = e.state;
    if (from === to) return;
    e.state = to;
    opts.onTransition?.(key, from, to);
  };
  const open = (key: string, e: Entry): void => {
    e.openedAt = opts.now();
    e.probeAt = null;
    move(key, e, "open");
  };

  return {
    acquire(key) {
      const e = entries.get(key);
      if (!e || e.state === "closed") return { allowed: true, probe: false };
      const now = opts.now();
      if (e.state === "open") {
        const waited = now - e.openedAt;
        if (waited < opts.cooldownMs)
          return { allowed: false, retryInMs: opts.cooldownMs - waited };
        e.probeAt = now;
        move(key, e, "half_open");
        return { allowed: true, probe: true };
      }
      // Half-open: one probe at a time; a probe that never reported is replaced after a cool-down.
      if (e.probeAt !== null && now - e.probeAt < opts.cooldownMs) {
        return { allowed: false, retryInMs: opts.cooldownMs - (now - e.probeAt) };
      }
      e.probeAt = now;
      return { allowed: true, probe: true };
    },
    success(key) {
      const e = entries.get(key);
      if (!e) return;
      e.failures = 0;
      e.probeAt = null;
      move(key, e, "closed");
    },
    failure(key) {
      const e = entry(key);
      e.failures += 1;
      if (
        e.state === "half_open" ||
        (e.state === "closed" && e.failures >= opts.failureThreshold)
      ) {
        open(key, e);
      }
    },
    release(key) {
      const e = entries.get(key);
      if (e?.state === "half_open") e.probeAt = null;
    },
    state(key) {
      return entries.get(key)?.state ?? "closed";
    },
  };
}
