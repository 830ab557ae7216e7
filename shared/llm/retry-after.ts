// Parses an upstream's "wait this long" headers into milliseconds for the retry owner.
// `retry-after-ms` (OpenAI's) wins over `retry-after`, which may be seconds or an HTTP-date.

/** Header sources: a WHATWG Headers or a plain record (names matched case-insensitively). */
export type HeaderSource = Headers | Record<string, string | null | undefined>;

const SECONDS_RE = /^-?\d+(?:\.\d+)?$/;
// All three HTTP-date forms (IMF-fixdate, RFC 850, asctime) start with a day name.
const HTTP_DATE_RE = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s/i;

/**
 * Milliseconds the upstream asked us to wait, or undefined when it didn't say (or said garbage).
 * A past date or negative value means "now" (0). `now` is the clock, for HTTP-date math.
 *
 * @example
 * parseRetryAfter(new Headers({ "retry-after": "2" }), Date.now()); // 2000
 * parseRetryAfter({ "retry-after-ms": "150", "retry-after": "9" }, 0); // 150
 */
export function parseRetryAfter(headers: HeaderSource, now: number): number | undefined {
  const ms = header(headers, "retry-after-ms");
  if (ms !== undefined && SECONDS_RE.test(ms)) return Math.max(0, Math.ceil(Number(ms)));

  const value = header(headers, "retry-after");
  if (value === undefined) return undefined;
  if (SECONDS_RE.test(value)) return Math.max(0, Math.ceil(Number(value) * 1000));
  if (!HTTP_DATE_RE.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function header(headers: HeaderSource, name: string): string | undefined {
  let value: string | null | undefined;
  // Duck-typed: a Headers from another realm or polyfill fails `instanceof`.
  if (isHeaders(headers)) {
    value = headers.get(name);
  } else {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function isHeaders(headers: HeaderSource): headers is Headers {
  return typeof (headers as { get?: unknown }).get === "function";
}
