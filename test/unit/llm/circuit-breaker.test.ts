import { describe, expect, it } from "vitest";
import { createCircuitBreaker, type BreakerState } from "../../../shared/llm/circuit-breaker.js";

function setup(failureThreshold = 3, cooldownMs = 10_000) {
  let now = 1_000_000;
  const transitions: Array<[string, BreakerState, BreakerState]> = [];
  const breaker = createCircuitBreaker({
    failureThreshold,
    cooldownMs,
    now: () => now,
    onTransition: (key, from, to) => transitions.push([key, from, to]),
  });
  return { breaker, transitions, advance: (ms: number) => (now += ms) };
}

describe("createCircuitBreaker", () => {
  it("lets calls through while closed and opens after the threshold of consecutive failures", () => {
    const { breaker } = setup(3);
    expect(breaker.acquire("m")).toEqual({ allowed: true, probe: false });
    breaker.failure("m");
    breaker.failure("m");
    expect(breaker.state("m")).toBe("closed");
    breaker.failure("m");
    expect(breaker.state("m")).toBe("open");
    expect(breaker.acquire("m")).toEqual({ allowed: false, retryInMs: 10_000 });
  });

  it("forgets failures after a success: only consecutive failures open it", () => {
    const { breaker } = setup(3);
    breaker.failure("m");
    breaker.failure("m");
    breaker.success("m");
    breaker.failure("m");
    breaker.failure("m");
    expect(breaker.state("m")).toBe("closed");
  });

  it("refuses while open, then lets exactly one probe through after the cool-down", () => {
    const { breaker, advance } = setup(1, 10_000);
    breaker.failure("m");
    advance(9_999);
    expect(breaker.acquire("m")).toEqual({ allowed: false, retryInMs: 1 });
    advance(1);
    expect(breaker.acquire("m")).toEqual({ allowed: true, probe: true });
    expect(breaker.state("m")).toBe("half_open");
    expect(breaker.acquire("m").allowed).toBe(false);
    expect(breaker.acquire("m").allowed).toBe(false);
  });

  it("closes when the probe succeeds", () => {
    const { breaker, advance } = setup(1);
    breaker.failure("m");
    advance(10_000);
    breaker.acquire("m");
    breaker.success("m");
    expect(breaker.state("m")).toBe("closed");
    expect(breaker.acquire("m")).toEqual({ allowed: true, probe: false });
  });

  it("reopens for a full cool-down when the probe fails", () => {
    const { breaker, advance } = setup(5);
    for (let i = 0; i < 5; i++) breaker.failure("m");
    advance(10_000);
    expect(breaker.acquire("m").allowed).toBe(true);
    breaker.failure("m"); // one failed probe is enough, whatever the threshold
    expect(breaker.state("m")).toBe("open");
    advance(9_000);
    expect(breaker.acquire("m").allowed).toBe(false);
    advance(1_000);
    expect(breaker.acquire("m")).toEqual({ allowed: true, probe: true });
  });

  it("frees the probe slot on release, and replaces a probe that never reported", () => {
    const { breaker, advance } = setup(1);
    breaker.failure("m");
    advance(10_000);
    expect(breaker.acquire("m").allowed).toBe(true);
    breaker.release("m");
    expect(breaker.acquire("m")).toEqual({ allowed: true, probe: true });
    // This probe goes silent: after another cool-down someone else may probe.
    advance(9_999);
    expect(breaker.acquire("m").allowed).toBe(false);
    advance(1);
    expect(breaker.acquire("m")).toEqual({ allowed: true, probe: true });
  });

  it("keeps models apart and reports every transition", () => {
    const { breaker, transitions, advance } = setup(1);
    breaker.failure("a");
    expect(breaker.state("a")).toBe("open");
    expect(breaker.state("b")).toBe("closed");
    expect(breaker.acquire("b").allowed).toBe(true);
    advance(10_000);
    breaker.acquire("a");
    breaker.success("a");
    expect(transitions).toEqual([
      ["a", "closed", "open"],
      ["a", "open", "half_open"],
      ["a", "half_open", "closed"],
    ]);
  });

  it("rejects a zero threshold or cool-down", () => {
    expect(() =>
      createCircuitBreaker({ failureThreshold: 0, cooldownMs: 1, now: Date.now }),
    ).toThrow(/failureThreshold/);
    expect(() =>
      createCircuitBreaker({ failureThreshold: 1, cooldownMs: 0, now: Date.now }),
    ).toThrow(/cooldownMs/);
  });
});
