// Keys and principals: creation (secret shown once, stored hashed), listing, revocation that
// takes effect on the very next request, and every way authentication can fail.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, call, callJson } from "./helpers.js";
import { bearer, callWithVars, createKey, query } from "./limits-helpers.js";

interface ErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
}

interface KeyList {
  object: "list";
  data: Array<Record<string, unknown> & { id: string; status: string }>;
}

async function listKeys(): Promise<KeyList> {
  const res = await callJson<KeyList>("GET", "/admin/keys", { headers: admin });
  expect(res.status).toBe(200);
  return res.body;
}

describe("POST /admin/keys", () => {
  it("returns the key once, with its id and limits, and stores only its SHA-256", async () => {
    const created = await createKey({ name: "mobile-app", rpm: 7, daily_budget_usd: 2.5 });
    expect(created).toMatchObject({ name: "mobile-app", status: "active", rpm: 7 });
    expect(created.daily_budget_usd).toBe(2.5);
    expect(created.id).toMatch(/^key_[0-9a-f]{24}$/);
    expect(created.key).toMatch(/^rgw_[0-9a-f]{24}_[0-9A-Za-z]{49}$/);

    // The limiter object holds the hash, never the key.
    const stub = env.LIMITER.get(env.LIMITER.idFromName(created.id));
    const stored = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec<{ key_hash: string }>("SELECT * FROM principal").toArray(),
    );
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(created.key));
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(stored).toHaveLength(1);
    expect(stored[0]?.key_hash).toBe(hex);
    expect(JSON.stringify(stored)).not.toContain(created.key);

    // The listing shows the key without its secret or hash.
    const listed = (await listKeys()).data.find((k) => k.id === created.id);
    expect(listed).toMatchObject({ id: created.id, name: "mobile-app", status: "active", rpm: 7 });
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(JSON.stringify(listed)).not.toContain(hex);
  });

  it("fills unspecified limits from the configured defaults", async () => {
    const created = await createKey({ name: "defaults" });
    expect(created).toMatchObject({
      rpm: Number(env.DEFAULT_RPM),
      tpm: Number(env.DEFAULT_TPM),
      daily_budget_usd: Number(env.DEFAULT_DAILY_BUDGET_USD),
      monthly_budget_usd: Number(env.DEFAULT_MONTHLY_BUDGET_USD),
    });
  });

  it("works at once: the new key is admitted on its first request", async () => {
    const { key } = await createKey({ name: "instant" });
    expect((await query(key)).status).toBe(200);
  });

  it.each([
    [{ name: "x", rpm: -1 }, "rpm"],
    [{ name: "x", rpm: 0 }, "rpm"],
    [{ name: "x", rpm: 1.5 }, "rpm"],
    [{ name: "x", rpm: 100_001 }, "rpm"],
    [{ name: "x", tpm: 0 }, "tpm"],
    [{ name: "x", tpm: 1e12 }, "tpm"],
    [{ name: "x", daily_budget_usd: -0.01 }, "daily_budget_usd"],
    [{ name: "x", monthly_budget_usd: 1e9 }, "monthly_budget_usd"],
    [{ name: "x", rpm: "50" }, "rpm"],
    [{ name: "" }, "name"],
    [{ name: "x".repeat(101) }, "name"],
    [{ rpm: 5 }, "name"],
    [{ name: "x", burst: 5 }, "burst"],
  ])("rejects %j with 400 naming %s, and stores nothing", async (body, param) => {
    const before = (await listKeys()).data.length;
    const res = await callJson<ErrorBody>("POST", "/admin/keys", { body, headers: admin });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.param).toBe(param);
    expect((await listKeys()).data.length).toBe(before);
  });

  it("rejects a wrong or missing admin token with 401", async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: "Bearer wrong-admin-token" },
      { authorization: `Bearer ${"test-admin-token-0123456789"}x` },
      { authorization: "Basic dGVzdDp0ZXN0" },
    ]) {
      const res = await callJson<ErrorBody>("POST", "/admin/keys", {
        body: { name: "nope" },
        headers,
      });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthorized");
      expect((await call("GET", "/admin/keys", { headers })).status).toBe(401);
    }
  });

  it("does not accept an API key as the admin token", async () => {
    const { key } = await createKey({ name: "not-admin" });
    expect((await call("GET", "/admin/keys", { headers: bearer(key) })).status).toBe(401);
  });
});

describe("DELETE /admin/keys/:id", () => {
  it("revokes a key: the very next request with it is 401, and the listing says revoked", async () => {
    const { id, key } = await createKey({ name: "to-revoke" });
    expect((await query(key)).status).toBe(200);
    const res = await callJson<{ id: string; status: string; revoked_at: string }>(
      "DELETE",
      `/admin/keys/${id}`,
      { headers: admin },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: "revoked" });
    const next = await query(key);
    expect(next.status).toBe(401);
    expect((await next.json<ErrorBody>()).error.message).toMatch(/revoked/);
    expect((await call("GET", "/v1/usage", { headers: bearer(key) })).status).toBe(401);
    expect((await listKeys()).data.find((k) => k.id === id)?.status).toBe("revoked");
  });

  it("revokes immediately even for an isolate that just admitted the key", async () => {
    const { id, key } = await createKey({ name: "hot" });
    const burst = await Promise.all(Array.from({ length: 5 }, () => query(key)));
    expect(burst.every((r) => r.status === 200)).toBe(true);
    await call("DELETE", `/admin/keys/${id}`, { headers: admin });
    expect((await query(key)).status).toBe(401);
  });

  it("answers 404 for an unknown or malformed key id", async () => {
    for (const id of ["key_000000000000000000000000", "nope"]) {
      const res = await callJson<ErrorBody>("DELETE", `/admin/keys/${id}`, { headers: admin });
      expect(res.status).toBe(404);
      expect(res.body.error.param).toBe("id");
    }
  });
});

describe("authenticating /v1 requests", () => {
  const locked = { ALLOW_ANONYMOUS: "false" };

  async function expect401(res: Response, message: RegExp): Promise<void> {
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const body = await res.json<ErrorBody>();
    expect(body.error.code).toBe("unauthorized");
    expect(body.error.message).toMatch(message);
  }

  it("refuses a request without a key when anonymous access is off", async () => {
    await expect401(
      await callWithVars(locked, "POST", "/v1/query", { body: { query: "hi" } }),
      /missing API key/,
    );
    await expect401(await callWithVars(locked, "GET", "/v1/usage"), /missing API key/);
  });

  it("admits a valid key when anonymous access is off", async () => {
    const { key } = await createKey({ name: "locked-ok" });
    const res = await callWithVars(locked, "POST", "/v1/query", {
      body: { query: "hi" },
      headers: bearer(key),
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ["Bearer", /malformed/],
    ["Bearer    ", /malformed/],
    ["Basic abc", /malformed/],
    ["Token rgw_abc", /malformed/],
    ["Bearer a b", /malformed/],
  ])("refuses the malformed header %j with 401", async (authorization, message) => {
    await expect401(
      await call("POST", "/v1/query", { body: { query: "hi" }, headers: { authorization } }),
      message,
    );
  });

  it("refuses an unknown key with 401, even when anonymous access is on", async () => {
    const forged = `rgw_${"0".repeat(24)}_${"A".repeat(43)}`;
    await expect401(await query(forged), /invalid API key/);
    // A token that is no ragway key at all is a development placeholder (anonymous); with
    // anonymous access off it is refused.
    await expect401(
      await callWithVars(locked, "POST", "/v1/query", {
        body: { query: "hi" },
        headers: bearer("sk-not-a-ragway-key"),
      }),
      /invalid API key/,
    );
    // A real key id with a wrong secret is just as unknown.
    const { key } = await createKey({ name: "real" });
    await expect401(await query(`${key.slice(0, -1)}${key.endsWith("A") ? "B" : "A"}`), /invalid/);
  });

  it("leaves /health open and keeps /v1/stats for the admin token", async () => {
    expect((await callWithVars(locked, "GET", "/health")).status).toBe(200);
    const { key } = await createKey({ name: "no-stats" });
    expect((await call("GET", "/v1/stats", { headers: bearer(key) })).status).toBe(401);
  });

  it("treats each anonymous client IP as its own principal, named by a hash of the IP", async () => {
    const ask = (ip: string) =>
      callJson<{ principal: { id: string; kind: string }; requests: { used: number } }>(
        "GET",
        "/v1/usage",
        { headers: { "cf-connecting-ip": ip } },
      );
    await call("POST", "/v1/query", {
      body: { query: "hi" },
      headers: { "cf-connecting-ip": "203.0.113.7" },
    });
    const a = await ask("203.0.113.7");
    const b = await ask("198.51.100.9");
    expect(a.body.principal.kind).toBe("anonymous");
    expect(a.body.principal.id).toMatch(/^anon_[0-9a-f]{24}$/);
    expect(a.body.principal.id).not.toContain("203");
    expect(a.body.principal.id).not.toBe(b.body.principal.id);
    expect(a.body.requests.used).toBe(1);
    expect(b.body.requests.used).toBe(0);
  });
});

// The admin calls below come from their own client address: the failed admin logins earlier in
// this file throttle the default one for a minute in this isolate.
const freshAdmin = { ...admin, "cf-connecting-ip": "198.51.100.21" };

async function createKeyFresh(body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const res = await callJson<{ id: string; key: string }>("POST", "/admin/keys", {
    body,
    headers: freshAdmin,
  });
  expect(res.status).toBe(201);
  return res.body;
}

describe("revocation wins over a remembered refusal", () => {
  it("answers 401, not 429, to a rate-limited key once it is revoked", async () => {
    const { id, key } = await createKeyFresh({ name: "revoked-while-limited", rpm: 1 });
    const q = {
      body: { query: "limited then revoked?" },
      headers: { authorization: `Bearer ${key}` },
    };
    expect((await call("POST", "/v1/query", q)).status).toBe(200);
    expect((await call("POST", "/v1/query", q)).status).toBe(429);
    // Now this isolate remembers the 429.
    const revoked = await call("DELETE", `/admin/keys/${id}`, { headers: freshAdmin });
    expect(revoked.status).toBe(200);
    const res = await call("POST", "/v1/query", q);
    expect(res.status).toBe(401);
    expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(/revoked/);
  });

  it("refuses a busy key admitted under a lease at once after its revocation here", async () => {
    const { id, key } = await createKeyFresh({ name: "revoked-leased", rpm: 100_000 });
    const headers = { authorization: `Bearer ${key}` };
    // The third takes a lease (the key is busy here), the fourth is admitted under it.
    for (let i = 0; i < 4; i++)
      expect((await call("GET", "/v1/models", { headers })).status).toBe(200);
    expect((await call("DELETE", `/admin/keys/${id}`, { headers: freshAdmin })).status).toBe(200);
    expect((await call("GET", "/v1/models", { headers })).status).toBe(401);
  });
});
