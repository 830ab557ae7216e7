// The one route table: every public route's method, path, who may call it, whether it counts
// against the request limit, whether it spends tokens or USD, and the scope a key will need.
// The router (its handlers), the before stage (routePolicy) and the OpenAPI document (ROUTE_DOCS)
// are all keyed by this table's keys, so the compiler refuses a route one of them forgets.
import type { Scope } from "../tenancy/grants.js";
import type { RouteDoc } from "./route-doc.js";

export type HttpMethod = "GET" | "POST" | "DELETE" | "PUT" | "PATCH";

/** open: anyone; key: an API key (or an anonymous principal when ALLOW_ANONYMOUS); admin: the
 * admin token (checked by the handler, so /metrics can also take METRICS_TOKEN). */
export type RouteAccess = "open" | "key" | "admin";

/** What a key must be granted to call a route (`admin` routes take the admin token instead). */
export type RouteScope = Scope | "admin";

/** One route's row: everything but its handler and its description. */
export interface RouteRow {
  method: HttpMethod;
  /** A static path, or a pattern: `/v1/models/:id` (`:id+` takes the rest of the path; see route-match). */
  path: string;
  access: RouteAccess;
  /** Counts one request against the caller's rpm (rate-limit headers, 429). */
  counted: boolean;
  /** Reserves tokens and USD before calling models or embedding (413/429 insufficient_quota). */
  spends: boolean;
  /** The scope a key needs (a list: any one of them); null where any key (or none) will do. */
  scope: RouteScope | readonly Scope[] | null;
}

const open = { access: "open", counted: false, spends: false, scope: null } as const;
const admin = { access: "admin", counted: false, spends: false, scope: "admin" } as const;

/** Every public route, in the order the router tries them. */
export const ROUTE_TABLE = [
  { method: "GET", path: "/health", ...open },
  { method: "GET", path: "/openapi.json", ...open },
  {
    method: "GET",
    path: "/v1/documents",
    access: "key",
    counted: true,
    spends: false,
    scope: "documents:read",
  },
  {
    method: "POST",
    path: "/v1/documents",
    access: "key",
    counted: true,
    spends: true,
    scope: "documents:write",
  },
  {
    method: "POST",
    path: "/v1/documents/lookup",
    access: "key",
    counted: true,
    spends: false,
    // Hashes and metadata, not text: what a writer needs to skip unchanged documents.
    scope: ["documents:read", "documents:write"],
  },
  {
    method: "GET",
    path: "/v1/documents/:id+",
    access: "key",
    counted: true,
    spends: false,
    scope: "documents:read",
  },
  {
    method: "DELETE",
    path: "/v1/documents/:id+",
    access: "key",
    counted: true,
    spends: false,
    scope: "documents:write",
  },
  {
    method: "GET",
    path: "/v1/jobs/:id",
    access: "key",
    counted: true,
    spends: false,
    // A job's progress is about documents: whoever may read or write them may follow it.
    scope: ["documents:read", "documents:write"],
  },
  { method: "POST", path: "/v1/query", access: "key", counted: true, spends: true, scope: "query" },
  // Reading one's own usage must work while limited, so it is not counted.
  { method: "GET", path: "/v1/usage", access: "key", counted: false, spends: false, scope: null },
  {
    method: "POST",
    path: "/v1/query/batch",
    access: "key",
    counted: true,
    spends: true,
    scope: "query",
  },
  {
    method: "POST",
    path: "/v1/chat/completions",
    access: "key",
    counted: true,
    spends: true,
    scope: "chat",
  },
  {
    method: "POST",
    path: "/v1/embeddings",
    access: "key",
    counted: true,
    spends: true,
    scope: "embeddings",
  },
  { method: "GET", path: "/v1/models", access: "key", counted: true, spends: false, scope: null },
  {
    method: "GET",
    path: "/v1/models/:id",
    access: "key",
    counted: true,
    spends: false,
    scope: null,
  },
  { method: "GET", path: "/v1/stats", ...admin },
  { method: "POST", path: "/admin/keys", ...admin },
  { method: "GET", path: "/admin/keys", ...admin },
  { method: "DELETE", path: "/admin/keys/:id", ...admin },
  { method: "GET", path: "/admin/requests", ...admin },
  { method: "POST", path: "/admin/cache/purge", ...admin },
  { method: "POST", path: "/admin/namespaces", ...admin },
  { method: "GET", path: "/admin/namespaces", ...admin },
  { method: "DELETE", path: "/admin/namespaces/:name", ...admin },
  { method: "GET", path: "/metrics", ...admin },
] as const satisfies readonly RouteRow[];

type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string }
  ? `${M} ${P}`
  : never;

/** A route's key, `METHOD /path`: what the handlers and the docs are keyed by. */
export type RouteKey = KeyOf<(typeof ROUTE_TABLE)[number]>;

/** The key of a row. */
export function routeKey(row: Pick<RouteRow, "method" | "path">): RouteKey {
  return `${row.method} ${row.path}` as RouteKey;
}

/** The row of `METHOD pattern`, or undefined for a pattern the table does not hold. */
export function findRoute(method: string, pattern: string): RouteRow | undefined {
  return ROUTE_TABLE.find((r) => r.method === method && r.path === pattern);
}

/** The scopes a row accepts (any one of them), or null when it needs none. */
export function routeScopes(row: Pick<RouteRow, "scope">): readonly RouteScope[] | null {
  if (row.scope === null) return null;
  return typeof row.scope === "string" ? [row.scope] : row.scope;
}

/** A row with its description, as the OpenAPI builder takes it. */
export interface DescribedRoute extends RouteRow {
  doc: RouteDoc;
}

/** Every row joined with its description from `docs`. */
export function describeRoutes(docs: Readonly<Record<RouteKey, RouteDoc>>): DescribedRoute[] {
  return ROUTE_TABLE.map((row) => ({ ...row, doc: docs[routeKey(row)] }));
}
