// The per-request context handed to every route: ids, config, bindings, metrics batch and the
// fields that end up in the request's single log line.
import type { Config } from "./env.js";
import { MetricsBatch } from "../shared/metrics/batch.js";
import type { Logger } from "../shared/ports.js";
import { createLogger } from "./log.js";

/** Who is calling, after authentication. */
export interface Principal {
  id: string;
  kind: "key" | "anonymous" | "admin";
}

export interface AppContext {
  readonly requestId: string;
  readonly started: number;
  /** The request's origin (scheme://host): edge cache keys are filed under it. */
  readonly origin: string;
  readonly config: Config;
  readonly env: Env;
  readonly exec: ExecutionContext;
  readonly metrics: MetricsBatch;
  readonly logger: Logger;
  principal: Principal | null;
  /** The route pattern that matched (bounded, safe as a metric label). */
  route: string;
  /** Fields routes add to the request log line: model, cache, tokens, cost_usd... */
  readonly logFields: Record<string, unknown>;
}

/** Builds the context for one request. */
export function createAppContext(
  request: Request,
  config: Config,
  env: Env,
  exec: ExecutionContext,
): AppContext {
  const incoming = request.headers.get("x-request-id");
  const requestId =
    incoming && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : `req_${crypto.randomUUID()}`;
  return {
    requestId,
    started: Date.now(),
    origin: new URL(request.url).origin,
    config,
    env,
    exec,
    metrics: new MetricsBatch(),
    logger: createLogger({ request_id: requestId }),
    principal: null,
    route: "unmatched",
    logFields: {},
  };
}
