// Entry: validate configuration, build the request context, hand over to the router.
// Exports the Durable Object classes bound in wrangler.toml; `queue` consumes ingestion jobs.
import { createAppContext } from "./context.js";
import { ConfigError, getConfig } from "./env.js";
import { renderError, HttpError } from "./errors.js";
import { handleQueue } from "./jobs/queue-handler.js";
import { createLogger } from "./log.js";
import { handle } from "./router.js";

export { IndexObject } from "./do/index-object.js";
export { JobsObject } from "./do/jobs-object.js";
export { LimiterObject } from "./do/limiter-object.js";
export { MetricsObject } from "./do/metrics-object.js";

export default {
  async fetch(request, env, ctx): Promise<Response> {
    let config;
    try {
      config = getConfig(env);
    } catch (err) {
      // An operator error, not a client's: the log names the variable, the caller only learns
      // that the server is misconfigured (and the request id to quote).
      const requestId = `req_${crypto.randomUUID()}`;
      const message = err instanceof ConfigError ? err.message : "invalid configuration";
      createLogger({ request_id: requestId }).error("config_error", { message });
      return renderError(new HttpError("config_error", "server misconfigured"), requestId);
    }
    return handle(request, createAppContext(request, config, env, ctx));
  },
  async queue(batch, env, ctx): Promise<void> {
    // A configuration error throws: the batch is retried once the deployment is fixed.
    await handleQueue(batch, env, ctx, getConfig(env));
  },
} satisfies ExportedHandler<Env>;
