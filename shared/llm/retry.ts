// The one owner of retries: exponential backoff with full jitter, a per-attempt timeout, an
// overall deadline, and the upstream's Retry-After honoured. Time comes from injected timers so
// tests drive it with a fake clock; a wait that would pass the deadline stops at once.
import type { Outcome, UpstreamFailure } from "./types.js";

/** How one model's call is retried. */
export interface RetryPolicy {
  /** Most tries of one call, the first included (1 = no retry). */
  maxAttempts: number;
  /** Backoff base: retry n (0-based) waits a random time in [0, min(capMs, baseMs * 2^n)). */
  baseMs: number;
  capMs: number;
  /** Each try is aborted after this long (or at the deadline, if sooner). */
  attemptTimeoutMs: number;
}

/** Time, as the retry loop sees it. Real timers in the Worker, a fake clock in tests. */
export interface RetryTimers {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
  /** Uniform in [0, 1). */
  random(): number;
}

/** Why the loop gave up on this model. */
export type RetryStop =
  "not_retryable" | "attempts_exhausted" | "deadline" | "retry_after_exceeds_deadline" | "aborted";

export type RetryResult<T> =
  | { ok: true; value: T; attempts: number }
  | { ok: false; failure: UpstreamFailure; attempts: number; stop: RetryStop };

/** One finished try, reported as it happens (for `attempts` in responses and for metrics). */
export interface AttemptReport {
  /** 1-based. */
  attempt: number;
  ok: boolean;
  failure?: UpstreamFailure;
  /** The wait before the next try, when there will be one. */
  nextWaitMs?: number;
}

export interface RetryOptions {
  /** Epoch ms after which no try starts and no wait ends. */
  deadlineAt: number;
  /** The caller's signal (client gone): aborts the current try and stops the loop. */
  signal?: AbortSignal;
  onAttempt?(report: AttemptReport): void;
}

// HTTP statuses that fail the same way on every try, whatever the provider's classification.
const NEVER_RETRY = new Set([400, 401, 403, 404, 422]);
const RETRY_STATUS = new Set([408, 409, 429]);

/**
 * Whether a failure can succeed on a retry of the same call: network errors, timeouts, 408, 409,
 * 429 and 5xx. Never 400/401/403/404/422, never a bad 200 body (an error in a 200 or a cut
 * stream moves to the next model instead), and never what the provider marked unretryable
 * (e.g. a 429 `insufficient_quota`).
 */
export function shouldRetry(failure: UpstreamFailure): boolean {
  if (!failure.retryable) return false;
  const status = failure.status;
  if (status !== undefined && NEVER_RETRY.has(status)) return false;
  switch (failure.reason) {
    case "network":
    case "timeout":
      return true;
    case "rate_limited":
    case "server_error":
      return status === undefined || RETRY_STATUS.has(status) || status >= 500;
    case "bad_request":
    case "auth":
    case "quota":
    case "bad_response":
    case "truncated":
      return false;
  }
}

/**
 * The full-jitter backoff before retry `retry` (0 = the first retry): uniform in
 * [0, min(capMs, baseMs * 2^retry)).
 *
 * @example
 * backoffMs(3, { baseMs: 100, capMs: 1000 }, () => 0.5); // 400
 */
export function backoffMs(
  retry: number,
  policy: Pick<RetryPolicy, "baseMs" | "capMs">,
  random: () => number,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(retry, 52));
  return Math.floor(random() * ceiling);
}

/** Checks a policy once, up front; throws RangeError naming the bad field. */
export function validateRetryPolicy(policy: RetryPolicy): RetryPolicy {
  const check = (ok: boolean, message: string): void => {
    if (!ok) throw new RangeError(`retry policy: ${message}`);
  };
  check(
    Number.isInteger(policy.maxAttempts) && policy.maxAttempts >= 1,
    "maxAttempts must be >= 1",
  );
  check(policy.baseMs >= 0 && Number.isFinite(policy.baseMs), "baseMs must be >= 0");
  check(policy.capMs >= policy.baseMs && Number.isFinite(policy.capMs), "capMs must be >= baseMs");
  check(policy.attemptTimeoutMs > 0, "attemptTimeoutMs must be > 0");
  return policy;
}

/**
 * Calls `call` until it succeeds, fails in a way a retry cannot fix, runs out of attempts, or
 * would wait past the deadline. Between tries it waits the upstream's `retryAfterMs` when given,
 * else the full-jitter backoff. Each try gets a signal that aborts at its timeout; a try that
 * ignores the signal is abandoned at the timeout all the same.
 *
 * @example
 * const r = await withRetry((signal) => provider.chat({ ...req, signal }), policy, timers, {
 *   deadlineAt: Date.now() + 30_000,
 * });
 */
export async function withRetry<T>(
  call: (signal: AbortSignal, attempt: number) => Promise<Outcome<T>>,
  policy: RetryPolicy,
  timers: RetryTimers,
  options: RetryOptions,
): Promise<RetryResult<T>> {
  let last: UpstreamFailure = { reason: "timeout", message: "deadline passed", retryable: true };
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    if (options.signal?.aborted) return stopped(last, attempt - 1, "aborted");
    const left = options.deadlineAt - timers.now();
    if (left <= 0) return stopped(last, attempt - 1, "deadline");

    const outcome = await attemptOnce(
      call,
      attempt,
      Math.min(policy.attemptTimeoutMs, left),
      timers,
      options.signal,
    );
    if (outcome.ok) {
      options.onAttempt?.({ attempt, ok: true });
      return { ok: true, value: outcome.value, attempts: attempt };
    }
    last = outcome.failure;
    if (options.signal?.aborted) {
      options.onAttempt?.({ attempt, ok: false, failure: last });
      return stopped(last, attempt, "aborted");
    }
    const stop = stopReason(last, attempt, policy, timers, options.deadlineAt);
    if (stop.stop) {
      options.onAttempt?.({ attempt, ok: false, failure: last });
      return stopped(last, attempt, stop.stop);
    }
    options.onAttempt?.({ attempt, ok: false, failure: last, nextWaitMs: stop.waitMs });
    if (stop.waitMs > 0) await timers.sleep(stop.waitMs, options.signal);
  }
  return stopped(last, policy.maxAttempts, "attempts_exhausted");
}

function stopReason(
  failure: UpstreamFailure,
  attempt: number,
  policy: RetryPolicy,
  timers: RetryTimers,
  deadlineAt: number,
): { stop: RetryStop; waitMs?: undefined } | { stop: null; waitMs: number } {
  if (!shouldRetry(failure)) return { stop: "not_retryable" };
  if (attempt >= policy.maxAttempts) return { stop: "attempts_exhausted" };
  const asked = failure.retryAfterMs;
  const waitMs = asked ?? backoffMs(attempt - 1, policy, () => timers.random());
  // A wait that ends at or past the deadline leaves no time for the try itself: stop now and
  // let the fallback chain move on, rather than sleeping through the caller's budget.
  if (timers.now() + waitMs >= deadlineAt) {
    return { stop: asked !== undefined ? "retry_after_exceeds_deadline" : "deadline" };
  }
  return { stop: null, waitMs };
}

function stopped<T>(failure: UpstreamFailure, attempts: number, stop: RetryStop): RetryResult<T> {
  return { ok: false, failure, attempts, stop };
}

/** One try with its own timeout; the caller's abort is forwarded. */
async function attemptOnce<T>(
  call: (signal: AbortSignal, attempt: number) => Promise<Outcome<T>>,
  attempt: number,
  timeoutMs: number,
  timers: RetryTimers,
  outer: AbortSignal | undefined,
): Promise<Outcome<T>> {
  const controller = new AbortController();
  let timedOut = false;
  let settle: ((o: Outcome<T>) => void) | undefined;
  const abandoned = new Promise<Outcome<T>>((resolve) => (settle = resolve));
  const cancelTimer = timers.setTimer(timeoutMs, () => {
    timedOut = true;
    controller.abort();
    settle?.(timeoutFailure(`attempt timed out after ${timeoutMs} ms`));
  });
  const onOuterAbort = (): void => {
    controller.abort();
    settle?.(timeoutFailure("call aborted by the caller"));
  };
  outer?.addEventListener("abort", onOuterAbort, { once: true });
  try {
    // Providers return failures as values; a throw here is a bug and propagates.
    const result = await Promise.race([call(controller.signal, attempt), abandoned]);
    // A provider that maps our own abort to some other failure still timed out.
    if (timedOut && !result.ok) return timeoutFailure(`attempt timed out after ${timeoutMs} ms`);
    return result;
  } finally {
    cancelTimer();
    outer?.removeEventListener("abort", onOuterAbort);
  }
}

function timeoutFailure(message: string): { ok: false; failure: UpstreamFailure } {
  return { ok: false, failure: { reason: "timeout", message, retryable: true } };
}
