// The scope each API route requires, keyed by "METHOD /pattern" like the route policy. A route
// not listed needs no scope beyond a valid key (its usage, the model list). Kept as its own small
// table so it can fold into a single route table; the API description reads it too (403s).
import type { Scope } from "./grants.js";

/** Route -> the scope a key needs to call it. */
export const ROUTE_SCOPES: Readonly<Record<string, Scope>> = {
  "POST /v1/query": "query",
  "POST /v1/query/batch": "query",
  "POST /v1/chat/completions": "chat",
  "POST /v1/embeddings": "embeddings",
  "GET /v1/documents": "documents:read",
  "GET /v1/documents/:id": "documents:read",
  "POST /v1/documents/lookup": "documents:read",
  "POST /v1/documents": "documents:write",
  "DELETE /v1/documents/:id": "documents:write",
};

/** The scope `METHOD pattern` requires, or null. */
export function routeScope(method: string, pattern: string): Scope | null {
  return ROUTE_SCOPES[`${method} ${pattern}`] ?? null;
}
