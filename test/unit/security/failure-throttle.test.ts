import { describe, expect, it } from "vitest";
import { FailureThrottle } from "../../../shared/security/failure-throttle.js";

function throttle(maxClients = 100) {
  let now = 1_000;
  const t = new FailureThrottle(() => now, { maxFailures: 3, windowMs: 60_000, maxClients });
  return { t, advance: (ms: number) => (now += ms) };
}

describe("FailureThrottle", () => {
  it("lets a client fail maxFailures times, then refuses it until the window ends", () => {
    const { t, advance } = throttle();
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfterMs("ip")).toBe(0);
      t.fail("ip");
    }
    expect(t.retryAfterMs("ip")).toBe(60_000);
    advance(59_000);
    expect(t.retryAfterMs("ip")).toBe(1_000);
    advance(1_000);
    expect(t.retryAfterMs("ip")).toBe(0);
  });

  it("counts each client on its own", () => {
    const { t } = throttle();
    for (let i = 0; i < 3; i++) t.fail("a");
    expect(t.retryAfterMs("a")).toBeGreaterThan(0);
    expect(t.retryAfterMs("b")).toBe(0);
  });

  it("stays bounded, forgetting the oldest clients first", () => {
    const { t } = throttle(2);
    for (let i = 0; i < 3; i++) t.fail("old");
    t.fail("b");
    t.fail("c");
    expect(t.retryAfterMs("old")).toBe(0);
  });
});
