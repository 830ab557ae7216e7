// Bad input: every case gets the documented error shape with a fitting 4xx, never a 5xx.
import { describe, expect, it } from "vitest";
import { call } from "./helpers.js";

interface ErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
  request_id: string;
}

async function expectError(
  res: Response,
  status: number,
  code: string,
  param?: string | null,
): Promise<ErrorBody> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/json");
  const body = await res.json<ErrorBody>();
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(typeof body.error.type).toBe("string");
  expect(body.request_id).toBe(res.headers.get("x-request-id"));
  if (param !== undefined) expect(body.error.param).toBe(param);
  return body;
}

describe("bad input on /v1/query", () => {
  it("rejects malformed JSON with 400 invalid_json", async () => {
    await expectError(
      await call("POST", "/v1/query", {
        rawBody: "{not json",
        headers: { "content-type": "application/json" },
      }),
      400,
      "invalid_json",
    );
  });

  it("rejects a non-JSON content type with 415", async () => {
    await expectError(
      await call("POST", "/v1/query", {
        rawBody: "query=hi",
        headers: { "content-type": "text/plain" },
      }),
      415,
      "unsupported_media_type",
    );
  });

  it("rejects a body over the limit with 413", async () => {
    const huge = JSON.stringify({ query: "x".repeat(1_100_000) });
    await expectError(
      await call("POST", "/v1/query", {
        rawBody: huge,
        headers: { "content-type": "application/json" },
      }),
      413,
      "payload_too_large",
    );
  });

  it.each([
    [{ query: "hi", k: 0 }, "k"],
    [{ query: "hi", k: 21 }, "k"],
    [{ query: "hi", k: 2.5 }, "k"],
    [{ query: "" }, "query"],
    [{ query: "   " }, "query"],
    [{ query: "x".repeat(4001) }, "query"],
    [{}, "query"],
    [{ query: 42 }, "query"],
    [{ query: "hi", priority: "cheap" }, "priority"],
    [{ query: "hi", model: "no-such-model" }, "model"],
    [{ query: "hi", filter: "lang=en" }, "filter"],
    [{ query: "hi", max_context_tokens: -5 }, "max_context_tokens"],
    [{ query: "hi", use_cache: "no" }, "use_cache"],
    [{ query: "hi", top_k: 3 }, "top_k"],
  ])("rejects %j with 400 naming %s", async (body, param) => {
    await expectError(await call("POST", "/v1/query", { body }), 400, "invalid_request", param);
  });

  it("names an unknown field and the known one it most likely stands for", async () => {
    const question = await expectError(
      await call("POST", "/v1/query", { body: { question: "hi" } }),
      400,
      "invalid_request",
      "question",
    );
    expect(question.error.message).toBe(
      "question: unknown field `question`; did you mean `query`?",
    );
    const topK = await expectError(
      await call("POST", "/v1/query", { body: { query: "hi", top_k: 3 } }),
      400,
      "invalid_request",
      "top_k",
    );
    expect(topK.error.message).toBe("top_k: unknown field `top_k`; did you mean `k`?");
  });

  it("says a missing required field is missing and names it", async () => {
    const body = await expectError(
      await call("POST", "/v1/query", { body: { k: 3 } }),
      400,
      "invalid_request",
      "query",
    );
    expect(body.error.message).toBe("query: required field is missing (expected string)");
  });

  it("names an unknown field inside a batch item inline", async () => {
    const res = await call("POST", "/v1/query/batch", {
      body: { queries: [{ query: "hi", top_k: 2 }] },
    });
    expect(res.status).toBe(200);
    const body = await res.json<{
      results: Array<{ status: number; error?: { param: string; message: string } }>;
    }>();
    expect(body.results[0]?.status).toBe(400);
    expect(body.results[0]?.error).toMatchObject({
      param: "top_k",
      message: "top_k: unknown field `top_k`; did you mean `k`?",
    });
  });

  it("rejects a JSON array body with 400", async () => {
    await expectError(await call("POST", "/v1/query", { body: [1, 2] }), 400, "invalid_request");
  });
});

describe("bad input on /v1/documents", () => {
  it("rejects more than 1,000 documents (100 are ingested at once, the rest as a job) naming the field", async () => {
    const documents = Array.from({ length: 1001 }, (_, i) => ({ text: `doc ${i}` }));
    await expectError(
      await call("POST", "/v1/documents", { body: { documents } }),
      400,
      "invalid_request",
      "documents",
    );
  });

  it.each([
    [{ documents: [] }, "documents"],
    [{ documents: [{ text: "" }] }, "documents.0.text"],
    [{ documents: [{ text: "ok", id: "bad id with spaces" }] }, "documents.0.id"],
    [
      { documents: [{ text: "ok", metadata: { nested: { a: 1 } } }] },
      "documents.0.metadata.nested",
    ],
    [{ docs: [] }, "docs"],
  ])("rejects %j with 400 naming %s", async (body, param) => {
    await expectError(await call("POST", "/v1/documents", { body }), 400, "invalid_request", param);
  });

  it("answers 404 for an unknown document id", async () => {
    await expectError(await call("GET", "/v1/documents/nope"), 404, "not_found", "id");
  });

  it("answers 400 for an id that is not valid URL encoding", async () => {
    await expectError(await call("GET", "/v1/documents/%E0%A4%A"), 400, "invalid_request", "id");
  });
});

describe("routing errors", () => {
  it("answers 404 in the error shape for an unknown route", async () => {
    await expectError(await call("GET", "/v1/nope"), 404, "not_found");
  });

  it("answers 405 with Allow for a wrong method", async () => {
    const res = await call("GET", "/v1/query");
    expect(res.headers.get("allow")).toBe("POST");
    await expectError(res, 405, "method_not_allowed");
    const put = await call("PUT", "/v1/documents/x");
    expect(put.headers.get("allow")).toBe("GET, DELETE");
    await expectError(put, 405, "method_not_allowed");
  });

  it("answers a CORS preflight with the route's methods and CORS headers on responses", async () => {
    const origin = { origin: "https://app.example" };
    const pre = await call("OPTIONS", "/v1/query", {
      headers: { ...origin, "access-control-request-method": "POST" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-methods")).toBe("POST");
    expect(pre.headers.get("access-control-allow-headers")).toContain("authorization");
    const res = await call("GET", "/health", { headers: origin });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-expose-headers")).toContain("x-request-id");
    expect(res.headers.get("vary")).toBe("Origin");
    // An error (here a 400) is readable cross-origin too.
    const refused = await call("POST", "/v1/query", { headers: origin, body: { query: 5 } });
    expect(refused.status).toBe(400);
    expect(refused.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("sends no CORS headers to a caller without Origin, and Vary: Origin on a GET's answer", async () => {
    const res = await call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("access-control-expose-headers")).toBeNull();
    // Cacheable (public, max-age): a copy fetched without Origin must not answer a browser's.
    expect(res.headers.get("vary")).toBe("Origin");
    const post = await call("POST", "/v1/query", { body: { query: 5 } });
    expect(post.status).toBe(400);
    expect(post.headers.get("access-control-allow-origin")).toBeNull();
    expect(post.headers.get("vary")).toBeNull();
  });

  it("serves HEAD as GET without a body", async () => {
    const res = await call("HEAD", "/health");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  it("requires the admin token for /v1/stats", async () => {
    await expectError(await call("GET", "/v1/stats"), 401, "unauthorized");
    await expectError(
      await call("GET", "/v1/stats", { headers: { authorization: "Bearer wrong-token-here" } }),
      401,
      "unauthorized",
    );
    await expectError(
      await call("GET", "/v1/stats", { headers: { authorization: "Basic abc" } }),
      401,
      "unauthorized",
    );
  });
});
