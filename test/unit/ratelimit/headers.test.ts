import { describe, expect, it } from "vitest";
import { rateLimitHeaders } from "../../../shared/ratelimit/headers.js";

const standing = {
  requests: { limit: 50, windowSeconds: 60, used: 1, remaining: 49, resetMs: 59_001 },
  tokens: { limit: 10_000, windowSeconds: 60, remaining: 9_400, resetMs: 3_600 },
};

describe("rate-limit headers", () => {
  it("renders the X-RateLimit triple for requests and the IETF draft's structured fields", () => {
    expect(rateLimitHeaders(standing)).toEqual({
      "x-ratelimit-limit": "50",
      "x-ratelimit-remaining": "49",
      "x-ratelimit-reset": "60",
      "x-ratelimit-limit-tokens": "10000",
      "x-ratelimit-remaining-tokens": "9400",
      "x-ratelimit-reset-tokens": "4",
      "ratelimit-policy": '"rpm";q=50;w=60, "tpm";q=10000;w=60;qu="tokens"',
      ratelimit: '"rpm";r=49;t=60, "tpm";r=9400;t=4',
    });
  });

  it("adds Retry-After rounded up (never early, never 0) and retry-after-ms on refusals", () => {
    expect(rateLimitHeaders(standing, 1_001)).toMatchObject({
      "retry-after": "2",
      "retry-after-ms": "1001",
    });
    expect(rateLimitHeaders(standing, 0.2)).toMatchObject({
      "retry-after": "1",
      "retry-after-ms": "1",
    });
  });
});
