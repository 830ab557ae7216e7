// Turns "no model answered" into the client's error: a 400 when the upstream rejected the request
// itself, else a 503 that lists every attempt, so callers can see what was tried and why.
import { HttpError } from "./errors.js";
import type { LinkAttempt } from "../shared/llm/fallback.js";
import type { UpstreamFailure } from "../shared/llm/types.js";

/** The HttpError for a failed walk of the fallback chain. */
export function upstreamError(result: {
  attempts: LinkAttempt[];
  failure: UpstreamFailure | null;
  rejected: boolean;
}): HttpError {
  const details = { attempts: result.attempts };
  if (result.rejected && result.failure) {
    return new HttpError(
      "invalid_request",
      `the upstream rejected the request: ${result.failure.message}`,
      { details },
    );
  }
  const last = result.failure ? ` (last error: ${result.failure.reason})` : "";
  return new HttpError(
    "upstream_unavailable",
    `no model could answer: ${result.attempts.length} attempt(s) failed${last}`,
    { details },
  );
}
