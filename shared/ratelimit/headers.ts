// Rate-limit response headers from a principal's standing: the widespread X-RateLimit-* triple
// (requests per minute), its token twins, and the IETF httpapi draft's structured fields
// `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers-10).
import type { Standing } from "./decision.js";

/** Whole seconds, rounded up: a client that waits this long is never early. */
export function ceilSeconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

/**
 * Headers describing the caller's standing; with `retryAfterMs`, also `Retry-After` (seconds,
 * rounded up) and `retry-after-ms`.
 *
 * @example
 * rateLimitHeaders(standing);
 * // { "x-ratelimit-limit": "50", "x-ratelimit-remaining": "49", "x-ratelimit-reset": "60",
 * //   "ratelimit-policy": '"rpm";q=50;w=60, "tpm";q=10000;w=60;qu="tokens"',
 * //   "ratelimit": '"rpm";r=49;t=60, "tpm";r=9400;t=4', ... }
 */
export function rateLimitHeaders(
  standing: Pick<Standing, "requests" | "tokens">,
  retryAfterMs?: number,
): Record<string, string> {
  const { requests, tokens } = standing;
  const rpmReset = ceilSeconds(requests.resetMs);
  const tpmReset = ceilSeconds(tokens.resetMs);
  const headers: Record<string, string> = {
    "x-ratelimit-limit": String(requests.limit),
    "x-ratelimit-remaining": String(requests.remaining),
    "x-ratelimit-reset": String(rpmReset),
    "x-ratelimit-limit-tokens": String(tokens.limit),
    "x-ratelimit-remaining-tokens": String(tokens.remaining),
    "x-ratelimit-reset-tokens": String(tpmReset),
    "ratelimit-policy":
      `"rpm";q=${requests.limit};w=${requests.windowSeconds}, ` +
      `"tpm";q=${tokens.limit};w=${tokens.windowSeconds};qu="tokens"`,
    ratelimit: `"rpm";r=${requests.remaining};t=${rpmReset}, "tpm";r=${tokens.remaining};t=${tpmReset}`,
  };
  if (retryAfterMs !== undefined) {
    headers["retry-after"] = String(Math.max(1, ceilSeconds(retryAfterMs)));
    headers["retry-after-ms"] = String(Math.max(1, Math.ceil(retryAfterMs)));
  }
  return headers;
}
