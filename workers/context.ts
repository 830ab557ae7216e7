// The per-request context handed to every route: ids, config, bindings, metrics batch and the
// fields that end up in the request's single log line.
import type { Config } from "./env.js";
import type { Metrics } from "../shared/metrics/metrics.js";
import type { RequestLogFields } from "../shared/metrics/log-fields.js";
import type { Logger } from "../shared/ports.js";
import type { Standing } from "../shared/ratelimit/decision.js";
import type { Admission } from "./limits/admission.js";
import { countingEnv } from "./do-calls.js";
import { parseAuthorization } from "../shared/security/authorization-header.js";
import type { Grants } from "../shared/tenancy/grants.js";
import { createLogger, secretSet, withSecrets, type SecretSet } from "./log.js";
import { requestMetrics } from "./metrics.js";

/** The limiter's view of this request, set once the principal is admitted (or refused). */
export interface RequestLimits {
  /** The principal's LIMITER object name. */
  principalId: string;
  /** The isolate memo's key: the key's hash, or the anonymous principal id. */
  memoKey: string;
  /** The latest standing the limiter reported: rendered into the rate-limit headers. */
  standing: Standing;
  /** Time spent waiting on the LIMITER object, and how many calls (Server-Timing). */
  rpcMs: number;
  rpcCalls: number;
  /** The refusal came from the isolate memo, not the object. */
  fromMemo: boolean;
  /** Admitted under a lease this isolate holds, without a call. */
  fromLease: boolean;
}

/** Who is calling, after authentication. */
export interface Principal {
  id: string;
  kind: "key" | "anonymous" | "admin";
  /** Namespaces and scopes, as admission returned them (absent for the admin token). */
  grants?: Grants;
}

export interface AppContext {
  readonly requestId: string;
  readonly started: number;
  /** The request's origin (scheme://host): edge cache keys are filed under it. */
  readonly origin: string;
  readonly config: Config;
  readonly env: Env;
  readonly exec: ExecutionContext;
  /** The isolate's metrics batch (a no-op when METRICS_ENABLED=false). */
  readonly metrics: Metrics;
  readonly logger: Logger;
  principal: Principal | null;
  /** Set on limited routes once the principal is admitted (or refused). */
  limits: RequestLimits | null;
  /**
   * The admission a limited route still owes: made by its first reservation (one call for
   * both) or by `ensureAdmitted`; the router makes it for a route that ends without either.
   */
  admission: Admission | null;
  /** Time this request spent waiting on upstream providers (the gateway's overhead is the rest). */
  upstreamMs: number;
  /** The route pattern that matched (bounded, safe as a metric label). */
  route: string;
  /** Fields routes add to the request's log line: model, cache, tokens, cost_usd... */
  readonly logFields: RequestLogFields;
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
  const metrics = requestMetrics(config);
  return {
    requestId,
    started: Date.now(),
    origin: new URL(request.url).origin,
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
