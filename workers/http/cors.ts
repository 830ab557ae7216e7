// CORS for browser clients on other origins. Credentials are bearer tokens, never cookies, so
// `*` is safe as the default origin; preflights are answered from the route table's methods.

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

/** Headers every response carries for cross-origin callers. */
export function corsHeaders(): Record<string, string> {
  return {
    "access-control-allow-origin": "*",
    "access-control-expose-headers": EXPOSE_HEADERS,
  };
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
