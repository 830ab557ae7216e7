// Entry: serve the console's files, else validate configuration, build the request context and
// hand over to the router.
// Exports the Durable Object classes bound in wrangler.toml; `queue` consumes ingestion jobs. A
// request that never reaches the router (bad configuration, a failure building its context) still
// gets the error shape, an X-Request-Id and its one request log line here.
import { createAppContext } from "./create-app-context.js";
import { ConfigError, getConfig } from "./env.js";
import { renderError, HttpError } from "./errors.js";
import { consoleAsset } from "./http/console-assets.js";
import { handleQueue } from "./jobs/queue-handler.js";
import { createLogger } from "./log.js";
import { handle } from "./router.js";

export { IndexObject } from "./do/index-object.js";
export { JobsObject } from "./do/jobs-object.js";
export { LimiterObject } from "./do/limiter-object.js";
export { MetricsObject } from "./do/metrics-object.js";

export default {
  async fetch(request, env, ctx): Promise<Response> {
    const page = consoleAsset(request);
    if (page) return page;
    const started = Date.now();
    let config;
    try {
      config = getConfig(env);
    } catch (err) {
      // An operator error, not a client's: the log names the variable, the caller only learns
      // that the server is misconfigured (and the request id to quote).
      const message = err instanceof ConfigError ? err.message : "invalid configuration";
      return unrouted(request, started, new HttpError("config_error", "server misconfigured"), {
        event: "config_error",
        message,
      });
    }
    try {
      return await handle(request, createAppContext(request, config, env, ctx));
    } catch (err) {
      // `handle` answers every failure of the pipeline itself; this is its context failing.
      return unrouted(request, started, err, {
        event: "unhandled_error",
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
    }
  },
  async queue(batch, env, ctx): Promise<void> {
    // A configuration error throws: the batch is retried once the deployment is fixed.
    await handleQueue(batch, env, ctx, getConfig(env));
  },
} satisfies ExportedHandler<Env>;

/** Renders `err` for a request the router never saw, with its error line and its request line. */
function unrouted(
  request: Request,
  started: number,
  err: unknown,
  failure: { event: string } & Record<string, unknown>,
): Response {
  const requestId = `req_${crypto.randomUUID()}`;
  const logger = createLogger({ request_id: requestId });
  const { event, ...fields } = failure;
  logger.error(event, fields);
  const response = renderError(err, requestId);
  response.headers.set("x-request-id", requestId);
  const latency = Date.now() - started;
  logger.info("request", {
    method: request.method,
    route: "unmatched",
    status: response.status,
    principal_id: null,
    latency_ms: latency,
    overhead_ms: latency,
  });
  return response;
}
