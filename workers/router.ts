// The request pipeline: before (route label), the route handlers, catch (the one error renderer),
// finally (request id header, metrics, the request's log line, a metrics flush scheduled in waitUntil).
import { Router, type IRequest } from "itty-router";
import type { AppContext } from "./context.js";
import { HttpError, renderError } from "./errors.js";
import { corsHeaders, preflight } from "./http/cors.js";
import { scheduleMetricsFlush } from "./metrics.js";
import { postCachePurge } from "./routes/admin-cache.js";
import {
  deleteDocument,
  getDocument,
  postDocuments,
  postDocumentsLookup,
} from "./routes/documents.js";
import { getHealth } from "./routes/health.js";
import { getMetrics } from "./routes/metrics.js";
import { getOpenApi } from "./routes/openapi.js";
import { postQuery } from "./routes/query.js";
import { getStats } from "./routes/stats.js";

type Handler = (request: IRequest, app: AppContext) => Promise<Response>;
type Method = "GET" | "POST" | "DELETE" | "PUT" | "PATCH";

/** Every public route: the router and the API description are both built from this table. */
export const ROUTES: ReadonlyArray<readonly [Method, string, Handler]> = [
  ["GET", "/health", getHealth],
  ["GET", "/openapi.json", (request, app) => getOpenApi(request, app, ROUTES)],
  ["POST", "/v1/documents", postDocuments],
  ["POST", "/v1/documents/lookup", postDocumentsLookup],
  ["GET", "/v1/documents/:id", getDocument],
  ["DELETE", "/v1/documents/:id", deleteDocument],
  ["POST", "/v1/query", postQuery],
  ["GET", "/v1/stats", getStats],
  ["POST", "/admin/cache/purge", postCachePurge],
  ["GET", "/metrics", getMetrics],
];

const router = Router<IRequest, [AppContext]>({
  catch: (err: unknown, _request: IRequest, app: AppContext) => {
    if (!(err instanceof HttpError)) {
      app.logger.error("unhandled_error", {
        route: app.route,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
    }
    return renderError(err, app.requestId);
  },
  finally: [
    (response: Response, request: IRequest, app: AppContext) => finish(response, request, app),
  ],
});

for (const [method, path, handler] of ROUTES) {
  const labelled = (request: IRequest, app: AppContext): Promise<Response> => {
    app.route = path;
    return handler(request, app);
  };
  switch (method) {
    case "GET":
      router.get(path, labelled);
      break;
    case "POST":
      router.post(path, labelled);
      break;
    case "DELETE":
      router.delete(path, labelled);
      break;
    case "PUT":
      router.put(path, labelled);
      break;
    case "PATCH":
      router.patch(path, labelled);
      break;
  }
}

router.all("*", (request: IRequest) => {
  const path = new URL(request.url).pathname;
  const allowed = router.routes
    .filter(([method, regex]) => method !== "ALL" && regex.test(path))
    .map(([method]) => method);
  if (request.method === "OPTIONS" && allowed.length > 0) return preflight(allowed);
  if (allowed.length > 0) {
    throw new HttpError("method_not_allowed", `${request.method} is not allowed on ${path}`, {
      headers: { allow: [...new Set(allowed)].join(", ") },
    });
  }
  throw new HttpError("not_found", `no route for ${request.method} ${path}`);
});

function finish(response: Response, request: IRequest, app: AppContext): Response {
  // Responses from fetch() or assets can have immutable headers: copy before touching them.
  const out = new Response(response.body, response);
  out.headers.set("x-request-id", app.requestId);
  for (const [name, value] of Object.entries(corsHeaders())) out.headers.set(name, value);
  const seconds = (Date.now() - app.started) / 1000;
  const labels = { route: app.route, status: String(out.status) };
  app.metrics.inc("ragway_requests_total", labels);
  app.metrics.observe("ragway_request_duration_seconds", { route: app.route }, seconds);
  // The one line per request. Only bounded, non-secret fields: never headers, keys or tokens;
  // the query text only when LOG_QUERIES=true (added by the query route).
  app.logger.info("request", {
    method: request.method,
    route: app.route,
    status: out.status,
    principal_id: app.principal?.id ?? null,
    latency_ms: Math.round(seconds * 1000),
    ...app.logFields,
  });
  scheduleMetricsFlush(app);
  return out;
}

/** Routes a request through the pipeline. HEAD is served as GET without a body. */
export async function handle(request: Request, app: AppContext): Promise<Response> {
  if (request.method === "HEAD") {
    const response = (await router.fetch(new Request(request, { method: "GET" }), app)) as Response;
    return new Response(null, response);
  }
  return router.fetch(request, app) as Promise<Response>;
}
