// End to end: the answer cache in `wrangler dev` (a real workerd process with the Cache API and
// KV simulated on disk), driven over HTTP: each tier in turn, purge, and the stats.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.js";

const ADMIN_TOKEN = "e2e-admin-token-0123456789";
let dev: WranglerDev;

beforeAll(async () => {
  dev = await startWranglerDev({ vars: { ADMIN_TOKEN } });
});

afterAll(async () => {
  await dev?.stop();
});

async function ask(query: string): Promise<{ xCache: string | null; body: { answer: string } }> {
  const res = await fetch(`${dev.url}/v1/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  expect(res.status).toBe(200);
  return { xCache: res.headers.get("x-cache"), body: await res.json<{ answer: string }>() };
}

async function purge(body: unknown): Promise<void> {
  const res = await fetch(`${dev.url}/admin/cache/purge`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

/** Background writes (Cache API, KV) land after the response: poll until the tier answers. */
async function askUntil(query: string, expected: string, prepare: () => Promise<void>) {
  let last: string | null = null;
  for (let i = 0; i < 20; i++) {
    await prepare();
    last = (await ask(query)).xCache;
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last).toBe(expected);
}

describe("answer cache in wrangler dev", () => {
  it("serves a repeat from memory, then the Cache API, then KV, as tiers are purged", async () => {
    const q = "How does ragway keep a cached answer from going stale?";
    const first = await ask(q);
    expect(first.xCache).toBe("MISS");
    const second = await ask(q);
    expect(second.xCache).toBe("HIT-MEMORY");
    expect(second.body.answer).toBe(first.body.answer);
    await askUntil(q, "HIT-EDGE", () => purge({ tiers: ["memory"] }));
    await askUntil(q, "HIT-KV", () => purge({ tiers: ["memory", "edge"] }));
    await purge({});
    expect((await ask(q)).xCache).toBe("MISS");
  });
});
