// What a rejected upstream fetch (or body read) means under the call's signal. The provider keeps
// no clock: the signal it is given ends the call, and the retry loop (shared/llm/retry), the one
// owner of attempt timeouts, aborts it when an attempt runs out of time.
import type { UpstreamFailure } from "./types.js";

/** The failure for a call whose signal aborted before it started, else null. */
export function abortedAlready(signal: AbortSignal | undefined): UpstreamFailure | null {
  return signal?.aborted ? aborted() : null;
}

/**
 * Maps a rejection of the fetch or of a body read: an abort of the call's signal (its attempt's
 * timeout, the client gone) and a runtime's own connect timeout are `timeout` (retryable),
 * anything else (connection refused, DNS, reset) is `network`.
 *
 * @example
 * try { return await fetch(url, { signal }); }
 * catch (error) { return { ok: false, failure: failureOf(error, signal) }; }
 */
export function failureOf(error: unknown, signal: AbortSignal | undefined): UpstreamFailure {
  if (signal?.aborted || isAbortError(error)) return aborted();
  const message = describe(error);
  // Runtimes report their own connect timeouts as plain errors ("Connect Timeout Error").
  if (/timed? ?out/i.test(message)) {
    return { reason: "timeout", message: `upstream timed out: ${message}`, retryable: true };
  }
  return { reason: "network", message: `upstream connection failed: ${message}`, retryable: true };
}

function aborted(): UpstreamFailure {
  return { reason: "timeout", message: "upstream call aborted", retryable: true };
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
