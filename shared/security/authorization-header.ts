// Parsing `Authorization: <scheme> <credentials>` before anything else runs. Client input, read
// on every request before authentication: the parse is one pass over at most
// MAX_AUTHORIZATION_LENGTH characters (no backtracking regex), so no header can cost more than
// a few microseconds.

/** Longer values are refused unread: no ragway key or admin token comes near this. */
export const MAX_AUTHORIZATION_LENGTH = 1024;

/** A header split into its scheme and credentials, or why it could not be. */
export type ParsedAuthorization =
  | { ok: true; scheme: string; credentials: string }
  | { ok: false; reason: "too_long" | "malformed" };

/** Space and horizontal tab: the only whitespace an HTTP field value may hold (RFC 9110 §5.5). */
function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * Splits an Authorization value into `scheme` and `credentials` in linear time. The credentials
 * are everything after the whitespace that follows the scheme, trimmed; a token68 credential
 * (Bearer, Basic) must hold no inner whitespace, which {@link bearerCredentials} checks.
 *
 * @example
 * parseAuthorization("Bearer rgw_abc"); // { ok: true, scheme: "Bearer", credentials: "rgw_abc" }
 * parseAuthorization("Bearer");         // { ok: false, reason: "malformed" }
 */
export function parseAuthorization(header: string): ParsedAuthorization {
  if (header.length > MAX_AUTHORIZATION_LENGTH) return { ok: false, reason: "too_long" };
  let start = 0;
  let end = header.length;
  while (start < end && isSpace(header.charCodeAt(start))) start++;
  while (end > start && isSpace(header.charCodeAt(end - 1))) end--;
  let schemeEnd = start;
  while (schemeEnd < end && !isSpace(header.charCodeAt(schemeEnd))) schemeEnd++;
  let credentialsStart = schemeEnd;
  while (credentialsStart < end && isSpace(header.charCodeAt(credentialsStart))) credentialsStart++;
  if (schemeEnd === start || credentialsStart === end || credentialsStart === schemeEnd) {
    return { ok: false, reason: "malformed" };
  }
  return {
    ok: true,
    scheme: header.slice(start, schemeEnd),
    credentials: header.slice(credentialsStart, end),
  };
}

/**
 * The token of a `Bearer <token>` header (scheme case-insensitive, one token, no inner
 * whitespace), or why there is none.
 */
export function bearerCredentials(
  header: string,
): { ok: true; token: string } | { ok: false; reason: "too_long" | "malformed" } {
  const parsed = parseAuthorization(header);
  if (!parsed.ok) return parsed;
  if (parsed.scheme.toLowerCase() !== "bearer") return { ok: false, reason: "malformed" };
  for (let i = 0; i < parsed.credentials.length; i++) {
    if (isSpace(parsed.credentials.charCodeAt(i))) return { ok: false, reason: "malformed" };
  }
  return { ok: true, token: parsed.credentials };
}
