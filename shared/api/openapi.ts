// Builds the OpenAPI 3.1 description from the route table joined with the route docs, with every
// schema converted from the very zod schemas the routes validate with (z.toJSONSchema, draft
// 2020-12, which is OpenAPI 3.1's dialect). Pure: the Worker serves it, tests validate it.
import { z } from "zod";
import { ErrorResponseSchema } from "./responses.js";
import { routeScopes, type DescribedRoute } from "./route-table.js";

/** A route as the router serves it: its row in the route table and its description. */
export type RouteEntry = DescribedRoute;

/** What the shared error statuses of a route are derived from. */
export type ErrorSource = Pick<RouteEntry, "access" | "counted" | "spends" | "scope" | "doc">;

export interface OpenApiOptions {
  version: string;
  /** Base URL of the deployment, e.g. the origin of the request that asked. */
  serverUrl?: string;
}

type Json = Record<string, unknown>;

const RATE_HEADERS: Record<string, string> = {
  "X-RateLimit-Limit": "requests allowed per minute (the key's rpm)",
  "X-RateLimit-Remaining": "requests left in the current 60-second window",
  "X-RateLimit-Reset": "seconds until the oldest counted request leaves the window",
  "X-RateLimit-Limit-Tokens": "tokens per minute (the key's tpm)",
  "X-RateLimit-Remaining-Tokens": "tokens left in the bucket",
  "X-RateLimit-Reset-Tokens": "seconds until the token bucket is full",
  "RateLimit-Policy":
    'the IETF draft\'s policy field, e.g. `"rpm";q=60;w=60, "tpm";q=200000;w=60;qu="tokens"`',
  RateLimit: 'the IETF draft\'s remaining-quota field, e.g. `"rpm";r=59;t=42, "tpm";r=199000;t=1`',
};

/** `/v1/models/:id` -> `/v1/models/{id}`; a rest-of-path `:id+` is `{id}` too. */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)\+?/g, "{$1}");
}

/**
 * Removes the bounds zod gives every `z.int()`: the safe-integer range (±2^53-1) says nothing a
 * client can act on and buries the bounds that do matter. A bound the schema declares stays.
 */
function dropSafeIntegerBounds(schema: { type?: unknown; [key: string]: unknown }): void {
  if (schema.type !== "integer") return;
  if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
  if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
}

/** The OpenAPI 3.1 document for these routes. */
export function buildOpenApi(routes: readonly RouteEntry[], options: OpenApiOptions): Json {
  const registry = z.registry<{ id: string }>();
  registry.add(ErrorResponseSchema, { id: "Error" });
  for (const { doc } of routes) {
    for (const s of [doc.request, doc.response.schema, doc.accepted?.schema]) {
      if (s && !registry.has(s.schema)) registry.add(s.schema, { id: s.name });
    }
  }
  const converted = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
    override: ({ jsonSchema }) => dropSafeIntegerBounds(jsonSchema),
  });
  const schemas: Record<string, Json> = {};
  for (const [name, schema] of Object.entries(converted.schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema as Json;
    schemas[name] = rest;
  }

  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const item = (paths[openApiPath(route.path)] ??= {});
    item[route.method.toLowerCase()] = operation(route);
  }

  const headers: Record<string, Json> = {
    "X-Request-Id": header("the request id, also in every error body and log line"),
    "Retry-After": header(
      "whole seconds until the same request would be admitted (rounded up)",
      "integer",
    ),
    "retry-after-ms": header("the same wait in milliseconds", "integer"),
  };
  for (const [name, description] of Object.entries(RATE_HEADERS)) {
    headers[name] = header(description, name.startsWith("X-") ? "integer" : "string");
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "ragway",
      version: options.version,
      summary: "RAG + LLM gateway on Cloudflare Workers",
      description:
        "Errors always have OpenAI's shape plus `request_id`. Every response carries `X-Request-Id`; one to a request with an `Origin` header (every browser's cross-origin request) also carries CORS headers (`Access-Control-Allow-Origin: *`; credentials are bearer tokens, never cookies), and an answer to a `GET` says `Vary: Origin`; `OPTIONS` answers a preflight with the path's methods, and `HEAD` is served as `GET` without a body. A known path called with the wrong method answers 405 with an `Allow` header; an unknown path answers 404.",
      license: { name: "MIT", identifier: "MIT" },
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [
      { name: "System", description: "health and this description" },
      { name: "Documents", description: "the document store behind retrieval" },
      { name: "Query", description: "answers grounded in the documents" },
      { name: "Limits", description: "the caller's own limits and usage" },
      {
        name: "OpenAI",
        description: "OpenAI-compatible routes: point an OpenAI SDK's baseURL at /v1",
      },
      { name: "Admin", description: "operator routes (ADMIN_TOKEN)" },
    ],
    paths,
    components: {
      schemas,
      headers,
      securitySchemes: {
        ApiKey: {
          type: "http",
          scheme: "bearer",
          description:
            "An API key: `Authorization: Bearer <key>`. Optional in development when ALLOW_ANONYMOUS is on.",
        },
        AdminToken: {
          type: "http",
          scheme: "bearer",
          description: "The deployment's ADMIN_TOKEN secret: `Authorization: Bearer <token>`.",
        },
      },
    },
  };
}

function operation(route: RouteEntry): Json {
  const { doc } = route;
  const scopes = keyScopes(route);
  const op: Json = {
    operationId: doc.operationId,
    summary: doc.summary,
    description: doc.description,
    tags: [doc.tag],
    security:
      route.access === "open"
        ? []
        : route.access === "admin"
          ? [{ AdminToken: [] }]
          : [{ ApiKey: [] }],
    ...(scopes ? { "x-required-scope": scopes.join(" or ") } : {}),
  };
  const parameters = [
    ...Object.entries(doc.pathParams ?? {}).map(([name, description]) => ({
      name,
      in: "path",
      required: true,
      description,
      schema: { type: "string" },
    })),
    ...Object.entries(doc.queryParams ?? {}).map(([name, description]) => ({
      name,
      in: "query",
      required: false,
      description,
      schema: { type: "string" },
    })),
  ];
  if (parameters.length > 0) op.parameters = parameters;
  if (doc.request) {
    op.requestBody = {
      required: !doc.optionalBody,
      ...(doc.maxBodyBytes ? { description: `At most ${doc.maxBodyBytes}.` } : {}),
      content: { "application/json": { schema: ref(doc.request.name) } },
    };
  }
  const okHeaders = responseHeaders(route, doc.response.headers);
  const content: Json = {
    [doc.response.mediaType ?? "application/json"]: { schema: ref(doc.response.schema.name) },
  };
  for (const [type, description] of Object.entries(doc.response.alternatives ?? {})) {
    content[type] = { schema: { type: "string", description } };
  }
  const responses: Json = {
    [String(doc.response.status ?? 200)]: {
      description: doc.response.description,
      headers: okHeaders,
      content,
    },
  };
  if (doc.accepted) {
    responses["202"] = {
      description: doc.accepted.description,
      headers: responseHeaders(route, doc.accepted.headers),
      content: { "application/json": { schema: ref(doc.accepted.schema.name) } },
    };
  }
  for (const [status, description] of Object.entries(errorStatuses(route))) {
    const extra =
      status === "429"
        ? {
            "Retry-After": { $ref: "#/components/headers/Retry-After" },
            "retry-after-ms": { $ref: "#/components/headers/retry-after-ms" },
          }
        : {};
    responses[status] = {
      description,
      headers: { ...responseHeaders(route), ...extra },
      content: { "application/json": { schema: ref("Error") } },
    };
  }
  op.responses = responses;
  return op;
}

/** The scopes a key route accepts (any one of them); null for open and admin routes. */
function keyScopes(route: Pick<RouteEntry, "access" | "scope">): readonly string[] | null {
  return route.access === "key" ? routeScopes(route) : null;
}

/** The error statuses a route can answer and when, shared ones derived from its row and doc. */
export function errorStatuses(route: ErrorSource): Record<string, string> {
  const { doc } = route;
  const scopes = keyScopes(route);
  const out: Record<number, string> = {};
  if (doc.request) {
    out[400] = "malformed JSON or a schema violation (`param` names the field)";
    out[413] = `body larger than ${doc.maxBodyBytes ?? "MAX_BODY_BYTES"}`;
    out[415] = "body not sent as application/json";
  }
  if (doc.pathParams) out[400] ??= "a path parameter is not valid URL encoding";
  if (doc.queryParams) out[400] ??= "a query parameter is unknown or invalid (`param` names it)";
  if (route.access === "key") out[401] = "missing, malformed, unknown or revoked key";
  if (route.access === "admin") out[401] = "missing or wrong admin token";
  if (scopes) {
    out[403] = `\`permission_denied\`: the key lacks the \`${scopes.join("` or `")}\` scope${
      doc.namespaced ? " or access to the namespace" : ""
    }`;
  }
  if (doc.namespaced) out[404] = "`namespace_not_found`: no such namespace";
  if (route.counted || route.spends) {
    out[429] = route.spends
      ? "`rate_limit_exceeded` (requests or tokens per minute: wait Retry-After seconds) or `insufficient_quota` (a USD budget is spent until the next UTC day or month)"
      : "`rate_limit_exceeded`: requests per minute reached; wait Retry-After seconds";
  }
  if (route.spends) {
    out[413] = out[413]
      ? `${out[413]}; or \`request_too_large\`: more tokens than the key's whole tpm`
      : "`request_too_large`: more tokens than the key's whole tpm";
  }
  for (const [status, when] of Object.entries(doc.errors ?? {})) {
    const prior = out[Number(status)];
    out[Number(status)] = prior && when.startsWith("also: ") ? `${prior}; ${when.slice(6)}` : when;
  }
  out[500] = "the deployment's configuration is invalid (the message names the variable)";
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [String(k), v]));
}

function responseHeaders(route: ErrorSource, extra: Record<string, string> = {}): Json {
  const headers: Json = { "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" } };
  if (route.counted) {
    for (const name of Object.keys(RATE_HEADERS)) {
      headers[name] = { $ref: `#/components/headers/${name}` };
    }
  }
  for (const [name, description] of Object.entries(extra)) {
    headers[name] = header(description);
  }
  return headers;
}

function header(description: string, type: "string" | "integer" = "string"): Json {
  return { description, schema: { type } };
}

function ref(name: string): Json {
  return { $ref: `#/components/schemas/${name}` };
}
