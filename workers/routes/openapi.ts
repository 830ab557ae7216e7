// GET /openapi.json: the OpenAPI 3.1 description, built once per isolate from the route table
// joined with the route docs (shared/api), with the caller's origin as the server URL.
import type { RoutedRequest } from "../http/routed-request.js";
import { buildOpenApi } from "../../shared/api/openapi.js";
import { ROUTE_DOCS } from "../../shared/api/route-docs.js";
import { describeRoutes } from "../../shared/api/route-table.js";
import type { AppContext } from "../context.js";
import { json } from "../http/respond.js";
import { VERSION } from "../version.js";

let memo: Record<string, unknown> | null = null;

/** Serves the description of every route in the route table. */
export async function getOpenApi(request: RoutedRequest, _app: AppContext): Promise<Response> {
  memo ??= buildOpenApi(describeRoutes(ROUTE_DOCS), { version: VERSION });
  const origin = new URL(request.url).origin;
  return json(
    { ...memo, servers: [{ url: origin }] },
    { headers: { "cache-control": "public, max-age=300" } },
  );
}
