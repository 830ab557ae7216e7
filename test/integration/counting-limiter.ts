// A view of `env` whose LIMITER namespace records every method called on its objects, in order:
// how tests see which calls a request made before its response and which after.
import { env } from "cloudflare:workers";

/** The methods called on LIMITER objects, in call order, and the env that records them. */
export interface CountingLimiter {
  env: Env;
  calls: string[];
}

/** Wraps the test env's LIMITER binding so each stub method call is recorded. */
export function countingLimiter(): CountingLimiter {
  const calls: string[] = [];
  const ns = env.LIMITER as unknown as DurableObjectNamespace;
  const limiter = new Proxy(ns, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prop !== "get") return fn.bind(target);
      return (...args: unknown[]) => recording(Reflect.apply(fn, target, args) as object, calls);
    },
  });
  return { env: { ...env, LIMITER: limiter } as unknown as Env, calls };
}

function recording(stub: object, calls: string[]): object {
  return new Proxy(stub, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof prop !== "string" || prop === "then" || typeof value !== "function") return value;
      const fn = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        calls.push(prop);
        // Reflect.apply: on an RPC stub, `fn.apply` would itself be a remote method.
        return Reflect.apply(fn, target, args);
      };
    },
  });
}
