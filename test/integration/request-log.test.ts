// GET /admin/requests: the request log that rides on the metrics flush. Records carry what the
// request's log line carries, never the question unless LOG_QUERIES=true, and filter and page.
import { describe, expect, it } from "vitest";
import { RequestLogResponseSchema } from "../../shared/api/request-log-api.js";
import { admin, call, callJson } from "./helpers.js";
import { bearer, callWithVars, createKey } from "./limits-helpers.js";

interface Entry {
  id: string;
  route: string;
  status: number;
  principal_id: string | null;
  key_name: string | null;
  model: string | null;
  cache: string | null;
  tokens: number | null;
  latency_ms: number;
  overhead_ms: number | null;
  query?: string;
}

async function log(params = ""): Promise<{
  data: Entry[];
  next_before: string | null;
  routes: string[];
  keys: Array<{ id: string; name: string | null }>;
}> {
  const res = await callJson<Awaited<ReturnType<typeof log>>>("GET", `/admin/requests${params}`, {
    headers: admin,
  });
  expect(res.status).toBe(200);
  RequestLogResponseSchema.parse(res.body);
  return res.body;
}

describe("GET /admin/requests", () => {
  it("is for admins only", async () => {
    expect((await call("GET", "/admin/requests")).status).toBe(401);
  });

  it("lists a keyed query with its key's name, model, cache, tokens and latency, but not its question", async () => {
    const key = await createKey({ name: "log-reader" });
    const res = await call("POST", "/v1/query", {
      body: { query: "a secret-ish question about refunds" },
      headers: bearer(key.key),
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-request-id");
    const page = await log(`?key=${key.id}`);
    const entry = page.data.find((e) => e.id === requestId);
    expect(entry).toMatchObject({
      route: "/v1/query",
      status: 200,
      principal_id: key.id,
      key_name: "log-reader",
      model: "local-extractive",
    });
    expect(entry?.cache).toMatch(/^(MISS|BYPASS|HIT)/);
    expect(entry?.tokens).toBeGreaterThan(0);
    // The gateway's own time, measured on every request.
    expect(entry?.overhead_ms).toBeGreaterThanOrEqual(0);
    expect(entry?.query).toBeUndefined();
    expect(JSON.stringify(page)).not.toContain("refunds");
    // The same key by name.
    expect((await log("?key=log-reader")).data.map((e) => e.id)).toContain(requestId);
    expect(page.keys).toContainEqual({ id: key.id, name: "log-reader" });
  });

  it("filters by status class, exact status and route, and leaves out its own polling", async () => {
    await call("GET", "/v1/nope");
    await call("POST", "/v1/query", { body: { question: "hi" } });
    await call("GET", "/v1/stats", { headers: admin });
    const clientErrors = await log("?status=4xx");
    expect(clientErrors.data.length).toBeGreaterThanOrEqual(2);
    expect(clientErrors.data.every((e) => e.status >= 400 && e.status < 500)).toBe(true);
    const exact = await log("?status=400&route=/v1/query");
    expect(exact.data.length).toBeGreaterThanOrEqual(1);
    expect(exact.data.every((e) => e.status === 400 && e.route === "/v1/query")).toBe(true);
    const all = await log("?limit=200");
    expect(all.routes).toContain("unmatched");
    for (const route of ["/v1/stats", "/admin/requests", "/health"]) {
      expect(all.data.some((e) => e.route === route)).toBe(false);
    }
  });

  it("pages newest first with next_before, without repeats", async () => {
    for (let i = 0; i < 5; i++) await call("GET", "/v1/models");
    const first = await log("?route=/v1/models&limit=2");
    expect(first.data).toHaveLength(2);
    expect(first.next_before).not.toBeNull();
    const second = await log(`?route=/v1/models&limit=2&before=${first.next_before ?? ""}`);
    expect(second.data).toHaveLength(2);
    const ids = [...first.data, ...second.data].map((e) => e.id);
    expect(new Set(ids).size).toBe(4);
  });

  it("refuses a bad filter with a 400 naming it", async () => {
    for (const [qs, param] of [
      ["?status=abc", "status"],
      ["?limit=0", "limit"],
      ["?before=yesterday", "before"],
      ["?colour=red", null],
    ] as const) {
      const res = await callJson<{ error: { code: string; param: string | null } }>(
        "GET",
        `/admin/requests${qs}`,
        { headers: admin },
      );
      expect(res.status).toBe(400);
      if (param) expect(res.body.error.param).toBe(param);
    }
  });

  it("records the question only when LOG_QUERIES=true", async () => {
    const res = await callWithVars({ LOG_QUERIES: "true" }, "POST", "/v1/query", {
      body: { query: "logged on purpose" },
    });
    expect(res.status).toBe(200);
    const id = res.headers.get("x-request-id");
    const entry = (await log("?route=/v1/query&limit=200")).data.find((e) => e.id === id);
    expect(entry?.query).toBe("logged on purpose");
  });
});
