// The scope each API route requires, keyed by "METHOD /pattern" like the route policy. A route
// not listed needs no scope beyond a valid key (its usage, the model list). Kept as its own small
// table so it can fold into a single route table; the API description reads it too (403s).
import type { Scope } from "./grants.js";

/** Route -> the scope a key needs to call it (a list: any one of them). */
export const ROUTE_SCOPES: Readonly<Record<string, Scope | readonly Scope[]>> = {
  "POST /v1/query": "query",
  "POST /v1/query/batch": "query",
  "POST /v1/chat/completions": "chat",
  "POST /v1/embeddings": "embeddings",
  "GET /v1/documents": "documents:read",
  "GET /v1/documents/:id": "documents:read",
  // Hashes and metadata, not text: what a writer needs to skip unchanged documents.
  "POST /v1/documents/lookup": ["documents:read", "documents:write"],
  "POST /v1/documents": "documents:write",
  "DELETE /v1/documents/:id": "documents:write",
};

/** The scopes `METHOD pattern` accepts (any one of them), or null when it needs none. */
export function routeScope(method: string, pattern: string): readonly Scope[] | null {
  const scope = ROUTE_SCOPES[`${method} ${pattern}`];
  if (scope === undefined) return null;
  return typeof scope === "string" ? [scope] : scope;
}
