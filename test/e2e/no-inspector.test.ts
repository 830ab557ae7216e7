// End to end: the gateway served by wrangler with no V8 inspector attached, as a deployed Worker
// runs and as the path benchmark's second pass serves it. The same bundle, bindings and
// simulated storage as `wrangler dev`: keys, limits, the index and the answer cache all work.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../support/api-key.js";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.js";

const ADMIN_TOKEN = "e2e-no-inspector-admin-token-0123";
let dev: WranglerDev;

beforeAll(async () => {
  dev = await startWranglerDev({
    inspector: false,
    vars: { ADMIN_TOKEN, ALLOW_ANONYMOUS: "false", SEED_SAMPLE_CORPUS: "true" },
  });
});

afterAll(async () => {
  await dev?.stop();
});

describe("the gateway with no inspector attached", () => {
  it("has no inspector to connect to", () => {
    expect(dev.inspectorUrl).toBeNull();
  });

  it("answers with the same bindings: a new key, a question over the seeded corpus, then its cache hit", async () => {
    expect((await fetch(`${dev.url}/health`)).status).toBe(200);
    const issued = await createApiKey(dev.url, ADMIN_TOKEN, { name: "no-inspector" });
    const ask = () =>
      fetch(`${dev.url}/v1/query`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${issued.key}` },
        body: JSON.stringify({ query: "How are rate limits enforced?", model: "local-extractive" }),
      });
    const first = await ask();
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).toBe("MISS");
    const body = await first.json<{ sources: unknown[] }>();
    expect(body.sources.length).toBeGreaterThan(0);
    const second = await ask();
    expect(second.headers.get("x-cache")).toBe("HIT-MEMORY");
    expect(second.headers.get("age")).toMatch(/^\d+$/);
    const refused = await fetch(`${dev.url}/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "anyone?" }),
    });
    expect(refused.status).toBe(401);
  });
});
