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
      .map((t) => t.trim().replace(/\s*=\s*/, "="))
      .filter((t) => t !== ""),
  );
  const noStore = tokens.has("no-store");
  const noCache =
    tokens.has("no-cache") ||
    tokens.has("max-age=0") ||
    (cacheControl === null && /(^|,)\s*no-cache\s*(,|$)/i.test(pragma ?? ""));
  return { lookup: useCache && !noCache && !noStore, store: !noStore };
}
