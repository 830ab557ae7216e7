// What each public route means, for the API description: summary, the zod schemas it validates
// with and answers in, its own errors. Who may call it, and whether it is limited or spends, come
// from its row in the route table (shared/api/route-table), which these entries are keyed by. The
// entries live in one file per tag group; joined here, a route the table has and no group
// describes does not compile (and a group cannot name a route the table lacks).
import type { NamedSchema, RouteDoc } from "./route-doc.js";
import type { RouteKey } from "./route-table.js";
import { ADMIN_ROUTE_DOCS } from "./admin-route-docs.js";
import { DOCUMENT_ROUTE_DOCS } from "./document-route-docs.js";
import { OPENAI_ROUTE_DOCS } from "./openai-route-docs.js";
import { QUERY_ROUTE_DOCS } from "./query-route-docs.js";
import { SYSTEM_ROUTE_DOCS } from "./system-route-docs.js";

export type { NamedSchema, RouteDoc };

/** Every public route's description, keyed by the route table (a missing or extra key does not
 * compile). */
export const ROUTE_DOCS: Record<RouteKey, RouteDoc> = {
  ...SYSTEM_ROUTE_DOCS,
  ...DOCUMENT_ROUTE_DOCS,
  ...QUERY_ROUTE_DOCS,
  ...OPENAI_ROUTE_DOCS,
  ...ADMIN_ROUTE_DOCS,
};
