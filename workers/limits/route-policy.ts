// Which routes need a principal, count against requests per minute, and spend tokens or money.
// Default-deny for the API: every /v1 route needs a principal and is counted unless listed here,
// so a route added later cannot slip past the limiter by being forgotten.

/** How the before stage treats a matched route. */
export interface RoutePolicy {
  /** Needs a key (or an anonymous principal when ALLOW_ANONYMOUS). */
  principal: boolean;
  /** Counts one request against rpm. */
  countRequest: boolean;
  /** Spends tokens or USD (reserves through workers/limits/spend before doing so). */
  spends: boolean;
}

/** Routes that authenticate themselves with the admin token. */
const ADMIN_ONLY = new Set(["GET /v1/stats"]);

/** Reading one's own usage must work while limited, so it is not counted. */
const UNCOUNTED = new Set(["GET /v1/usage"]);

/** Routes that call models or embed: they reserve tokens and USD before spending. */
export const SPENDING_ROUTES: ReadonlySet<string> = new Set([
  "POST /v1/query",
  "POST /v1/query/batch",
  "POST /v1/chat/completions",
  "POST /v1/embeddings",
  "POST /v1/documents",
]);

const OPEN: RoutePolicy = { principal: false, countRequest: false, spends: false };

/** The policy of a route, by method and route pattern (e.g. `GET /v1/documents/:id`). */
export function routePolicy(method: string, pattern: string): RoutePolicy {
  const route = `${method} ${pattern}`;
  if (!pattern.startsWith("/v1/") || ADMIN_ONLY.has(route)) return OPEN;
  return {
    principal: true,
    countRequest: !UNCOUNTED.has(route),
    spends: SPENDING_ROUTES.has(route),
  };
}
