// The OpenAPI builder: the description of every documented route validates as OpenAPI 3.1 with
// a maintained validator, and the shared error statuses are derived from each route's doc.
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import {
  buildOpenApi,
  errorStatuses,
  openApiPath,
  type RouteEntry,
} from "../../../shared/api/openapi.js";
import { HealthResponseSchema } from "../../../shared/api/responses.js";
import { ROUTE_DOCS, type RouteDoc } from "../../../shared/api/route-docs.js";
import { ROUTE_TABLE, describeRoutes } from "../../../shared/api/route-table.js";

function allRoutes(): RouteEntry[] {
  return describeRoutes(ROUTE_DOCS);
}

interface Operation {
  responses: Record<string, { description: string }>;
}

async function validate(doc: unknown): Promise<{ valid: boolean; errors?: unknown }> {
  return new Validator().validate(doc as Record<string, unknown>);
}

describe("buildOpenApi", () => {
  it("produces a valid OpenAPI 3.1 document for every documented route", async () => {
    const doc = buildOpenApi(allRoutes(), { version: "1.2.3", serverUrl: "https://x.test" });
    const result = await validate(doc);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe("3.1.0");
  });

  it("fails validation when a response points at a schema that does not exist", async () => {
    const doc = buildOpenApi(allRoutes(), { version: "1" }) as {
      components: { schemas: Record<string, unknown> };
    };
    delete doc.components.schemas.Error;
    const result = await validate(doc);
    expect(result.valid).toBe(false);
  });

  it("converts router path params to OpenAPI templates", () => {
    expect(openApiPath("/v1/documents/:id")).toBe("/v1/documents/{id}");
    expect(openApiPath("/v1/documents/:id+")).toBe("/v1/documents/{id}");
    expect(openApiPath("/admin/keys/:key_id/usage")).toBe("/admin/keys/{key_id}/usage");
  });

  it("turns body, auth and limits into the shared error statuses", () => {
    const doc: RouteDoc = {
      operationId: "x",
      summary: "x",
      description: "x",
      tag: "System",
      response: {
        description: "x",
        schema: { name: "X", schema: HealthResponseSchema },
      },
    };
    const base = { access: "open", counted: false, spends: false, scope: null, doc } as const;
    expect(Object.keys(errorStatuses(base))).toEqual(["500"]);
    const full = errorStatuses({
      ...base,
      access: "key",
      counted: true,
      doc: {
        ...doc,
        request: ROUTE_DOCS["POST /v1/query"].request,
        errors: { 400: "also: a bad model", 503: "upstream down" },
      },
    });
    expect(Object.keys(full)).toEqual(["400", "401", "413", "415", "429", "500", "503"]);
    expect(full["400"]).toMatch(/schema violation.*; a bad model$/);
    expect(Object.keys(errorStatuses({ ...base, access: "admin" }))).toEqual(["401", "500"]);
  });

  it("lists the limit errors (insufficient_quota, request_too_large) for every spending route", () => {
    const doc = buildOpenApi(allRoutes(), { version: "1" }) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const spending = ROUTE_TABLE.filter((r) => r.spends);
    expect(spending.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/documents",
      "POST /v1/query",
      "POST /v1/query/batch",
      "POST /v1/chat/completions",
      "POST /v1/embeddings",
    ]);
    for (const route of spending) {
      const op = doc.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      const at = `${route.method} ${route.path}`;
      const limits = {
        at,
        quota: op?.responses["429"]?.description.includes("insufficient_quota"),
        tooLarge: op?.responses["413"]?.description.includes("request_too_large"),
      };
      expect(limits).toEqual({ at, quota: true, tooLarge: true });
    }
    const query = doc.paths["/v1/models"]?.get;
    expect(query?.responses["429"]?.description).not.toContain("insufficient_quota");
  });

  it("describes each route's scope, its 403 and 404s, and the namespace query parameter", () => {
    const doc = buildOpenApi(allRoutes(), { version: "1" }) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const ingest = doc.paths["/v1/documents"]?.post ?? {};
    expect(ingest["x-required-scope"]).toBe("documents:write");
    const responses = ingest.responses as Record<string, { description: string }>;
    expect(responses["403"]?.description).toMatch(/permission_denied.*documents:write.*namespace/);
    expect(responses["404"]?.description).toMatch(/namespace_not_found/);
    const read = doc.paths["/v1/documents/{id}"]?.get ?? {};
    expect(read.parameters).toContainEqual(
      expect.objectContaining({ name: "namespace", in: "query", required: false }),
    );
    const readErrors = read.responses as Record<string, { description: string }>;
    expect(readErrors["404"]?.description).toMatch(/namespace_not_found.*; `not_found`/);
    expect(doc.paths["/v1/usage"]?.get?.["x-required-scope"]).toBeUndefined();
  });

  it("embeds the request schema the route validates with, constraints included", () => {
    const doc = buildOpenApi(allRoutes(), { version: "1" }) as {
      components: {
        schemas: Record<string, { properties: Record<string, Record<string, unknown>> }>;
      };
    };
    const query = doc.components.schemas.QueryRequest;
    expect(query?.properties.k).toMatchObject({ minimum: 1, maximum: 20, default: 5 });
    const lookup = doc.components.schemas.LookupRequest;
    expect(lookup?.properties.ids).toMatchObject({ maxItems: 1000 });
  });

  it("gives integers only the bounds their schemas declare, never the safe-integer range", () => {
    const doc = buildOpenApi(allRoutes(), { version: "1" });
    const noise: string[] = [];
    const walk = (value: unknown, at: string): void => {
      if (value === Number.MAX_SAFE_INTEGER || value === Number.MIN_SAFE_INTEGER) noise.push(at);
      if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) walk(v, `${at}/${k}`);
      }
    };
    walk(doc, "#");
    expect(noise).toEqual([]);

    const schemas = (
      doc as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } }
    ).components.schemas;
    expect(schemas.QueryResponse?.properties.index_version).toEqual({ type: "integer" });
    expect(schemas.QueryRequest?.properties.k).toMatchObject({ minimum: 1, maximum: 20 });
    expect(schemas.EmbeddingsRequest?.properties.dimensions).toEqual({
      type: "integer",
      exclusiveMinimum: 0,
      maximum: 8192,
    });
  });
});
