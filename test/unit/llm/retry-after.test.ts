import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../../shared/llm/retry-after.js";

const NOW = Date.parse("2025-01-01T00:00:00Z");

describe("parseRetryAfter", () => {
  it("reads retry-after seconds", () => {
    expect(parseRetryAfter(new Headers({ "retry-after": "2" }), NOW)).toBe(2000);
    expect(parseRetryAfter({ "retry-after": "1.5" }, NOW)).toBe(1500);
  });

  it("prefers retry-after-ms over retry-after", () => {
    const headers = new Headers({ "retry-after-ms": "150", "retry-after": "9" });
    expect(parseRetryAfter(headers, NOW)).toBe(150);
  });

  it("falls back to retry-after when retry-after-ms is garbage", () => {
    expect(parseRetryAfter({ "retry-after-ms": "soon", "retry-after": "3" }, NOW)).toBe(3000);
  });

  it("reads an HTTP-date relative to now", () => {
    const at = new Date(NOW + 5000).toUTCString();
    expect(parseRetryAfter({ "Retry-After": at }, NOW)).toBe(5000);
  });

  it("clamps negative values and past dates to 0", () => {
    expect(parseRetryAfter({ "retry-after": "-3" }, NOW)).toBe(0);
    expect(parseRetryAfter({ "retry-after-ms": "-10" }, NOW)).toBe(0);
    expect(parseRetryAfter({ "retry-after": new Date(NOW - 60_000).toUTCString() }, NOW)).toBe(0);
  });

  it("returns undefined for garbage or absence", () => {
    expect(parseRetryAfter({ "retry-after": "soon" }, NOW)).toBeUndefined();
    expect(parseRetryAfter({ "retry-after": "2025" + "x" }, NOW)).toBeUndefined();
    expect(parseRetryAfter({ "retry-after": "Mon, 99 Foo 2025" }, NOW)).toBeUndefined();
    expect(
      parseRetryAfter({ "retry-after": null, "retry-after-ms": undefined }, NOW),
    ).toBeUndefined();
    expect(parseRetryAfter(new Headers(), NOW)).toBeUndefined();
  });
});
