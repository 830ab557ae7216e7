// GET /openapi.json against the router itself: every route the router serves is described with
// its methods and nothing else is, and real responses match the schemas the description shows.
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  CachePurgeResponseSchema,
  CreatedKeyResponseSchema,
  DocumentDeletedResponseSchema,
  DocumentListResponseSchema,
  DocumentResponseSchema,
  ErrorResponseSchema,
  HealthResponseSchema,
  IngestResponseSchema,
  KeyListResponseSchema,
  KeyResponseSchema,
  QueryResponseSchema,
  StatsResponseSchema,
  UsageResponseSchema,
} from "../../shared/api/responses.js";
import { openApiPath } from "../../shared/api/openapi.js";
import { ROUTE_DOCS } from "../../shared/api/route-docs.js";
import { ROUTE_TABLE } from "../../shared/api/route-table.js";
import { ROUTES } from "../../workers/router.js";
import { admin, call, callJson } from "./helpers.js";

interface OpenApiDoc {
  openapi: string;
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
  components: { schemas: Record<string, unknown> };
}

async function description(): Promise<OpenApiDoc> {
  const res = await call("GET", "/openapi.json");
  expect(res.status).toBe(200);
  return res.json<OpenApiDoc>();
}

/** Parses `body` with `schema` and fails on top-level fields the schema does not declare. */
function expectDocumented(schema: z.ZodObject, body: unknown): void {
  expect(() => schema.parse(body)).not.toThrow();
  const declared = Object.keys(schema.shape);
  expect(Object.keys(body as object).filter((k) => !declared.includes(k))).toEqual([]);
}

describe("GET /openapi.json", () => {
  it("describes exactly the routes the router serves, method by method", async () => {
    const doc = await description();
    const described = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const served = ROUTES.map(([method, path]) => `${method} ${openApiPath(path)}`);
    expect(new Set(described)).toEqual(new Set(served));
    expect(described).toHaveLength(served.length);
    const routes = ROUTES.map(([method, path]) => `${method} ${path}`);
    expect(new Set(ROUTE_TABLE.map((r) => `${r.method} ${r.path}`))).toEqual(new Set(routes));
    expect(new Set(Object.keys(ROUTE_DOCS))).toEqual(new Set(routes));
  });

  it("declares every path parameter of every templated path", async () => {
    const doc = await description();
    for (const [path, item] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(item)) {
        const declared = (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
        expect(declared.sort()).toEqual(names.sort());
      }
    }
  });

  it("is OpenAPI 3.1 with the caller's origin as the server", async () => {
    const doc = await description();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: "http://ragway.test" }]);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["Error", "QueryRequest", "IngestRequest", "LookupRequest"]),
    );
  });
});

describe("documented auth matches what the routes do", () => {
  it("answers 401 without the admin token on admin routes, and never 401 on open ones", async () => {
    for (const { method, path, access } of ROUTE_TABLE) {
      if (access === "key") continue;
      const key = `${method} ${path}`;
      const res = await call(method, path.replace(":id", "auth-probe"), {
        ...(method === "POST" ? { body: {} } : {}),
      });
      await res.body?.cancel();
      if (access === "admin") expect({ key, status: res.status }).toEqual({ key, status: 401 });
      else expect({ key, status: res.status }).not.toEqual({ key, status: 401 });
    }
  });
});

describe("responses match their documented schemas", () => {
  it("health, ingest, read, query (miss and hit), delete, stats, purge and errors", async () => {
    expectDocumented(HealthResponseSchema, (await callJson("GET", "/health")).body);
    const ingest = await callJson("POST", "/v1/documents", {
      body: {
        documents: [{ id: "oa/doc", text: "OpenAPI shapes are checked.", metadata: { a: 1 } }],
      },
    });
    expectDocumented(IngestResponseSchema, ingest.body);
    expectDocumented(
      DocumentListResponseSchema,
      (await callJson("GET", "/v1/documents?prefix=oa/")).body,
    );
    expectDocumented(
      DocumentResponseSchema,
      (await callJson("GET", "/v1/documents/oa%2Fdoc")).body,
    );
    const query = await callJson("POST", "/v1/query", { body: { query: "what is checked?" } });
    expectDocumented(QueryResponseSchema, query.body);
    const hit = await callJson<{ cache: string }>("POST", "/v1/query", {
      body: { query: "what is checked?" },
    });
    expect(hit.body.cache).toMatch(/^HIT-/);
    expectDocumented(QueryResponseSchema, hit.body);
    const deleted = await callJson("DELETE", "/v1/documents/oa%2Fdoc");
    expectDocumented(DocumentDeletedResponseSchema, deleted.body);
    expectDocumented(
      StatsResponseSchema,
      (await callJson("GET", "/v1/stats", { headers: admin })).body,
    );
    const purge = await callJson("POST", "/admin/cache/purge", { headers: admin });
    expect(purge.status).toBe(200);
    expectDocumented(CachePurgeResponseSchema, purge.body);
    const missing = await callJson("GET", "/v1/documents/oa%2Fdoc");
    expect(missing.status).toBe(404);
    expectDocumented(ErrorResponseSchema, missing.body);
  });
});

describe("key and usage responses match their documented schemas", () => {
  it("create, list, usage with the key, revoke", async () => {
    const created = await callJson<{ id: string; key: string }>("POST", "/admin/keys", {
      body: { name: "openapi", rpm: 5 },
      headers: admin,
    });
    expect(created.status).toBe(201);
    expectDocumented(CreatedKeyResponseSchema, created.body);
    expectDocumented(
      KeyListResponseSchema,
      (await callJson("GET", "/admin/keys", { headers: admin })).body,
    );
    const usage = await callJson("GET", "/v1/usage", {
      headers: { authorization: `Bearer ${created.body.key}` },
    });
    expectDocumented(UsageResponseSchema, usage.body);
    const revoked = await callJson("DELETE", `/admin/keys/${created.body.id}`, { headers: admin });
    expectDocumented(KeyResponseSchema, revoked.body);
  });
});
