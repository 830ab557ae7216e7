// CORS for browser clients on other origins. Credentials are bearer tokens, never cookies, so
// `*` is safe as the default origin; preflights are answered from the route table's methods.
// A browser sends `Origin` with every cross-origin request, so the headers go only on answers to
// requests that carry one: SDKs, servers and curl send none and are spared ~300 bytes a response.
// A GET's answer says `Vary: Origin`, so a cached copy without the headers never answers a
// cross-origin read.

const ALLOW_HEADERS = "authorization, content-type, cache-control, x-request-id";
const EXPOSE_HEADERS = [
  "x-request-id",
  "x-cache",
  "age",
  "x-model-reason",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
  "x-ratelimit-limit-tokens",
  "x-ratelimit-remaining-tokens",
  "x-ratelimit-reset-tokens",
  "ratelimit",
  "ratelimit-policy",
  "retry-after",
  "retry-after-ms",
].join(", ");

/** Headers a response to a cross-origin caller carries. */
export function corsHeaders(): Record<string, string> {
  return {
    "access-control-allow-origin": "*",
    "access-control-expose-headers": EXPOSE_HEADERS,
  };
}

const CORS_HEADERS = Object.entries(corsHeaders());

/** Sets the CORS headers on `response` when `request` came with an `Origin`, and `Vary: Origin`
 * on the answer to a GET (or HEAD, served as GET), whichever it is. `response`'s headers must be
 * mutable. */
export function applyCors(request: Request, response: Response): void {
  if (request.headers.has("origin")) {
    for (const [name, value] of CORS_HEADERS) response.headers.set(name, value);
  }
  if (request.method === "GET" || request.method === "HEAD") {
    response.headers.append("vary", "Origin");
  }
}

/** The answer to a preflight for a path that accepts `methods`. */
export function preflight(methods: readonly string[]): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(),
      "access-control-allow-methods": [...new Set(methods)].join(", "),
      "access-control-allow-headers": ALLOW_HEADERS,
      "access-control-max-age": "86400",
    },
  });
}
