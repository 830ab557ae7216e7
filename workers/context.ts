// The per-request context handed to every route: ids, config, bindings, metrics batch and the
// fields that end up in the request's single log line. Types only (createAppContext builds it),
// so the modules a context refers to (metrics, limits) can take one without an import cycle.
import type { Config } from "./env.js";
import type { Metrics } from "../shared/metrics/metrics.js";
import type { RequestLogFields } from "../shared/metrics/log-fields.js";
import type { Logger } from "../shared/ports.js";
import type { Admission } from "./limits/admission-types.js";
import type { RequestLimits } from "./limits/request-limits.js";
import type { Grants } from "../shared/tenancy/grants.js";

/** Who is calling, after authentication. */
export interface Principal {
  id: string;
  kind: "key" | "anonymous" | "admin";
  /** Namespaces and scopes, as admission returned them (absent for the admin token). */
  grants?: Grants;
}

/** One request's context: what every stage and route reads and fills in. */
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
  /**
   * Set by a route whose response outlives the handler (a stream): settles once the response has
   * ended and its fields are final (tokens and cost are known only then). The router writes the
   * request's line, metrics and record at that point instead of at the hand-over; the latency
   * they report is still the hand-over's.
   */
  responseEnded?: Promise<void>;
}
