// Helpers for tests of keys and limits: create keys through the admin API, call with a key, and
// call the Worker under a variant of the configuration (same bindings, other vars).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import worker from "../../workers/index.js";
import { admin, call, callJson } from "./helpers.js";

export interface CreatedKey {
  id: string;
  key: string;
  name: string;
  status: string;
  rpm: number;
  tpm: number;
  daily_budget_usd: number;
  monthly_budget_usd: number;
}

/** Creates a key through POST /admin/keys and returns the response body (with the secret). */
export async function createKey(body: Record<string, unknown>): Promise<CreatedKey> {
  const res = await callJson<CreatedKey>("POST", "/admin/keys", { body, headers: admin });
  expect(res.status).toBe(201);
  return res.body;
}

/** The secret of a new key that may query, read and write documents in `namespaces`, at limits
 * no test reaches. */
export async function writerKey(name: string, namespaces: string[]): Promise<string> {
  const created = await createKey({
    name,
    namespaces,
    rpm: 100000,
    tpm: 100000000,
    scopes: ["query", "documents:read", "documents:write"],
  });
  return created.key;
}

/** The Authorization header for a key. */
export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** POST /v1/query as the holder of `key`. */
export function query(key: string, q = "what is the answer?", extra: object = {}) {
  return call("POST", "/v1/query", { body: { query: q, ...extra }, headers: bearer(key) });
}

/** GET /v1/usage as the holder of `key`. */
export async function usage(key: string) {
  const res = await callJson<UsageBody>("GET", "/v1/usage", { headers: bearer(key) });
  expect(res.status).toBe(200);
  return res.body;
}

export interface UsageBody {
  object: "usage";
  principal: { id: string; kind: string };
  requests: {
    limit: number;
    window_seconds: number;
    used: number;
    remaining: number;
    reset_seconds: number;
  };
  tokens: {
    limit: number;
    remaining: number;
    reset_seconds: number;
    used_today: number;
    used_this_month: number;
  };
  budget: Record<
    "daily" | "monthly",
    {
      period: string;
      limit_usd: number;
      spent_usd: number;
      reserved_usd: number;
      remaining_usd: number;
      resets_at: string;
    }
  >;
}

// The entry's fetch, typed for a plain Request (the pool's own requests carry `cf` properties).
const handler = (request: Request, vars: Env, ctx: ExecutionContext): Promise<Response> =>
  worker.fetch(request as Parameters<typeof worker.fetch>[0], vars, ctx);

/** Calls the Worker with `vars` overriding the configured ones (a fresh config is parsed). */
export async function callWithVars(
  vars: Record<string, string>,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers["content-type"] ??= "application/json";
  const request = new Request(`http://ragway.test${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const ctx = createExecutionContext();
  const res = await handler(request, { ...env, ...vars }, ctx);
  // A stream holds its invocation open until it ends: read it as a client would, then wait for
  // what runs after the response (settlement), as the tests expect.
  const body = res.headers.get("content-type")?.startsWith("text/event-stream")
    ? await res.arrayBuffer()
    : null;
  await waitOnExecutionContext(ctx);
  return body === null ? res : new Response(body, res);
}
