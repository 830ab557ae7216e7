// The one mapping from an upstream failure to what the client sees. Upstream text never reaches
// a client: a provider's message can quote the provider key (OpenAI's 401 does) or other
// deployments' details. Clients get a generic message with the upstream status and the request
// id; the detail goes to the log, scrubbed of credentials.
import type { LinkAttempt } from "../shared/llm/fallback.js";
import { isRejection } from "../shared/llm/fallback.js";
import type { UpstreamFailure } from "../shared/llm/types.js";
import { scrubSecrets } from "../shared/security/scrub-secrets.js";
import type { AppContext } from "./context.js";
import { HttpError } from "./errors.js";

/** Upstream messages are logged up to this length. */
const MAX_DETAIL_CHARS = 500;

/** What was being asked of the upstream, for the log and the client's message. */
export type UpstreamCall = "chat" | "stream" | "embedding";

/**
 * Logs a failure's detail (scrubbed) and returns the message a client may see: the call, the
 * reason, the upstream status when there was one, and the request id to quote.
 *
 * @example
 * upstreamFailureMessage(app, failure, "embedding");
 * // "the embedding upstream failed (auth, status 401); request id req_..."
 */
export function upstreamFailureMessage(
  app: AppContext,
  failure: UpstreamFailure,
  call: UpstreamCall,
): string {
  app.logger.warn("upstream_error", {
    call,
    reason: failure.reason,
    status: failure.status ?? null,
    detail: scrubSecrets(failure.message.slice(0, MAX_DETAIL_CHARS)),
  });
  const status = failure.status !== undefined ? `, status ${failure.status}` : "";
  const what = call === "embedding" ? "the embedding upstream" : "the model upstream";
  const verb = isRejection(failure) ? "rejected the request" : "failed";
  return `${what} ${verb} (${failure.reason}${status}); request id ${app.requestId}`;
}

/** The HttpError for one failed upstream call (an embedding, an ingestion's embeddings). */
export function upstreamFailureError(
  app: AppContext,
  failure: UpstreamFailure,
  call: UpstreamCall,
): HttpError {
  const message = upstreamFailureMessage(app, failure, call);
  return new HttpError(isRejection(failure) ? "invalid_request" : "upstream_unavailable", message);
}

/**
 * The HttpError for a failed walk of the fallback chain: a 400 when the upstream rejected the
 * request itself, else a 503 that lists every attempt (model, reason, status: never text).
 */
export function upstreamError(
  result: { attempts: LinkAttempt[]; failure: UpstreamFailure | null; rejected: boolean },
  app: AppContext,
): HttpError {
  const details = { attempts: result.attempts };
  if (result.failure) {
    const message = upstreamFailureMessage(app, result.failure, "chat");
    if (result.rejected) return new HttpError("invalid_request", message, { details });
    return new HttpError(
      "upstream_unavailable",
      `no model could answer: ${result.attempts.length} attempt(s) failed; last: ${message}`,
      { details },
    );
  }
  return new HttpError(
    "upstream_unavailable",
    `no model could answer: ${result.attempts.length} attempt(s) failed; request id ${app.requestId}`,
    { details },
  );
}
