// The descriptions of the routes about the gateway itself (health, this API description), for
// the API description. Both are open to any caller; access and limits come from the route table
// (shared/api/route-table) and are not repeated in these entries.
import type { RouteDoc } from "./route-doc.js";
import { named } from "./route-doc.js";
import type { RouteKey } from "./route-table.js";
import { HealthResponseSchema, OpenApiDocumentSchema } from "./responses.js";

/** The System routes' descriptions (health and the OpenAPI document). */
export const SYSTEM_ROUTE_DOCS = {
  "GET /health": {
    operationId: "getHealth",
    summary: "Liveness, version and provider mode",
    description:
      "Answered by the isolate alone: never requires a key and calls no Durable Object, so use it for uptime checks. The index's document and chunk counts are in `GET /v1/stats` (admin).",
    tag: "System",
    response: { description: "The gateway is up.", schema: named("Health", HealthResponseSchema) },
  },
  "GET /openapi.json": {
    operationId: "getOpenApi",
    summary: "This API description (OpenAPI 3.1)",
    description:
      "Generated from the zod schemas the routes validate with and the router's route table, so it cannot drift from the code. Rendered readably at /api.",
    tag: "System",
    response: {
      description: "The OpenAPI 3.1 document.",
      schema: named("OpenApiDocument", OpenApiDocumentSchema),
    },
  },
} satisfies Partial<Record<RouteKey, RouteDoc>>;
