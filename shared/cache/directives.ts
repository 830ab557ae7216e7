// Per-request cache controls: `use_cache: false` and `Cache-Control: no-cache` skip the lookup
// (the fresh answer is still stored, refreshing the entry); `no-store` skips the write as well;
// `max-age=<n>` (n > 0) bounds the age of an entry the request accepts.

/** What one request may do with the answer cache. */
export interface CacheDirectives {
  /** Look for a cached answer. */
  lookup: boolean;
  /** Store the computed answer. */
  store: boolean;
  /**
   * `Cache-Control: max-age=<n>` with n > 0 (absent under `no-store`): the oldest entry, in
   * seconds, the request accepts; an older one is a miss. For chat it is also the opt-in that
   * caches a sampled completion (shared/cache/chat-cacheability).
   */
  maxAgeSeconds?: number;
}

/**
 * Reads the body's `use_cache` and the request's `Cache-Control` (and HTTP/1.0 `Pragma`).
 * `max-age=0` asks for a fresh answer like `no-cache` does; a larger `max-age` is kept as the
 * age bound (the smallest one, if the header repeats it).
 * @example
 * cacheDirectives(true, "no-store"); // { lookup: false, store: false }
 * cacheDirectives(true, "max-age=60"); // { lookup: true, store: true, maxAgeSeconds: 60 }
 */
export function cacheDirectives(
  useCache: boolean,
  cacheControl: string | null,
  pragma: string | null = null,
): CacheDirectives {
  const tokens = (cacheControl ?? "")
    .toLowerCase()
    .split(",")
    .map(directive)
    .filter((t) => t !== "");
  const noStore = tokens.includes("no-store");
  const maxAge = smallestMaxAge(tokens);
  const noCache =
    tokens.includes("no-cache") ||
    maxAge === 0 ||
    (cacheControl === null && /(^|,)\s*no-cache\s*(,|$)/i.test(pragma ?? ""));
  const directives: CacheDirectives = { lookup: useCache && !noCache && !noStore, store: !noStore };
  if (!noStore && maxAge !== null && maxAge > 0) directives.maxAgeSeconds = maxAge;
  return directives;
}

/** True when `directives` leave the cache nothing to do: no key, no tiers, no lookup, no write. */
export function skipsCache(directives: CacheDirectives): boolean {
  return !directives.lookup && !directives.store;
}

// The smallest `max-age=<digits>` among `tokens`, or null; a malformed value is ignored.
function smallestMaxAge(tokens: readonly string[]): number | null {
  let smallest: number | null = null;
  for (const token of tokens) {
    if (!token.startsWith("max-age=")) continue;
    const value = token.slice("max-age=".length);
    if (!/^\d{1,12}$/.test(value)) continue;
    const seconds = Number(value);
    if (smallest === null || seconds < smallest) smallest = seconds;
  }
  return smallest;
}

// `name = value` as `name=value`, trimmed. Split by hand: a regex with whitespace runs around
// "=" backtracks quadratically over a long run of spaces, and this header is client input.
function directive(token: string): string {
  const eq = token.indexOf("=");
  if (eq < 0) return token.trim();
  return `${token.slice(0, eq).trim()}=${token.slice(eq + 1).trim()}`;
}

/**
 * The `Age` header of a response served from the cache: whole seconds since its entry was
 * computed (RFC 9111 §5.1), 0 for one computed moments ago by another request (no `createdAt`),
 * never negative when clocks disagree. Compare it with the `max-age` a request sent.
 * @example
 * ageHeader(Date.now() - 61_500, Date.now()); // { age: "61" }
 */
export function ageHeader(createdAt: number | undefined, now: number): { age: string } {
  const seconds = createdAt === undefined ? 0 : Math.max(0, Math.floor((now - createdAt) / 1000));
  return { age: String(seconds) };
}
