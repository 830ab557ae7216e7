// Admin authentication: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time over
// SHA-256 digests so neither content nor length leaks through timing.
import { HttpError } from "./errors.js";
import type { AppContext } from "./context.js";

/** The bearer token of a request, or null; a malformed header is a 401. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (header === null) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) {
    throw new HttpError(
      "unauthorized",
      "malformed Authorization header: expected 'Bearer <token>'",
    );
  }
  return match[1];
}

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}

/** True when `a` equals `b`, in time independent of where they differ. */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([digest(a), digest(b)]);
  return crypto.subtle.timingSafeEqual(da, db);
}

/** Throws 401 unless the request carries the admin token. */
export async function requireAdmin(request: Request, app: AppContext): Promise<void> {
  const expected = app.config.ADMIN_TOKEN;
  const token = bearerToken(request);
  if (!token) throw new HttpError("unauthorized", "admin token required");
  if (!expected || !(await constantTimeEqual(token, expected))) {
    throw new HttpError("unauthorized", "invalid admin token");
  }
  app.principal = { id: "admin", kind: "admin" };
}
