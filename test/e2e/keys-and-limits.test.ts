// End to end: `wrangler dev` as a real process with anonymous access off, driven over HTTP: an
// admin creates a key, the key is limited by its LIMITER object, and revocation is immediate.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, type IssuedKey } from "../support/api-key.js";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.js";

const ADMIN_TOKEN = "e2e-admin-token-0123456789";
let dev: WranglerDev;

beforeAll(async () => {
  dev = await startWranglerDev({
    vars: { ADMIN_TOKEN, ALLOW_ANONYMOUS: "false", SEED_SAMPLE_CORPUS: "true" },
  });
});

afterAll(async () => {
  await dev?.stop();
});

function ask(key: string | null): Promise<Response> {
  return fetch(`${dev.url}/v1/query`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ query: "How are API keys revoked?", use_cache: false }),
  });
}

function createKey(body: Record<string, unknown>): Promise<IssuedKey> {
  return createApiKey(dev.url, ADMIN_TOKEN, body);
}

async function revoke(id: string): Promise<void> {
  const res = await fetch(`${dev.url}/admin/keys/${id}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(res.status).toBe(200);
}

describe("keys and limits in wrangler dev", () => {
  it("refuses a keyless caller when anonymous access is off", async () => {
    const res = await ask(null);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("creates a key that is limited, reports its usage, and is refused once revoked", async () => {
    const { id, key } = await createKey({ name: "e2e", rpm: 2 });

    const first = await ask(key);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit")).toBe("2");
    expect(first.headers.get("ratelimit-policy")).toMatch(/^"rpm";q=2;w=60/);
    const body = await first.json<{ sources: Array<{ id: string }> }>();
    expect(body.sources.map((s) => s.id)).toContain("keys-and-auth");

    expect((await ask(key)).status).toBe(200);
    const limited = await ask(key);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);

    const usage = await fetch(`${dev.url}/v1/usage`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(usage.status).toBe(200);
    expect(await usage.json()).toMatchObject({
      principal: { id },
      requests: { used: 2, limit: 2 },
    });

    // Revoked while limited: still refused (the isolate may keep answering 429 until the
    // refusal it remembered ends; never a 200).
    await revoke(id);
    expect([401, 429]).toContain((await ask(key)).status);

    // A key in good standing is refused with 401 on its very next request.
    const other = await createKey({ name: "e2e-other" });
    expect((await ask(other.key)).status).toBe(200);
    await revoke(other.id);
    expect((await ask(other.key)).status).toBe(401);

    const list = await fetch(`${dev.url}/admin/keys`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const listed = await list.json<{ data: Array<{ id: string; status: string }> }>();
    expect(listed.data.find((k) => k.id === id)?.status).toBe("revoked");
    expect(JSON.stringify(listed)).not.toContain(key);
  });
});
