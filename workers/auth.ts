// Admin authentication: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time over
// SHA-256 digests so neither content nor length leaks through timing. Failed attempts are counted
// and throttled per client in isolate memory, so the success path never leaves the isolate.
import {
  bearerCredentials,
  MAX_AUTHORIZATION_LENGTH,
} from "../shared/security/authorization-header.js";
import { FailureThrottle } from "../shared/security/failure-throttle.js";
import { HttpError } from "./errors.js";
import type { AppContext } from "./context.js";

/** Failed admin authentications a client may make per minute in one isolate. */
export const ADMIN_FAILURES_PER_MINUTE = 10;

const adminFailures = new FailureThrottle(() => Date.now(), {
  maxFailures: ADMIN_FAILURES_PER_MINUTE,
  windowMs: 60_000,
  maxClients: 10_000,
});

/** The bearer token of a request, or null; a malformed or oversized header is a 401. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (header === null) return null;
  const parsed = bearerCredentials(header);
  if (parsed.ok) return parsed.token;
  throw new HttpError(
    "unauthorized",
    parsed.reason === "too_long"
      ? `Authorization header too long: at most ${MAX_AUTHORIZATION_LENGTH} characters`
      : "malformed Authorization header: expected 'Bearer <token>'",
  );
}

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}

/** True when `a` equals `b`, in time independent of where they differ. */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([digest(a), digest(b)]);
  return crypto.subtle.timingSafeEqual(da, db);
}

/** The address a request came from, as Cloudflare reports it (kept in memory only). */
export function clientAddress(request: Request): string {
  return request.headers.get("cf-connecting-ip") ?? "unknown";
}

/**
 * Throws unless the request carries the admin token: 401 for a missing or wrong token, 429 once
 * the client has failed {@link ADMIN_FAILURES_PER_MINUTE} times in the last minute.
 */
export async function requireAdmin(request: Request, app: AppContext): Promise<void> {
  const client = clientAddress(request);
  const waitMs = adminFailures.retryAfterMs(client);
  if (waitMs > 0) {
    app.metrics.inc("ragway_admin_auth_failures_total", { reason: "throttled" });
    const retryS = Math.max(1, Math.ceil(waitMs / 1000));
    throw new HttpError(
      "rate_limit_exceeded",
      `too many failed admin authentications: retry in ${retryS} s`,
      { headers: { "retry-after": String(retryS) } },
    );
  }
  const expected = app.config.ADMIN_TOKEN;
  const failed = (reason: string, message: string): HttpError => {
    adminFailures.fail(client);
    app.metrics.inc("ragway_admin_auth_failures_total", { reason });
    return new HttpError("unauthorized", message);
  };
  let token: string | null;
  try {
    token = bearerToken(request);
  } catch (err) {
    if (err instanceof HttpError) throw failed("malformed", err.message);
    throw err;
  }
  if (!expected) {
    // Only possible outside production (configuration requires the token there).
    throw failed(
      "not_configured",
      "admin token required, and this server has none configured: set ADMIN_TOKEN in .dev.vars and restart `npm run dev`",
    );
  }
  if (!token)
    throw failed("missing", "admin token required: send 'Authorization: Bearer <ADMIN_TOKEN>'");
  if (!(await constantTimeEqual(token, expected))) throw failed("invalid", "invalid admin token");
  app.principal = { id: "admin", kind: "admin" };
}
