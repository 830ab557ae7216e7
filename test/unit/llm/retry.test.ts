import { describe, expect, it } from "vitest";
import {
  backoffMs,
  shouldRetry,
  validateRetryPolicy,
  withRetry,
  type AttemptReport,
  type RetryPolicy,
} from "../../../shared/llm/retry.js";
import type { Outcome, UpstreamFailure } from "../../../shared/llm/types.js";
import { FakeTimers, seeded } from "../../fakes/fake-timers.js";

const policy: RetryPolicy = { maxAttempts: 4, baseMs: 100, capMs: 1_000, attemptTimeoutMs: 5_000 };

const fail = (failure: Partial<UpstreamFailure> & Pick<UpstreamFailure, "reason">) =>
  ({
    ok: false,
    failure: { message: "x", retryable: true, ...failure },
  }) as const;
const http = (status: number, extra: Partial<UpstreamFailure> = {}) =>
  fail({
    reason:
      status === 429
        ? "rate_limited"
        : status >= 500 || status === 409
          ? "server_error"
          : "bad_request",
    status,
    ...extra,
  });
const ok = { ok: true, value: "answer" } as const;

/** A call that plays `outcomes` in order (the last one repeats) and counts its calls. */
function script(...outcomes: Outcome<string>[]) {
  const signals: AbortSignal[] = [];
  const call = async (signal: AbortSignal): Promise<Outcome<string>> => {
    signals.push(signal);
    return outcomes[signals.length - 1] ?? outcomes.at(-1) ?? ok;
  };
  return { call, calls: () => signals.length, signals };
}

describe("shouldRetry", () => {
  it.each([
    ["network error", { reason: "network" }, true],
    ["timeout", { reason: "timeout" }, true],
    ["408", { reason: "timeout", status: 408 }, true],
    ["409", { reason: "server_error", status: 409 }, true],
    ["429", { reason: "rate_limited", status: 429 }, true],
    ["500", { reason: "server_error", status: 500 }, true],
    ["503", { reason: "server_error", status: 503 }, true],
    ["400", { reason: "bad_request", status: 400 }, false],
    ["401", { reason: "auth", status: 401 }, false],
    ["403", { reason: "auth", status: 403 }, false],
    ["404", { reason: "bad_request", status: 404 }, false],
    ["422", { reason: "bad_request", status: 422 }, false],
    ["an error in a 200 body", { reason: "bad_response", status: 200 }, false],
    ["a cut stream", { reason: "truncated" }, false],
    ["429 insufficient_quota", { reason: "quota", status: 429, retryable: false }, false],
  ] as const)("%s -> %s", (_name, failure, expected) => {
    expect(shouldRetry({ message: "m", retryable: true, ...failure })).toBe(expected);
  });

  it("never retries 400/401/403/404/422 even if a provider marked them retryable", () => {
    for (const status of [400, 401, 403, 404, 422]) {
      expect(shouldRetry({ reason: "server_error", status, message: "m", retryable: true })).toBe(
        false,
      );
    }
  });
});

describe("backoffMs (full jitter)", () => {
  it("is uniform below min(cap, base * 2^n): 0 at random 0, just under the ceiling near 1", () => {
    expect(backoffMs(0, policy, () => 0)).toBe(0);
    expect(backoffMs(0, policy, () => 0.999_999)).toBe(99);
    expect(backoffMs(2, policy, () => 0.999_999)).toBe(399);
    expect(backoffMs(3, policy, () => 0.5)).toBe(400);
    // Capped from retry 4 on (base * 16 = 1600 > 1000), however large n gets.
    expect(backoffMs(4, policy, () => 0.999_999)).toBe(999);
    expect(backoffMs(200, policy, () => 0.999_999)).toBe(999);
  });

  it("stays within [0, ceiling) for many seeded draws and spreads over the whole interval", () => {
    const random = seeded(42);
    for (let retry = 0; retry < 8; retry++) {
      const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** retry);
      const draws = Array.from({ length: 500 }, () => backoffMs(retry, policy, random));
      expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...draws)).toBeLessThan(ceiling);
      // Full jitter, not "ceiling plus a little noise": both halves of the interval are used.
      expect(draws.some((d) => d < ceiling * 0.25)).toBe(true);
      expect(draws.some((d) => d > ceiling * 0.75)).toBe(true);
    }
  });
});

describe("validateRetryPolicy", () => {
  it("rejects nonsense up front", () => {
    expect(() => validateRetryPolicy({ ...policy, maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => validateRetryPolicy({ ...policy, capMs: 50 })).toThrow(/capMs/);
    expect(() => validateRetryPolicy({ ...policy, attemptTimeoutMs: 0 })).toThrow(
      /attemptTimeoutMs/,
    );
    expect(validateRetryPolicy(policy)).toBe(policy);
  });
});

describe("withRetry", () => {
  it("retries 500 and 429 with full-jitter backoff and returns the success", async () => {
    const timers = new FakeTimers();
    const { call, calls } = script(http(500), http(429), ok);
    const result = await withRetry(call, policy, timers, { deadlineAt: timers.now() + 60_000 });
    expect(result).toEqual({ ok: true, value: "answer", attempts: 3 });
    expect(calls()).toBe(3);
    // random = 0.5: half of 100 * 2^0, then half of 100 * 2^1.
    expect(timers.sleeps).toEqual([50, 100]);
  });

  it("stops after maxAttempts and says so", async () => {
    const timers = new FakeTimers();
    const { call, calls } = script(http(503));
    const result = await withRetry(call, policy, timers, { deadlineAt: timers.now() + 60_000 });
    expect(result).toMatchObject({ ok: false, attempts: 4, stop: "attempts_exhausted" });
    expect(calls()).toBe(4);
    expect(timers.sleeps).toEqual([50, 100, 200]);
  });

  it("never retries a 400: one call, stop not_retryable", async () => {
    const timers = new FakeTimers();
    const { call, calls } = script(http(400));
    const result = await withRetry(call, policy, timers, { deadlineAt: timers.now() + 60_000 });
    expect(result).toMatchObject({ ok: false, attempts: 1, stop: "not_retryable" });
    expect(calls()).toBe(1);
    expect(timers.sleeps).toEqual([]);
  });

  it("waits out Retry-After exactly (1 s) instead of the backoff, then succeeds", async () => {
    const timers = new FakeTimers();
    const start = timers.now();
    const { call, calls } = script(http(429, { retryAfterMs: 1_000 }), ok);
    const result = await withRetry(call, policy, timers, { deadlineAt: start + 10_000 });
    expect(result.ok).toBe(true);
    expect(calls()).toBe(2);
    expect(timers.sleeps).toEqual([1_000]);
    expect(timers.now() - start).toBe(1_000);
  });

  it("stops at once when Retry-After reaches past the deadline", async () => {
    const timers = new FakeTimers();
    const { call, calls } = script(http(429, { retryAfterMs: 120_000 }), ok);
    const result = await withRetry(call, policy, timers, { deadlineAt: timers.now() + 4_000 });
    expect(result).toMatchObject({ ok: false, attempts: 1, stop: "retry_after_exceeds_deadline" });
    expect(calls()).toBe(1);
    expect(timers.sleeps).toEqual([]);
  });

  it("stops when even the backoff would pass the deadline", async () => {
    const timers = new FakeTimers({ random: () => 0.99 });
    const { call } = script(http(500));
    const result = await withRetry(call, policy, timers, { deadlineAt: timers.now() + 150 });
    // Retry 0 waits 99 ms (fits), retry 1 would wait 198 ms (does not).
    expect(result).toMatchObject({ ok: false, attempts: 2, stop: "deadline" });
    expect(timers.sleeps).toEqual([99]);
  });

  it("aborts a try at its timeout, counts it as a retryable timeout and tries again", async () => {
    const timers = new FakeTimers();
    const signals: AbortSignal[] = [];
    const call = (signal: AbortSignal): Promise<Outcome<string>> => {
      signals.push(signal);
      if (signals.length === 1) {
        // The upstream hangs: the clock moves past the attempt timeout while we wait.
        timers.advance(policy.attemptTimeoutMs);
        return new Promise<Outcome<string>>(() => undefined);
      }
      return Promise.resolve(ok);
    };
    const reports: AttemptReport[] = [];
    const result = await withRetry(call, policy, timers, {
      deadlineAt: timers.now() + 60_000,
      onAttempt: (r) => reports.push(r),
    });
    expect(result).toEqual({ ok: true, value: "answer", attempts: 2 });
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[1]?.aborted).toBe(false);
    expect(reports[0]).toMatchObject({ attempt: 1, ok: false, failure: { reason: "timeout" } });
    expect(timers.pending()).toBe(0);
  });

  it("shortens the per-attempt timeout to what is left before the deadline", async () => {
    const timers = new FakeTimers();
    const { call } = script(ok);
    await withRetry(call, policy, timers, { deadlineAt: timers.now() + 1_200 });
    expect(timers.timerDelays).toEqual([1_200]);
  });

  it("stops without another try when the caller aborts", async () => {
    const timers = new FakeTimers();
    const controller = new AbortController();
    const call = async (): Promise<Outcome<string>> => {
      controller.abort();
      return http(500);
    };
    const result = await withRetry(call, policy, timers, {
      deadlineAt: timers.now() + 60_000,
      signal: controller.signal,
    });
    expect(result).toMatchObject({ ok: false, attempts: 1, stop: "aborted" });
  });

  it("reports every attempt with the wait before the next (the retry counters)", async () => {
    const timers = new FakeTimers();
    const { call } = script(http(500), http(502), ok);
    const reports: AttemptReport[] = [];
    await withRetry(call, policy, timers, {
      deadlineAt: timers.now() + 60_000,
      onAttempt: (r) => reports.push(r),
    });
    expect(reports.map((r) => [r.attempt, r.ok, r.nextWaitMs])).toEqual([
      [1, false, 50],
      [2, false, 100],
      [3, true, undefined],
    ]);
  });
});
