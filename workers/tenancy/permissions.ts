// Permission checks against the grants that came back with admission (no extra round trip):
// the route's scope in the before stage, and the namespace once a route has read which one its
// request names. Refusals are 403 permission_denied naming what is missing.
import {
  checkScope,
  refusalMessage,
  resolveNamespace,
  type GrantRefusal,
  type Grants,
  type Scope,
} from "../../shared/tenancy/grants.js";
import type { AppContext } from "../context.js";
import { HttpError } from "../errors.js";
import { findRoute, routeScopes } from "../../shared/api/route-table.js";

/** Nothing: what a caller without grants from admission may do on a scoped route. */
const NO_GRANTS: Grants = { namespaces: [], scopes: [] };

/** The caller's grants; default-deny when admission returned none. */
export function grantsOf(app: AppContext): Grants {
  return app.principal?.grants ?? NO_GRANTS;
}

/**
 * Throws 403 unless the caller holds a scope the route accepts (the route table's `scope`).
 * Admin routes are left to their handlers, which check the admin token (or METRICS_TOKEN).
 */
export function authorizeRoute(app: AppContext, method: string, pattern: string): void {
  const row = findRoute(method, pattern);
  const accepted = row ? routeScopes(row) : null;
  if (!accepted) return;
  const keyScopes = accepted.filter((s): s is Scope => s !== "admin");
  if (keyScopes.length < accepted.length) return;
  const refusal = checkScope(grantsOf(app), keyScopes);
  if (refusal) throw denied(app, refusal);
}

/**
 * The namespace this request acts on: the one it names (body `namespace` or `?namespace=`), or
 * the key's first. Throws 403 when the key may not use it.
 */
export function namespaceFor(app: AppContext, requested: string | undefined): string {
  const resolved = resolveNamespace(grantsOf(app), requested);
  if (!resolved.ok) throw denied(app, resolved.refusal);
  app.logFields.namespace = resolved.namespace;
  return resolved.namespace;
}

function denied(app: AppContext, refusal: GrantRefusal): HttpError {
  app.metrics.inc("ragway_permission_denied_total", { missing: refusal.missing });
  return new HttpError("permission_denied", refusalMessage(refusal), {
    param: refusal.missing === "namespace" ? "namespace" : null,
  });
}
