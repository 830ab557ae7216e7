// The one error type and the one renderer: every error leaves in OpenAI's shape plus request_id.
// A platform failure (an overloaded or reset Durable Object) becomes a 503 with Retry-After; any
// other unknown error a 500 with a generic message. Details go to the log, never the body.
import { platformFailure } from "./platform-failure.js";

/** OpenAI-style error codes this gateway emits; the status is derived from the code. */
export type ErrorCode =
  | "invalid_json"
  | "invalid_request"
  | "context_length_exceeded"
  | "unsupported_media_type"
  | "payload_too_large"
  | "request_too_large"
  | "not_found"
  | "method_not_allowed"
  | "unauthorized"
  | "forbidden"
  | "permission_denied"
  | "namespace_not_found"
  | "job_not_found"
  | "conflict"
  | "rate_limit_exceeded"
  | "insufficient_quota"
  | "upstream_unavailable"
  | "service_unavailable"
  | "config_error"
  | "internal_error";

const STATUS: Record<ErrorCode, number> = {
  invalid_json: 400,
  invalid_request: 400,
  context_length_exceeded: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  request_too_large: 413,
  not_found: 404,
  method_not_allowed: 405,
  unauthorized: 401,
  forbidden: 403,
  permission_denied: 403,
  namespace_not_found: 404,
  job_not_found: 404,
  conflict: 409,
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  upstream_unavailable: 503,
  service_unavailable: 503,
  config_error: 500,
  internal_error: 500,
};

const TYPE: Record<ErrorCode, string> = {
  invalid_json: "invalid_request_error",
  invalid_request: "invalid_request_error",
  context_length_exceeded: "invalid_request_error",
  unsupported_media_type: "invalid_request_error",
  payload_too_large: "invalid_request_error",
  request_too_large: "invalid_request_error",
  not_found: "invalid_request_error",
  method_not_allowed: "invalid_request_error",
  unauthorized: "authentication_error",
  forbidden: "permission_error",
  permission_denied: "permission_error",
  namespace_not_found: "invalid_request_error",
  job_not_found: "invalid_request_error",
  conflict: "invalid_request_error",
  rate_limit_exceeded: "rate_limit_error",
  insufficient_quota: "insufficient_quota",
  upstream_unavailable: "api_error",
  service_unavailable: "server_error",
  config_error: "server_error",
  internal_error: "server_error",
};

/** An error meant for the client. Throw it anywhere in workers/; the router renders it once. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      param?: string | null;
      headers?: Record<string, string>;
      details?: Record<string, unknown>;
    } = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.code = code;
    this.status = STATUS[code];
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.details = options.details;
  }
}

/** The client's view of any thrown value: itself, a 503 for a platform failure, else a 500. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const failure = platformFailure(err);
  if (failure) {
    return new HttpError(
      "service_unavailable",
      "the service is briefly overloaded or unavailable; retry after the Retry-After interval",
      { headers: { "retry-after": String(failure.retryAfterSeconds) } },
    );
  }
  return new HttpError("internal_error", "internal error");
}

/** The status and `error` object for any thrown value (also used for inline errors in a batch). */
export function renderErrorBody(err: unknown): {
  status: number;
  headers: Record<string, string>;
  error: Record<string, unknown>;
} {
  const httpError = toHttpError(err);
  return {
    status: httpError.status,
    headers: httpError.headers,
    error: {
      message: httpError.message,
      type: TYPE[httpError.code],
      code: httpError.code,
      param: httpError.param,
      ...(httpError.details ?? {}),
    },
  };
}

/** Renders any thrown value as the documented error JSON. */
export function renderError(err: unknown, requestId: string): Response {
  const { status, headers, error } = renderErrorBody(err);
  return new Response(JSON.stringify({ error, request_id: requestId }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}
