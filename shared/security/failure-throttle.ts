// Throttles repeated failed authentications per client, in one isolate's memory: a guesser gets
// a few tries a window and then a 429 until the window ends. Isolate-local by design (no Durable
// Object round trip on any admin request): across isolates the limit multiplies, which still
// turns a brute force of a 32+ character token from "fast" into "hopeless".
import type { Clock } from "../ports.js";

/** How many failures a client may make per window, and the window. */
export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  /** Clients tracked at most; the oldest are forgotten first. */
  maxClients: number;
}

/**
 * @example
 * const throttle = new FailureThrottle(Date.now, { maxFailures: 10, windowMs: 60_000, maxClients: 10_000 });
 * if (throttle.retryAfterMs(client) > 0) refuse();
 * else if (!ok) throttle.fail(client);
 */
export class FailureThrottle {
  private readonly clients = new Map<string, { count: number; windowStart: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly policy: ThrottlePolicy,
  ) {}

  /** Milliseconds until `client` may try again; 0 when it may try now. */
  retryAfterMs(client: string): number {
    const entry = this.clients.get(client);
    if (!entry) return 0;
    const elapsed = this.clock() - entry.windowStart;
    if (elapsed >= this.policy.windowMs) {
      this.clients.delete(client);
      return 0;
    }
    return entry.count >= this.policy.maxFailures ? this.policy.windowMs - elapsed : 0;
  }

  /** Records one failure by `client`. */
  fail(client: string): void {
    const now = this.clock();
    const entry = this.clients.get(client);
    if (entry && now - entry.windowStart < this.policy.windowMs) {
      entry.count++;
      return;
    }
    this.clients.delete(client);
    this.clients.set(client, { count: 1, windowStart: now });
    while (this.clients.size > this.policy.maxClients) {
      const oldest = this.clients.keys().next();
      if (oldest.done === true) break;
      this.clients.delete(oldest.value);
    }
  }
}
