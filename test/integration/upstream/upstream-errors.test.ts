// Upstream error text never reaches a client: OpenAI's 401 quotes part of the provider key, and
// a provider's message can hold anything. Every route answers with a generic message naming the
// upstream status and the request id, whichever way the upstream failed.
import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call, callJson } from "../helpers.js";
import { upstream } from "./upstream-control.js";

interface ErrorBody {
  error: { message: string; type: string; code: string };
  request_id: string;
}

const LEAKY =
  "Incorrect API key provided: sk-test-*****ream. You can find your API key at https://platform.openai.com/account/api-keys.";

function expectNoUpstreamText(body: ErrorBody | string): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  expect(text).not.toContain("Incorrect API key");
  expect(text).not.toContain("sk-test");
  expect(text).not.toContain("platform.openai.com");
}

beforeAll(async () => {
  await upstream(env).reset();
});

beforeEach(async () => {
  await upstream(env).reset();
  await upstream(env).faults({ errorStatus: 401, errorMessage: LEAKY });
});

describe("an upstream 401 whose message quotes the provider key", () => {
  it("is generic in an ingestion's error: status and request id, not the upstream's words", async () => {
    const res = await callJson<ErrorBody>("POST", "/v1/documents", {
      body: { documents: [{ id: "leak-1", text: "A document about upstream errors." }] },
    });
    expect(res.status).toBe(503);
    expectNoUpstreamText(res.body);
    expect(res.body.error.message).toContain("status 401");
    expect(res.body.error.message).toContain(res.body.request_id);
  });

  it("is generic in /v1/embeddings", async () => {
    const res = await callJson<ErrorBody>("POST", "/v1/embeddings", {
      body: { model: "text-embedding-3-small", input: "a fresh input for the leak test" },
    });
    expect(res.status).toBe(503);
    expectNoUpstreamText(res.body);
    expect(res.body.error.message).toContain("status 401");
    expect(res.body.error.message).toContain(res.body.request_id);
  });

  it("is generic in /v1/chat/completions", async () => {
    const res = await callJson<ErrorBody>("POST", "/v1/chat/completions", {
      body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "leak?" }] },
      headers: { "cache-control": "no-cache" },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expectNoUpstreamText(res.body);
    expect(res.body.request_id).toMatch(/^req_/);
  });
});

describe("an upstream error inside a stream", () => {
  it("ends the client's stream with a generic error event naming the request id", async () => {
    await upstream(env).faults({ cutStreamAfterChunks: 1 });
    const res = await call("POST", "/v1/chat/completions", {
      body: {
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "stream, then fail" }],
        stream: true,
      },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"error"');
    expectNoUpstreamText(text);
    expect(text).toContain(res.headers.get("x-request-id") ?? "missing request id");
  });
});
