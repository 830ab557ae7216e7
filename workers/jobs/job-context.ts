// The context a queue consumer invocation runs in: the same shape a request gets (config, counted
// bindings, metrics batch, a scrubbing logger), with no request, no principal and no limits, so
// the embedder, the namespace writer and the metrics flush work unchanged outside a request.
import type { AppContext } from "../context.js";
import { countingEnv } from "../do-calls.js";
import type { Config } from "../env.js";
import { createLogger } from "../log.js";
import { requestMetrics } from "../metrics.js";

/** A context for one consumer invocation of `queue`. */
export function createJobContext(
  config: Config,
  env: Env,
  exec: ExecutionContext,
  queue: string,
): AppContext {
  const requestId = `queue_${crypto.randomUUID()}`;
  const metrics = requestMetrics(config);
  return {
    requestId,
    started: Date.now(),
    origin: "",
    config,
    env: countingEnv(env, metrics),
    exec,
    metrics,
    logger: createLogger({ request_id: requestId }, [
      config.ADMIN_TOKEN,
      config.METRICS_TOKEN,
      config.OPENAI_API_KEY,
    ]),
    principal: null,
    limits: null,
    admission: null,
    upstreamMs: 0,
    route: `queue:${queue}`,
    logFields: {},
  };
}
