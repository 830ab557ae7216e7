// Every response of the Worker has exactly one request log line (status, route, latency, request
// id), errors included: a 404, a bad body, a refused key, a preflight, a stream (written when it
// has ended, with its tokens and cost), a configuration error before the router. A Durable Object
// call the platform fails (overloaded, connection lost) is answered 503 service_unavailable in the
// error shape with Retry-After, and logged.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index.js";
import { captureConsole } from "./console-lines.js";
import { call } from "./helpers.js";

const consoleLines = captureConsole();
const records = (event: string) => consoleLines.records(event);

/** The one request line of `res`, once written, checked against its status and X-Request-Id. */
async function onlyLineOf(res: Response): Promise<Record<string, unknown>> {
  const line = await consoleLines.requestLineOf(res);
  expect(records("request")).toHaveLength(1);
  expect(line.status).toBe(res.status);
  expect(typeof line.latency_ms).toBe("number");
  return line;
}

/** Calls the Worker with `vars` over the test bindings and waits for its background work. */
async function callWith(
  vars: Partial<Env>,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://ragway.test${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
    { ...env, ...vars },
    ctx,
  );
  await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return new Response(null, res);
}

/**
 * The real INDEX binding, except that every call on its objects fails as the runtime fails a call
 * it could not deliver: an Error carrying the runtime's tags (docs: Durable Objects error
 * handling), as an overloaded or restarting object returns it.
 */
function indexFailingWith(error: Error): DurableObjectNamespace {
  const failing = new Proxy(
    {},
    {
      get: (_target, prop) => (prop === "then" ? undefined : () => Promise.reject(error)),
    },
  );
  const real = env.INDEX as unknown as DurableObjectNamespace;
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "get" || prop === "getByName") return () => failing;
      const value: unknown = Reflect.get(target, prop);
      return typeof value === "function" ? (value.bind(target) as unknown) : value;
    },
  });
}

describe("one request log line per response", () => {
  it("for a 404 of an unknown route", async () => {
    const res = await call("GET", "/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(await onlyLineOf(res)).toMatchObject({ method: "GET", route: "unmatched" });
  });

  it("for a body that is not JSON", async () => {
    const res = await call("POST", "/v1/query", {
      rawBody: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(await onlyLineOf(res)).toMatchObject({ route: "/v1/query" });
  });

  it("for an admin route called without the admin token", async () => {
    const res = await call("GET", "/admin/keys", {
      headers: { authorization: "Bearer not-the-admin-token-0123456789" },
    });
    expect(res.status).toBe(401);
    expect(await onlyLineOf(res)).toMatchObject({ route: "/admin/keys" });
  });

  it("for a CORS preflight", async () => {
    const res = await call("OPTIONS", "/v1/query", {
      headers: { origin: "https://app.example", "access-control-request-method": "POST" },
    });
    expect(res.status).toBe(204);
    await onlyLineOf(res);
  });

  it("for a streamed chat completion, once the stream has ended, with what it spent", async () => {
    const res = await call("POST", "/v1/chat/completions", {
      body: { model: "auto", stream: true, messages: [{ role: "user", content: "hello" }] },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    await res.text();
    const line = await onlyLineOf(res);
    expect(line).toMatchObject({ route: "/v1/chat/completions", stream: "complete" });
    // Known only at the stream's end: the line waited for it.
    expect(line.model).toEqual(expect.any(String));
    expect(line.tokens).toBeGreaterThan(0);
    expect(line.cost_usd).toEqual(expect.any(Number));
    expect(line.billed).toMatch(/^(reported|counted)$/);
  });

  it("for a configuration error answered before the router", async () => {
    const res = await callWith(
      { ENVIRONMENT: "production", ADMIN_TOKEN: "", ALLOW_ANONYMOUS: "false" },
      "GET",
      "/health",
    );
    expect(res.status).toBe(500);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    await onlyLineOf(res);
    expect(records("config_error")).toHaveLength(1);
  });
});

describe("a Durable Object call the platform fails", () => {
  it("is a 503 service_unavailable in the error shape with Retry-After, logged, when the object is overloaded", async () => {
    const overloaded = Object.assign(
      new Error("Durable Object is overloaded. Too many requests queued."),
      { overloaded: true, retryable: false },
    );
    const ctx = createExecutionContext();
    const raw = await worker.fetch(
      new Request("http://ragway.test/v1/documents/lookup", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ids: ["a"] }),
      }),
      { ...env, INDEX: indexFailingWith(overloaded) as unknown as Env["INDEX"] },
      ctx,
    );
    const body = await raw.json<{ error: Record<string, unknown>; request_id: string }>();
    await waitOnExecutionContext(ctx);
    expect(raw.status).toBe(503);
    expect(raw.headers.get("content-type")).toContain("application/json");
    expect(raw.headers.get("retry-after")).toBe("5");
    expect(body.error).toMatchObject({ code: "service_unavailable", type: "server_error" });
    expect(body.request_id).toBe(raw.headers.get("x-request-id"));
    // Nothing of the runtime's own message reaches the client.
    expect(JSON.stringify(body)).not.toContain("Too many requests queued");
    expect(await onlyLineOf(raw)).toMatchObject({ route: "/v1/documents/lookup", status: 503 });
    expect(records("platform_failure")[0]).toMatchObject({
      overloaded: true,
      error: expect.stringContaining("Too many requests queued") as string,
    });
    expect(records("unhandled_error")).toHaveLength(0);
  });

  it("asks for a shorter wait when the runtime says the call can be retried", async () => {
    const lost = Object.assign(new Error("Network connection lost."), { retryable: true });
    const res = await callWith(
      { INDEX: indexFailingWith(lost) as unknown as Env["INDEX"] },
      "POST",
      "/v1/documents/lookup",
      { ids: ["a"] },
    );
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    await onlyLineOf(res);
  });

  it("stays a 500 internal_error, with its stack in the log, when our own code fails", async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    const res = await callWith(
      { INDEX: indexFailingWith(bug) as unknown as Env["INDEX"] },
      "POST",
      "/v1/documents/lookup",
      { ids: ["a"] },
    );
    expect(res.status).toBe(500);
    expect(res.headers.get("retry-after")).toBeNull();
    await onlyLineOf(res);
    expect(records("unhandled_error")).toHaveLength(1);
  });
});
