// GET /openapi.json: the OpenAPI 3.1 description, built once per isolate from the router's route
// table and the route docs (shared/api), with the caller's origin as the server URL.
import type { IRequest } from "itty-router";
import { buildOpenApi, type RouteEntry } from "../../shared/api/openapi.js";
import { ROUTE_DOCS } from "../../shared/api/route-docs.js";
import type { AppContext } from "../context.js";
import { json } from "../http/respond.js";
import { VERSION } from "../version.js";

/** A route as the router's table lists it. */
export type RouteRow = readonly [method: string, path: string, ...rest: unknown[]];

let memo: { routes: readonly RouteRow[]; doc: Record<string, unknown> } | null = null;

/** The documented routes, in table order; rows without a doc are left out (a test forbids them). */
export function documentedRoutes(routes: readonly RouteRow[]): RouteEntry[] {
  const out: RouteEntry[] = [];
  for (const [method, path] of routes) {
    const doc = ROUTE_DOCS[`${method} ${path}`];
    if (doc) out.push({ method, path, doc });
  }
  return out;
}

/** Serves the description of `routes` (the router passes its own table). */
export async function getOpenApi(
  request: IRequest,
  app: AppContext,
  routes: readonly RouteRow[],
): Promise<Response> {
  if (memo?.routes !== routes) {
    const undocumented = routes.filter(([m, p]) => !ROUTE_DOCS[`${m} ${p}`]);
    if (undocumented.length > 0) {
      app.logger.error("undocumented_routes", {
        routes: undocumented.map(([m, p]) => `${m} ${p}`),
      });
    }
    memo = { routes, doc: buildOpenApi(documentedRoutes(routes), { version: VERSION }) };
  }
  const origin = new URL(request.url).origin;
  return json(
    { ...memo.doc, servers: [{ url: origin }] },
    { headers: { "cache-control": "public, max-age=300" } },
  );
}
