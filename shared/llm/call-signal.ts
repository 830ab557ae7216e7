// One upstream call's abort signal: its own timeout joined with the caller's signal, and what a
// rejected fetch (or body read) means under them. The timeout can be stopped once the part of the
// call it bounds is over (a stream's headers), while the caller's signal keeps closing the
// connection for as long as the body is read.
import type { RetryTimers } from "./retry.js";
import type { UpstreamFailure } from "./types.js";

/** A call's signal and its reading of failures. */
export interface CallSignal {
  /** Aborts the fetch at the timeout or when the caller aborts. */
  readonly signal: AbortSignal;
  /** Stops the timeout (idempotent); the caller's signal still aborts. */
  stopTimer(): void;
  /** The failure for a call the caller aborted before it started, else null. */
  abortedAlready(): UpstreamFailure | null;
  /**
   * Maps a rejection of the fetch or of a body read: the caller's abort and the timeout are
   * `timeout` (retryable), anything else (connection refused, DNS, reset) is `network`.
   */
  failureOf(error: unknown): UpstreamFailure;
}

/**
 * Starts a call's timeout and joins it with `caller` (AbortSignal.any where the runtime has it).
 *
 * @example
 * const call = callSignal(20_000, request.signal, systemTimers);
 * try { return await fetch(url, { signal: call.signal }); }
 * catch (error) { return call.failureOf(error); }
 * finally { call.stopTimer(); }
 */
export function callSignal(
  timeoutMs: number,
  caller: AbortSignal | undefined,
  timers: Pick<RetryTimers, "setTimer">,
): CallSignal {
  const own = new AbortController();
  let timedOut = false;
  const cancel = timers.setTimer(timeoutMs, () => {
    timedOut = true;
    own.abort(new DOMException(`upstream timed out after ${timeoutMs} ms`, "TimeoutError"));
  });
  const signal = caller ? anySignal(caller, own.signal) : own.signal;
  return {
    signal,
    stopTimer: cancel,
    abortedAlready: () => (caller?.aborted ? aborted() : null),
    failureOf(error) {
      // The caller's abort first: its own timeout (the retry loop's) also arrives this way.
      if (caller?.aborted) return aborted();
      if (timedOut) {
        return {
          reason: "timeout",
          message: `upstream timed out after ${timeoutMs} ms`,
          retryable: true,
        };
      }
      const message = describe(error);
      if (isAbortError(error)) return aborted();
      // Runtimes report their own connect timeouts as plain errors ("Connect Timeout Error").
      if (/timed? ?out/i.test(message)) {
        return { reason: "timeout", message: `upstream timed out: ${message}`, retryable: true };
      }
      return {
        reason: "network",
        message: `upstream connection failed: ${message}`,
        retryable: true,
      };
    },
  };
}

function aborted(): UpstreamFailure {
  return { reason: "timeout", message: "upstream call aborted", retryable: true };
}

/** Aborts when either signal does. */
function anySignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  if (typeof AbortSignal.any === "function") return AbortSignal.any([a, b]);
  const joined = new AbortController();
  for (const s of [a, b]) {
    if (s.aborted) {
      joined.abort(s.reason);
      break;
    }
    s.addEventListener("abort", () => joined.abort(s.reason), { once: true });
  }
  return joined.signal;
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

/** The error's message and, when there is one, its cause's (Node's "fetch failed" says little). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  const detail = cause instanceof Error ? cause.message : undefined;
  return detail && detail !== error.message ? `${error.message} (${detail})` : error.message;
}
