// What a limit check returns and what a principal's standing looks like. Plain data: it crosses
// the Durable Object RPC boundary and is rendered into headers and /v1/usage by workers/.

/** Which limit refused a request. */
export type LimitReason =
  "requests" | "tokens" | "request_too_large" | "daily_budget" | "monthly_budget";

/** One limit decision. Times are milliseconds relative to when it was made. */
export interface Decision {
  allowed: boolean;
  /** The limit that refused; null when allowed. */
  reason: LimitReason | null;
  /** The quota of the deciding policy (requests, tokens or nano-USD). */
  limit: number;
  remaining: number;
  /** Until the deciding policy's `remaining` next grows. */
  resetMs: number;
  /** When refused: until a retry of the same request can be admitted; 0 when allowed. */
  retryAfterMs: number;
  /** The deciding policy's name: `rpm`, `tpm`, `daily_usd` or `monthly_usd`. */
  policy: string;
}

/** A rate policy's standing now (requests or tokens per window). */
export interface RateStanding {
  limit: number;
  windowSeconds: number;
  remaining: number;
  /** Until `remaining` next grows (requests) or the bucket is full (tokens). */
  resetMs: number;
}

/** A USD budget's standing in its current period. */
export interface BudgetStanding {
  period: string;
  limitUsd: number;
  spentUsd: number;
  /** Held by requests in flight, settled when they finish. */
  reservedUsd: number;
  remainingUsd: number;
  tokens: number;
  /** Epoch ms when the next period starts. */
  resetAt: number;
}

/** Everything a principal may see about its own limits. */
export interface Standing {
  requests: RateStanding & { used: number };
  tokens: RateStanding;
  daily: BudgetStanding;
  monthly: BudgetStanding;
}

/** True for reasons that waiting a little fixes; false for spent budgets and oversize requests. */
export function isRateReason(reason: LimitReason): boolean {
  return reason === "requests" || reason === "tokens";
}
