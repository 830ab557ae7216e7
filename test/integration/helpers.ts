// Helpers for integration tests: call the Worker in-process through its default export.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import worker from "../../workers/index.js";

export const ADMIN_TOKEN = "test-admin-token-0123456789";
export const METRICS_TOKEN = "test-metrics-token-0123456789";

/** Sends a request to the Worker and returns the response. */
export async function call(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  return exports.default.fetch(
    new Request(`http://ragway.test${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    }),
  );
}

/** Sends a request and parses the JSON body. */
export async function callJson<T = Record<string, unknown>>(
  method: string,
  path: string,
  options: Parameters<typeof call>[2] = {},
): Promise<{ status: number; headers: Headers; body: T }> {
  const res = await call(method, path, options);
  const body = (await res.json()) as T;
  return { status: res.status, headers: res.headers, body };
}

/** The admin Authorization header. */
export const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/**
 * Calls the Worker's handler directly with a fresh ExecutionContext and waits for everything it
 * scheduled with waitUntil (cache back-fills, KV writes, the metrics flush) before returning, so
 * a test can look at the tiers and counters deterministically.
 */
export async function callSettled<T = Record<string, unknown>>(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: T; text: string }> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://ragway.test${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    }),
    env,
    ctx,
  );
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (an event stream): the text is there
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}
/** The scraper's Authorization header (METRICS_TOKEN). */
export const scraper = { authorization: `Bearer ${METRICS_TOKEN}` };

/**
 * A Worker whose Durable Object bindings `names` record and refuse every use, so a test can pin
 * that a route never touches them. One env object for all its calls, so the isolate's caches and
 * held state (memoized per config) carry over from call to call.
 */
export function withoutObjects(names: ReadonlyArray<"INDEX" | "LIMITER">) {
  const used: string[] = [];
  const refusing = (name: string): object =>
    new Proxy(
      {},
      {
        get: (_target, prop) => {
          used.push(`${name}.${String(prop)}`);
          throw new Error(`the ${name} object must not be used here`);
        },
      },
    );
  const isolated: Env = { ...env };
  if (names.includes("INDEX")) isolated.INDEX = refusing("INDEX") as Env["INDEX"];
  if (names.includes("LIMITER")) isolated.LIMITER = refusing("LIMITER") as Env["LIMITER"];
  return {
    used,
    async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const ctx = createExecutionContext();
      const res = await worker.fetch(
        new Request(`http://ragway.test${path}`, {
          method,
          headers:
            body !== undefined ? { "content-type": "application/json", ...headers } : headers,
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        }),
        isolated,
        ctx,
      );
      const text = await res.text();
      await waitOnExecutionContext(ctx);
      return { status: res.status, headers: res.headers, text };
    },
  };
}
