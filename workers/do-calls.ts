// Counts every call the Worker makes to a Durable Object, by object binding and method
// (`ragway_durable_object_calls_total`): the hot path's budget is one LIMITER call per request
// and none for a cache hit, and this is how that is measured rather than guessed. JOBS calls
// (submission, progress reads, the queue consumer's reads and writes) are counted too, and so is
// the JOBS object's own call that settles a finished job with LIMITER.
import type { Metrics } from "../shared/metrics/metrics.js";

/** The bindings counted, by the label they are counted under. */
const COUNTED = ["LIMITER", "INDEX", "JOBS", "METRICS"] as const;

/** The counting env made for each (env, metrics) pair: both live as long as the isolate, and
 * building the proxies and copying every binding and variable on each request showed in its CPU
 * profile. */
const made = new WeakMap<Env, WeakMap<Metrics, Env>>();

/** `env` with its Durable Object namespaces wrapped so each stub method call is counted. */
export function countingEnv(env: Env, metrics: Metrics): Env {
  let byMetrics = made.get(env);
  if (!byMetrics) {
    byMetrics = new WeakMap();
    made.set(env, byMetrics);
  }
  let counted = byMetrics.get(metrics);
  if (!counted) {
    counted = wrapEnv(env, metrics);
    byMetrics.set(metrics, counted);
  }
  return counted;
}

function wrapEnv(env: Env, metrics: Metrics): Env {
  const wrapped: Partial<Record<(typeof COUNTED)[number], DurableObjectNamespace>> = {};
  for (const name of COUNTED) {
    wrapped[name] = countingNamespace(
      env[name] as unknown as DurableObjectNamespace,
      name,
      metrics,
    );
  }
  return { ...env, ...wrapped } as Env;
}

function countingNamespace(
  ns: DurableObjectNamespace,
  object: string,
  metrics: Metrics,
): DurableObjectNamespace {
  return new Proxy(ns, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop !== "get" || typeof value !== "function") {
        return typeof value === "function" ? (value.bind(target) as unknown) : value;
      }
      return (...args: unknown[]) =>
        countingStub(Reflect.apply(value, target, args) as DurableObjectStub, object, metrics);
    },
  });
}

function countingStub(stub: DurableObjectStub, object: string, metrics: Metrics) {
  return new Proxy(stub, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      // `then` is probed by await; ids and names are plain properties.
      if (typeof prop !== "string" || prop === "then" || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        metrics.inc("ragway_durable_object_calls_total", { object, method: prop });
        return Reflect.apply(value, target, args) as unknown;
      };
    },
  });
}
