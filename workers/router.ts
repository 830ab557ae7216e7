// The request pipeline: the route's row (matched once, shared/api/route-match), before
// (authentication, the request limit and the route's scope), the route handler (one per row of
// the route table, shared/api/route-table), the one error renderer, and finish (request id, CORS
// and rate-limit headers). `handle` wraps it all and writes the request's one log line, metrics
// and request record for every response, whatever failed on the way (a stage of the pipeline
// itself included), after the response is on its way, then schedules the metrics flush.
import {
  ROUTE_TABLE,
  routeKey,
  type HttpMethod,
  type RouteKey,
} from "../shared/api/route-table.js";
import { routeMatcher } from "../shared/api/route-match.js";
import type { AppContext } from "./context.js";
import { HttpError, renderError } from "./errors.js";
import { platformFailure } from "./platform-failure.js";
import { applyCors, preflight } from "./http/cors.js";
import type { RoutedRequest } from "./http/routed-request.js";
import { ensureAdmitted } from "./limits/admission.js";
import { finishAdmission } from "./limits/return-leases.js";
import { authenticate } from "./limits/authenticate.js";
import { limitHeaders } from "./limits/limiter-client.js";
import { routePolicy } from "./limits/route-policy.js";
import { recordRequest, scheduleMetricsFlush } from "./metrics.js";
import { requestRecordOf } from "../shared/metrics/request-log.js";
import { postCachePurge } from "./routes/admin-cache.js";
import { postQueryBatch } from "./routes/batch.js";
import { postChatCompletions } from "./routes/chat.js";
import {
  deleteDocument,
  getDocument,
  postDocuments,
  postDocumentsLookup,
} from "./routes/documents.js";
import { getDocuments } from "./routes/documents-list.js";
import { postEmbeddings } from "./routes/embeddings.js";
import { getHealth } from "./routes/health.js";
import { getJob } from "./routes/jobs.js";
import { createKey, listKeys, revokeKey } from "./routes/keys.js";
import { getMetrics } from "./routes/metrics.js";
import { getModel, getModels } from "./routes/models.js";
import { createNamespace, deleteNamespace, listNamespaces } from "./routes/namespaces.js";
import { getOpenApi } from "./routes/openapi.js";
import { postQuery } from "./routes/query.js";
import { getRequests } from "./routes/requests.js";
import { getStats } from "./routes/stats.js";
import { getUsage } from "./routes/usage.js";
import { authorizeRoute } from "./tenancy/permissions.js";

type Handler = (request: RoutedRequest, app: AppContext) => Promise<Response>;

/** The handler of every row of the route table (a missing or extra key does not compile). */
const HANDLERS: Record<RouteKey, Handler> = {
  "GET /health": getHealth,
  "GET /openapi.json": getOpenApi,
  "GET /v1/documents": getDocuments,
  "POST /v1/documents": postDocuments,
  "POST /v1/documents/lookup": postDocumentsLookup,
  "GET /v1/documents/:id+": getDocument,
  "DELETE /v1/documents/:id+": deleteDocument,
  "GET /v1/jobs/:id": getJob,
  "POST /v1/query": postQuery,
  "GET /v1/usage": getUsage,
  "POST /v1/query/batch": postQueryBatch,
  "POST /v1/chat/completions": postChatCompletions,
  "POST /v1/embeddings": postEmbeddings,
  "GET /v1/models": getModels,
  "GET /v1/models/:id": getModel,
  "GET /v1/stats": getStats,
  "POST /admin/keys": createKey,
  "GET /admin/keys": listKeys,
  "DELETE /admin/keys/:id": revokeKey,
  "GET /admin/requests": getRequests,
  "POST /admin/cache/purge": postCachePurge,
  "POST /admin/namespaces": createNamespace,
  "GET /admin/namespaces": listNamespaces,
  "DELETE /admin/namespaces/:name": deleteNamespace,
  "GET /metrics": getMetrics,
};

/** Every public route as the router serves it, in the route table's order. */
export const ROUTES: ReadonlyArray<readonly [HttpMethod, string, Handler]> = ROUTE_TABLE.map(
  (row) => [row.method, row.path, HANDLERS[routeKey(row)]] as const,
);

/** The same rows, matched once per request (the route's label, its policy and its handler). */
const routes = routeMatcher(ROUTES.map(([method, path, handler]) => ({ method, path, handler })));

/** The answer to `request` before its log line: the route's, or the error it failed with. */
async function route(request: Request, app: AppContext): Promise<Response> {
  let response: Response;
  try {
    response = await dispatch(request, app);
  } catch (err) {
    logFailure(err, app);
    response = renderError(err, app.requestId);
  }
  return finish(response, request, app);
}

/** Finds the request's route and runs it; a path no row serves is a 404, 405 or preflight. */
async function dispatch(request: Request, app: AppContext): Promise<Response> {
  const path = new URL(request.url).pathname;
  const found = routes.match(request.method, path);
  if (found.route === null) {
    const { allowed } = found;
    if (request.method === "OPTIONS" && allowed.length > 0) return preflight(allowed);
    if (allowed.length > 0) {
      throw new HttpError("method_not_allowed", `${request.method} is not allowed on ${path}`, {
        headers: { allow: allowed.join(", ") },
      });
    }
    throw new HttpError("not_found", `no route for ${request.method} ${path}`);
  }
  app.route = found.route.path;
  await before(request, app);
  const routed: RoutedRequest = Object.assign(request, { params: found.params });
  try {
    const response = await found.route.handler(routed, app);
    await ensureAdmitted(app);
    return response;
  } catch (err) {
    // A request the window has not seen yet still counts, whatever failed it (a 400, a 413);
    // a refusal by the window itself wins over that error.
    if (app.admission?.state === "pending") await ensureAdmitted(app);
    throw err;
  }
}

/**
 * Authenticates and admits the request per its route's policy, then checks the route's scope
 * against the key's grants: here when they are known (anonymous, a key admitted here or seen by
 * this isolate before), else as soon as the deferred admission returns them.
 */
async function before(request: Request, app: AppContext): Promise<void> {
  await authenticate(request, app, routePolicy(request.method, app.route));
  const route = app.route;
  const authorize = (): void => authorizeRoute(app, request.method, route);
  const admission = app.admission;
  if (admission?.state === "pending" && !app.principal?.grants) {
    // A key this isolate has not seen: its grants come back with its admission, which checks.
    admission.authorize = authorize;
    return;
  }
  try {
    authorize();
  } catch (err) {
    // A forbidden request counts against the window all the same (its refusal wins).
    if (admission?.state === "pending") await ensureAdmitted(app);
    throw err;
  }
}

/** Logs a failure the client sees as a 5xx: a platform failure as such, anything else with its stack. */
function logFailure(err: unknown, app: AppContext): void {
  if (err instanceof HttpError) return;
  const failure = platformFailure(err);
  if (failure) {
    app.metrics.inc("ragway_platform_failures_total", {
      route: app.route,
      kind: failure.overloaded ? "overloaded" : failure.retryable ? "retryable" : "other",
    });
    app.logger.warn("platform_failure", {
      route: app.route,
      error: failure.message,
      overloaded: failure.overloaded,
      retryable: failure.retryable,
    });
    return;
  }
  app.logger.error("unhandled_error", {
    route: app.route,
    error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    stack: err instanceof Error ? err.stack : undefined,
  });
}

/** The pipeline's last stage: request id, CORS and rate-limit headers on whatever it answers. */
function finish(response: Response, request: Request, app: AppContext): Response {
  finishAdmission(app);
  const out = withMutableHeaders(response);
  out.headers.set("x-request-id", app.requestId);
  applyCors(request, out);
  if (app.limits) {
    for (const [name, value] of Object.entries(limitHeaders(app.limits))) {
      out.headers.set(name, value);
    }
  }
  return out;
}

/**
 * The request's one log line, its metrics and its request record. Runs once per response, after
 * the router (or in its place), and writes them in waitUntil: once the response is on its way, or
 * for a response that outlives the handler (`app.responseEnded`) once it has ended; the latency
 * is the hand-over's either way. The line is written first, so a failure counting metrics cannot
 * lose it.
 */
function logRequest(request: Request, response: Response, app: AppContext): void {
  const seconds = (Date.now() - app.started) / 1000;
  // What the gateway adds: for a stream, up to its first byte (when the response is handed over).
  const overhead = Math.max(0, seconds - app.upstreamMs / 1000);
  const write = (): void => writeRequestLog(request, response, app, seconds, overhead);
  // A stream's line waits for its end, when its tokens and cost are known; any other waits for
  // the response to be on its way, so the line and the metrics are not the client's wait.
  app.exec.waitUntil((app.responseEnded ?? afterResponse()).then(write, write));
}

/** Settles once the handler's response has been handed to the runtime (the next task). */
function afterResponse(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function writeRequestLog(
  request: Request,
  response: Response,
  app: AppContext,
  seconds: number,
  overhead: number,
): void {
  // Only bounded, non-secret fields: never headers, keys or tokens; the query text only when
  // LOG_QUERIES=true (added by the query route).
  const line = {
    method: request.method,
    route: app.route,
    status: response.status,
    principal_id: app.principal?.id ?? null,
    latency_ms: Math.round(seconds * 1000),
    // The console's request log shows this beside the latency: the part that was not upstream.
    overhead_ms: Math.round(overhead * 10_000) / 10,
    ...app.logFields,
  };
  app.logger.info("request", line);
  try {
    const labels = { route: app.route, status: String(response.status) };
    app.metrics.inc("ragway_requests_total", labels);
    app.metrics.observe("ragway_request_duration_seconds", { route: app.route }, seconds);
    app.metrics.observe("ragway_gateway_overhead_seconds", { route: app.route }, overhead);
    // The console's request log: the same fields, shipped with the metrics flush below.
    recordRequest(app, requestRecordOf(app.requestId, Date.now(), line, app.config.LOG_QUERIES));
    scheduleMetricsFlush(app);
  } catch (err) {
    app.logger.error("request_metrics_failed", {
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
  }
}

/**
 * `response`, or a copy of it when its headers cannot be changed (a response from fetch()). The
 * routes' own responses are changed in place: copying every response showed in the request
 * path's CPU profile.
 */
function withMutableHeaders(response: Response): Response {
  try {
    response.headers.set("x-request-id", "");
    return response;
  } catch {
    return new Response(response.body, response);
  }
}

/** The answer when the router itself failed (a bug in a stage): the error shape, with its id. */
function lastResort(err: unknown, request: Request, app: AppContext): Response {
  logFailure(err, app);
  const response = renderError(err, app.requestId);
  response.headers.set("x-request-id", app.requestId);
  applyCors(request, response);
  return response;
}

/**
 * Routes a request through the pipeline and logs it: exactly one request line per response,
 * including those of errors the router's own stages threw. HEAD is served as GET without a body.
 */
export async function handle(request: Request, app: AppContext): Promise<Response> {
  let response: Response;
  try {
    if (request.method === "HEAD") {
      const full = await route(new Request(request, { method: "GET" }), app);
      response = new Response(null, full);
    } else {
      response = await route(request, app);
    }
  } catch (err) {
    response = lastResort(err, request, app);
    // Whatever a route started, this answer is the one sent: its line is written now.
    app.responseEnded = undefined;
  }
  logRequest(request, response, app);
  return response;
}
