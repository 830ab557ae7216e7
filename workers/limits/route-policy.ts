// How the before stage treats a matched route, read from the one route table
// (shared/api/route-table). A pattern the table does not hold is treated as a counted route
// that needs a principal, so a route added without a row cannot slip past the limiter.
import { ROUTE_TABLE, findRoute, routeKey } from "../../shared/api/route-table.js";

/** How the before stage treats a matched route. */
export interface RoutePolicy {
  /** Needs a key (or an anonymous principal when ALLOW_ANONYMOUS). */
  principal: boolean;
  /** Counts one request against rpm. */
  countRequest: boolean;
  /** Spends tokens or USD (reserves through workers/limits/spend before doing so). */
  spends: boolean;
}

/** Routes that call models or embed (`METHOD /path`): they reserve tokens and USD first. */
export const SPENDING_ROUTES: ReadonlySet<string> = new Set(
  ROUTE_TABLE.filter((r) => r.spends).map(routeKey),
);

const UNLISTED: RoutePolicy = { principal: true, countRequest: true, spends: false };

/** The policy of a route, by method and route pattern (e.g. `GET /v1/documents/:id+`). */
export function routePolicy(method: string, pattern: string): RoutePolicy {
  const row = findRoute(method, pattern);
  if (!row) return UNLISTED;
  return { principal: row.access === "key", countRequest: row.counted, spends: row.spends };
}
