// Builds a request's context (AppContext) at the start of the fetch handler: its id (a safe
// incoming x-request-id, else a new one), the isolate's metrics batch, the env whose Durable Object
// calls are counted, and a logger that can never print the deployment's secrets or the request's
// credential.
import type { Config } from "./env.js";
import type { AppContext } from "./context.js";
import { countingEnv } from "./do-calls.js";
import { parseAuthorization } from "../shared/security/authorization-header.js";
import { createLogger, secretSet, withSecrets, type SecretSet } from "./log.js";
import { requestMetrics } from "./metrics.js";

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
  const metrics = requestMetrics(config);
  return {
    requestId,
    started: Date.now(),
    // Read by few routes (the answer cache's edge tier): parsed when asked.
    get origin() {
      return new URL(request.url).origin;
    },
    config,
    env: countingEnv(env, metrics),
    exec,
    metrics,
    // Whatever a route logs, the deployment's secrets and this request's credential never appear.
    logger: createLogger(
      { request_id: requestId },
      withSecrets(deploymentSecrets(config), requestCredentials(request)),
    ),
    principal: null,
    limits: null,
    admission: null,
    upstreamMs: 0,
    route: "unmatched",
    logFields: {},
  };
}

/** The deployment's secrets, prepared for the logger once per config. */
const secretsOfConfig = new WeakMap<Config, SecretSet>();

function deploymentSecrets(config: Config): SecretSet {
  let set = secretsOfConfig.get(config);
  if (!set) {
    set = secretSet([config.ADMIN_TOKEN, config.METRICS_TOKEN, config.OPENAI_API_KEY]);
    secretsOfConfig.set(config, set);
  }
  return set;
}

/** The raw Authorization value and the token inside it, for the logger to scrub. */
function requestCredentials(request: Request): string[] {
  const header = request.headers.get("authorization");
  if (!header) return [];
  // Linear and capped: this runs on every request, before authentication.
  const parsed = parseAuthorization(header);
  return parsed.ok ? [header, parsed.credentials] : [header];
}
