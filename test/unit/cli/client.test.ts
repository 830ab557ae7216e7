// The CLI's HTTP client: the key as a Bearer token, retries on network errors, responses checked
// with the API's schemas, and error bodies turned into readable messages.
import { describe, expect, it } from "vitest";
import { createIngestClient } from "../../../cli/ingest/client.js";

function client(fetchImpl: typeof fetch, key?: string) {
  return createIngestClient({
    url: "http://gw.test/",
    ...(key ? { key } : {}),
    fetch: fetchImpl,
    timeoutMs: 1000,
    now: () => 0,
    userAgent: "ragway-cli/test",
    retry: {
      retries: 2,
      baseMs: 1,
      maxMs: 1,
      maxRetryAfterMs: 1000,
      random: () => 0,
      sleep: async () => undefined,
    },
  });
}

const lookupBody = { object: "list", embedding_model: "m", documents: [], missing: ["a"] };

describe("createIngestClient", () => {
  it("sends the key as a Bearer token to the base URL without a doubled slash", async () => {
    const seen: Array<{ url: string; headers: Headers }> = [];
    const c = client(async (input, init) => {
      seen.push({
        url: input instanceof Request ? input.url : input.toString(),
        headers: new Headers(init?.headers),
      });
      return Response.json(lookupBody);
    }, "rk_secret");
    const r = await c.lookup(["a"]);
    expect(r.ok).toBe(true);
    expect(seen[0]?.url).toBe("http://gw.test/v1/documents/lookup");
    expect(seen[0]?.headers.get("authorization")).toBe("Bearer rk_secret");
    expect(seen[0]?.headers.get("user-agent")).toBe("ragway-cli/test");
  });

  it("sends no Authorization header without a key", async () => {
    let auth: string | null = "unset";
    const c = client(async (_input, init) => {
      auth = new Headers(init?.headers).get("authorization");
      return Response.json(lookupBody);
    });
    await c.lookup(["a"]);
    expect(auth).toBeNull();
  });

  it("retries after a network error", async () => {
    let calls = 0;
    const c = client(async () => {
      if (++calls === 1) throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
      return Response.json(lookupBody);
    });
    expect((await c.lookup(["a"])).ok).toBe(true);
    expect(calls).toBe(2);
  });

  it("names the network error when every try fails", async () => {
    const c = client(async () => {
      throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    });
    expect(await c.lookup(["a"])).toMatchObject({
      ok: false,
      message: "network error: ECONNREFUSED",
    });
  });

  it("turns the error body into the message and does not retry a 401", async () => {
    let calls = 0;
    const c = client(async () => {
      calls++;
      return Response.json(
        { error: { message: "invalid API key", code: "unauthorized", type: "x", param: null } },
        { status: 401 },
      );
    });
    expect(await c.upload([])).toMatchObject({
      ok: false,
      status: 401,
      message: "HTTP 401 unauthorized: invalid API key",
    });
    expect(calls).toBe(1);
  });

  it("refuses a success response that does not have the documented shape", async () => {
    const c = client(async () => Response.json({ object: "list", documents: "nope" }));
    const r = await c.upload([]);
    expect(r).toMatchObject({ ok: false, retryable: false });
    if (!r.ok) expect(r.message).toMatch(/unexpected response from \/v1\/documents at documents/);
  });

  it("is reachable when the gateway answers /health with any status, once, without retries", async () => {
    const seen: string[] = [];
    const c = client(async (input) => {
      seen.push(input instanceof Request ? input.url : input.toString());
      return new Response("not here", { status: 404 });
    });
    expect(await c.reachable()).toBeNull();
    expect(seen).toEqual(["http://gw.test/health"]);
  });

  it("names the URL and the connection error when the gateway cannot be reached", async () => {
    let calls = 0;
    const c = client(async () => {
      calls++;
      throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    });
    expect(await c.reachable()).toBe("cannot reach http://gw.test: ECONNREFUSED");
    expect(calls).toBe(1);
  });
});
