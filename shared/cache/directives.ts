// Per-request cache controls: `use_cache: false` and `Cache-Control: no-cache` skip the lookup
// (the fresh answer is still stored, refreshing the entry); `no-store` skips the write as well.

/** What one request may do with the answer cache. */
export interface CacheDirectives {
  /** Look for a cached answer. */
  lookup: boolean;
  /** Store the computed answer. */
  store: boolean;
}

/**
 * Reads the body's `use_cache` and the request's `Cache-Control` (and HTTP/1.0 `Pragma`).
 * `max-age=0` asks for a fresh answer like `no-cache` does.
 * @example
 * cacheDirectives(true, "no-store"); // { lookup: false, store: false }
 */
export function cacheDirectives(
  useCache: boolean,
  cacheControl: string | null,
  pragma: string | null = null,
): CacheDirectives {
  const tokens = new Set(
    (cacheControl ?? "")
      .toLowerCase()
      .split(",")
      .map(directive)
      .filter((t) => t !== ""),
  );
  const noStore = tokens.has("no-store");
  const noCache =
    tokens.has("no-cache") ||
    tokens.has("max-age=0") ||
    (cacheControl === null && /(^|,)\s*no-cache\s*(,|$)/i.test(pragma ?? ""));
  return { lookup: useCache && !noCache && !noStore, store: !noStore };
}

// `name = value` as `name=value`, trimmed. Split by hand: a regex with whitespace runs around
// "=" backtracks quadratically over a long run of spaces, and this header is client input.
function directive(token: string): string {
  const eq = token.indexOf("=");
  if (eq < 0) return token.trim();
  return `${token.slice(0, eq).trim()}=${token.slice(eq + 1).trim()}`;
}
