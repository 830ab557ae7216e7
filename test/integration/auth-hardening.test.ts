// What a hostile caller can make the gateway do before it knows who is calling: keys that were
// never issued leave no Durable Object storage, mistyped keys never reach an object, anonymous
// ids do not reveal IPs, placeholder tokens are anonymous only in development, and guessing the
// admin token is throttled.
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { generateApiKey } from "../../shared/security/api-key.js";
import { sha256Hex } from "../../shared/util/hash.js";
import { admin, call, callJson } from "./helpers.js";
import { bearer, callWithVars, createKey, query } from "./limits-helpers.js";

interface ErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
  request_id: string;
}

/** Whether the LIMITER object of `keyId` was ever addressed (miniflare keeps a file per object). */
async function limiterAddressed(keyId: string): Promise<boolean> {
  const id = env.LIMITER.idFromName(keyId);
  return (await listDurableObjectIds(env.LIMITER)).some((other) => other.equals(id));
}

/** The tables the LIMITER object of `keyId` holds (none: it keeps no storage). */
async function limiterTables(keyId: string): Promise<string[]> {
  const stub = env.LIMITER.get(env.LIMITER.idFromName(keyId));
  return runInDurableObject(stub, (_instance, state) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .map((r) => r.name)
      .filter((name) => !name.startsWith("_cf_") && !name.startsWith("sqlite_")),
  );
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

describe("keys that were never issued", () => {
  it("leave no LIMITER storage behind, whatever their format", async () => {
    const hex = randomHex(12);
    const legacy = `rgw_${hex}_${"A".repeat(43)}`;
    expect((await query(legacy)).status).toBe(401);
    expect(await limiterTables(`key_${hex}`)).toEqual([]);

    const current = generateApiKey(); // well-formed with a valid checksum, but never registered
    expect((await query(current.key)).status).toBe(401);
    expect(await limiterTables(current.id)).toEqual([]);
  });

  it("still get storage the moment a real key is registered", async () => {
    const { id } = await createKey({ name: "stored" });
    expect(await limiterTables(id)).toContain("principal");
  });

  it("are refused by their checksum when forged or mistyped, without addressing an object", async () => {
    const forged = generateApiKey();
    const at = forged.key.length - 10;
    const typo = `${forged.key.slice(0, at)}${forged.key[at] === "x" ? "y" : "x"}${forged.key.slice(at + 1)}`;
    const res = await callJson<ErrorBody>("POST", "/v1/query", {
      body: { query: "hi" },
      headers: bearer(typo),
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "unauthorized", message: "invalid API key" });
    expect(await limiterAddressed(forged.id)).toBe(false);
  });

  it("do not block the real key when its id is sent with a wrong secret", async () => {
    const { key } = await createKey({ name: "typo" });
    const at = key.length - 10;
    const typo = `${key.slice(0, at)}${key[at] === "x" ? "y" : "x"}${key.slice(at + 1)}`;
    expect((await query(typo)).status).toBe(401);
    expect((await query(key)).status).toBe(200);
  });
});

describe("keys issued before checksums (legacy format)", () => {
  it("keep working, checked by their object as before", async () => {
    const hex = randomHex(12);
    const id = `key_${hex}`;
    const legacy = `rgw_${hex}_${"L".repeat(21)}-_${"k".repeat(20)}`;
    // Registered the way earlier versions registered keys: the object holds the key's hash.
    const registered = await env.LIMITER.get(env.LIMITER.idFromName(id)).register({
      id,
      kind: "key",
      name: "legacy",
      keyHash: await sha256Hex(legacy),
      status: "active",
      createdAt: Date.now(),
      revokedAt: null,
      limits: { rpm: 100, tpm: 100_000, dailyBudgetUsd: 1, monthlyBudgetUsd: 10 },
    });
    expect(registered).toBe(true);
    expect((await query(legacy)).status).toBe(200);
    expect((await query(`rgw_${hex}_${"M".repeat(43)}`)).status).toBe(401);
  });
});

describe("the Authorization header", () => {
  it("is refused with 401 when longer than 1024 characters, before anything else", async () => {
    const res = await callJson<ErrorBody>("POST", "/v1/query", {
      body: { query: "hi" },
      headers: { authorization: `Bearer ${"a".repeat(2_000)}` },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/too long/);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("with a long run of spaces is answered in the error shape, not parsed by backtracking", async () => {
    const res = await callJson<ErrorBody>("POST", "/v1/query", {
      body: { query: "hi" },
      headers: { authorization: `Bearer a${" ".repeat(30_000)}b` },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
    expect(res.body.request_id).toMatch(/^req_/);
  });
});

describe("anonymous principal ids", () => {
  it("are a keyed hash of the IP, not its plain SHA-256", async () => {
    const ip = "203.0.113.77";
    const res = await callJson<{ principal: { id: string } }>("GET", "/v1/usage", {
      headers: { "cf-connecting-ip": ip },
    });
    expect(res.status).toBe(200);
    const unsalted = `anon_${(await sha256Hex(`ragway-anonymous:${ip}`)).slice(0, 24)}`;
    expect(res.body.principal.id).toMatch(/^anon_[0-9a-f]{24}$/);
    expect(res.body.principal.id).not.toBe(unsalted);
  });
});

describe("placeholder tokens (issue: the OpenAI SDK's apiKey)", () => {
  it("are anonymous in development when anonymous access is on", async () => {
    const res = await callJson<{ principal: { kind: string } }>("GET", "/v1/usage", {
      headers: bearer("unused-locally"),
    });
    expect(res.status).toBe(200);
    expect(res.body.principal.kind).toBe("anonymous");
  });

  it("stay 401 when anonymous access is off", async () => {
    const res = await callWithVars({ ALLOW_ANONYMOUS: "false" }, "GET", "/v1/usage", {
      headers: bearer("unused-locally"),
    });
    expect(res.status).toBe(401);
  });

  it("stay 401 for anything shaped like a ragway key", async () => {
    expect((await query(`rgw_${"0".repeat(24)}_${"A".repeat(49)}`)).status).toBe(401);
    expect((await query("rgw_short")).status).toBe(401);
  });
});

describe("admin authentication", () => {
  it("throttles a client after 10 failures a minute, and counts every failure", async () => {
    const ip = "198.51.100.200";
    const attempt = (token: string) =>
      call("GET", "/admin/keys", { headers: { ...bearer(token), "cf-connecting-ip": ip } });
    for (let i = 0; i < 10; i++) expect((await attempt(`wrong-${i}-token`)).status).toBe(401);
    const throttled = await attempt("another-wrong-token");
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another client is not affected, and the right token still works from elsewhere.
    const other = await call("GET", "/admin/keys", {
      headers: { ...admin, "cf-connecting-ip": "198.51.100.201" },
    });
    expect(other.status).toBe(200);
  });

  it("says when the server has no admin token configured", async () => {
    const res = await callWithVars({ ADMIN_TOKEN: "" }, "GET", "/admin/keys", {
      headers: { "cf-connecting-ip": "198.51.100.202" },
    });
    expect(res.status).toBe(401);
    const body = await res.json<ErrorBody>();
    expect(body.error.message).toMatch(/none configured/);
  });
});
