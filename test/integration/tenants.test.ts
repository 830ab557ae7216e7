// Tenancy: namespaces as separate indexes and caches, and keys scoped to namespaces and scopes.
// Two namespaces and three keys (A writes in alpha, B in beta, R only queries alpha), plus the
// admin lifecycle of a namespace and what keys created before scopes existed may still do.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { generateApiKey, hashApiKey } from "../../shared/security/api-key.js";
import { admin, callJson, callSettled } from "./helpers.js";
import { bearer, callWithVars, createKey } from "./limits-helpers.js";

interface ErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
}
interface QueryBody {
  sources: Array<{ id: string }>;
  cache: string;
}
interface KeyBody {
  id: string;
  key: string;
  namespaces: string[];
  scopes: string[];
}

const WRITE = ["query", "documents:read", "documents:write"];

async function createNamespace(name: string): Promise<void> {
  const res = await callJson("POST", "/admin/namespaces", { body: { name }, headers: admin });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ object: "namespace", name });
}

async function key(namespaces: string[], scopes: string[]): Promise<string> {
  const created = (await createKey({ name: "tenant", namespaces, scopes })) as unknown as KeyBody;
  expect(created).toMatchObject({ namespaces, scopes });
  return created.key;
}

async function ingest(secret: string, namespace: string | undefined, id: string, text: string) {
  return callJson("POST", "/v1/documents", {
    body: { documents: [{ id, text }], ...(namespace ? { namespace } : {}) },
    headers: bearer(secret),
  });
}

async function ask(secret: string, namespace: string | undefined, question: string) {
  return callSettled<QueryBody>("POST", "/v1/query", {
    body: { query: question, ...(namespace ? { namespace } : {}) },
    headers: bearer(secret),
  });
}

function expectDenied(res: { status: number; body: unknown }, missing: RegExp): void {
  expect(res.status).toBe(403);
  const { error } = res.body as ErrorBody;
  expect(error).toMatchObject({ type: "permission_error", code: "permission_denied" });
  expect(error.message).toMatch(missing);
}

describe("two namespaces, three keys", () => {
  let a = "";
  let b = "";
  let r = "";
  beforeAll(async () => {
    await createNamespace("alpha");
    await createNamespace("beta");
    a = await key(["alpha"], WRITE);
    b = await key(["beta"], WRITE);
    r = await key(["alpha"], ["query"]);
    const alpha = await ingest(
      a,
      undefined,
      "alpha-plan",
      "The alpha launch code is tangerine falcon.",
    );
    expect(alpha.status).toBe(200);
    expect(alpha.body).toMatchObject({ namespace: "alpha" });
    const beta = await ingest(b, "beta", "beta-plan", "The beta team ships its launch on Fridays.");
    expect(beta.status).toBe(200);
  });

  it("B cannot read, write, look up, delete or query in alpha", async () => {
    const headers = bearer(b);
    expectDenied(
      await callJson("GET", "/v1/documents/alpha-plan?namespace=alpha", { headers }),
      /namespace "alpha"/,
    );
    expectDenied(await ingest(b, "alpha", "alpha-plan", "Overwritten by B."), /namespace "alpha"/);
    expectDenied(
      await callJson("DELETE", "/v1/documents/alpha-plan?namespace=alpha", { headers }),
      /namespace "alpha"/,
    );
    expectDenied(
      await callJson("POST", "/v1/documents/lookup", {
        body: { ids: ["alpha-plan"], namespace: "alpha" },
        headers,
      }),
      /namespace "alpha"/,
    );
    expectDenied(await ask(b, "alpha", "What is the launch code?"), /namespace "alpha"/);
    expectDenied(
      await callJson("POST", "/v1/query/batch", {
        body: { namespace: "alpha", queries: [{ query: "launch code?" }] },
        headers,
      }),
      /namespace "alpha"/,
    );
    // In its own namespace the id simply does not exist, and alpha's copy is untouched.
    expect((await callJson("GET", "/v1/documents/alpha-plan", { headers })).status).toBe(404);
    const kept = await callJson<{ text: string }>("GET", "/v1/documents/alpha-plan", {
      headers: bearer(a),
    });
    expect(kept.body.text).toBe("The alpha launch code is tangerine falcon.");
  });

  it("lists documents per namespace: A sees alpha's, B may not list alpha, an unknown one is 404", async () => {
    const listed = await callJson<{ namespace: string; data: Array<{ id: string }> }>(
      "GET",
      "/v1/documents",
      { headers: bearer(a) },
    );
    expect(listed.status).toBe(200);
    expect(listed.body.namespace).toBe("alpha");
    expect(listed.body.data.map((d) => d.id)).toEqual(["alpha-plan"]);
    const own = await callJson<{ data: Array<{ id: string }> }>("GET", "/v1/documents", {
      headers: bearer(b),
    });
    expect(own.body.data.map((d) => d.id)).toEqual(["beta-plan"]);
    expectDenied(
      await callJson("GET", "/v1/documents?namespace=alpha", { headers: bearer(b) }),
      /namespace "alpha"/,
    );
    expectDenied(
      await callJson("GET", "/v1/documents", { headers: bearer(r) }),
      /"documents:read" scope/,
    );
    await createNamespace("listed-gone");
    const reader = await key(["listed-gone"], ["documents:read"]);
    const removed = await callJson("DELETE", "/admin/namespaces/listed-gone", { headers: admin });
    expect(removed.status).toBe(200);
    const missing = await callJson<ErrorBody>("GET", "/v1/documents", { headers: bearer(reader) });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("namespace_not_found");
  });

  it("R queries alpha but may neither write nor read documents", async () => {
    const answer = await ask(r, undefined, "What is the alpha launch code?");
    expect(answer.status).toBe(200);
    expect(answer.body.sources.map((s) => s.id)).toContain("alpha-plan");
    expectDenied(await ingest(r, undefined, "r-doc", "R writes."), /"documents:write" scope/);
    expectDenied(
      await callJson("GET", "/v1/documents/alpha-plan", { headers: bearer(r) }),
      /"documents:read" scope/,
    );
    expectDenied(
      await callJson("POST", "/v1/embeddings", {
        body: { model: "local-hash-embed", input: "x" },
        headers: bearer(r),
      }),
      /"embeddings" scope/,
    );
  });

  it("B's answers never cite alpha's documents", async () => {
    const answer = await ask(b, undefined, "What is the alpha launch code tangerine falcon?");
    expect(answer.status).toBe(200);
    const cited = answer.body.sources.map((s) => s.id);
    expect(cited).not.toContain("alpha-plan");
    expect(cited).toContain("beta-plan");
  });

  it("keeps each namespace's cached answers apart, and a write in beta leaves alpha's hits", async () => {
    const both = await key(["alpha", "beta"], ["query"]);
    const question = "When is the launch?";
    expect((await ask(both, "alpha", question)).body.cache).toBe("MISS");
    expect((await ask(both, "alpha", question)).body.cache).toMatch(/^HIT/);
    expect((await ask(both, "beta", question)).body.cache).toBe("MISS");
    expect((await ask(both, "beta", question)).body.cache).toMatch(/^HIT/);

    expect((await ingest(b, "beta", "beta-more", "Beta launches move to Mondays.")).status).toBe(
      200,
    );
    expect((await ask(both, "alpha", question)).body.cache).toMatch(/^HIT/);
    expect((await ask(both, "beta", question)).body.cache).toBe("MISS");
  });

  it("purges one namespace's answers and leaves the other's", async () => {
    const both = await key(["alpha", "beta"], ["query"]);
    const question = "Who ships launches?";
    for (const ns of ["alpha", "beta"]) {
      await ask(both, ns, question);
      expect((await ask(both, ns, question)).body.cache).toMatch(/^HIT/);
    }
    const purged = await callJson<{ answer: { namespaces: string[] } }>(
      "POST",
      "/admin/cache/purge",
      { body: { namespace: "alpha", caches: ["answer"] }, headers: admin },
    );
    expect(purged.status).toBe(200);
    expect(purged.body.answer.namespaces).toEqual(["alpha"]);
    expect((await ask(both, "alpha", question)).body.cache).toBe("MISS");
    expect((await ask(both, "beta", question)).body.cache).toMatch(/^HIT/);
  });

  it("lists both namespaces with their counts", async () => {
    const res = await callJson<{ data: Array<{ name: string; documents: number }> }>(
      "GET",
      "/admin/namespaces",
      { headers: admin },
    );
    expect(res.status).toBe(200);
    const names = res.body.data.map((n) => n.name);
    expect(names[0]).toBe("default");
    expect(names).toEqual(expect.arrayContaining(["alpha", "beta"]));
    expect(res.body.data.find((n) => n.name === "alpha")?.documents).toBe(1);
  });

  it("reports per namespace: /v1/stats by name, /metrics under a bounded label", async () => {
    const stats = await callJson<{ namespaces: Array<{ name: string; documents: number }> }>(
      "GET",
      "/v1/stats",
      { headers: admin },
    );
    expect(stats.body.namespaces.find((n) => n.name === "beta")?.documents).toBe(2);
    const res = await callWithVars({ METRICS_NAMESPACE_LABELS: "2" }, "GET", "/metrics", {
      headers: admin,
    });
    const text = await res.text();
    expect(text).toMatch(/^ragway_namespace_documents\{namespace="default"\} \d+$/m);
    expect(text).toMatch(/^ragway_namespace_documents\{namespace="alpha"\} 1$/m);
    // beta is past the bound of two: summed under other.
    expect(text).not.toMatch(/namespace="beta"/);
    expect(text).toMatch(/^ragway_namespace_documents\{namespace="other"\} 2$/m);
  });
});

describe("deleting a namespace", () => {
  it("removes its documents, and its answers can no longer be served", async () => {
    await createNamespace("gamma");
    const g = await key(["gamma"], WRITE);
    expect((await ingest(g, undefined, "g-doc", "Gamma stores the blue ledger.")).status).toBe(200);
    expect((await ask(g, undefined, "Where is the ledger?")).body.cache).toBe("MISS");
    expect((await ask(g, undefined, "Where is the ledger?")).body.cache).toMatch(/^HIT/);

    const deleted = await callJson("DELETE", "/admin/namespaces/gamma", { headers: admin });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ name: "gamma", deleted: true, documents_deleted: 1 });

    const asked = await ask(g, undefined, "Where is the ledger?");
    expect(asked.status).toBe(404);
    expect((asked.body as unknown as ErrorBody).error.code).toBe("namespace_not_found");
    const read = await callJson<ErrorBody>("GET", "/v1/documents/g-doc", { headers: bearer(g) });
    expect(read.body.error.code).toBe("namespace_not_found");
    const write = await ingest(g, undefined, "g-doc", "Back again?");
    expect((write.body as unknown as ErrorBody).error.code).toBe("namespace_not_found");
    const list = await callJson<{ data: Array<{ name: string }> }>("GET", "/admin/namespaces", {
      headers: admin,
    });
    expect(list.body.data.map((n) => n.name)).not.toContain("gamma");

    // Created anew, it starts empty: neither the document nor the old answer comes back.
    await createNamespace("gamma");
    expect((await callJson("GET", "/v1/documents/g-doc", { headers: bearer(g) })).status).toBe(404);
    const again = await ask(g, undefined, "Where is the ledger?");
    expect(again.status).toBe(200);
    expect(again.body.cache).toBe("MISS");
    expect(again.body.sources).toEqual([]);
  });

  it("refuses default, unknown names, duplicates and malformed names", async () => {
    const code = async (method: string, path: string, body?: unknown) => {
      const res = await callJson<ErrorBody>(method, path, { headers: admin, body });
      return [res.status, res.body.error.code];
    };
    expect(await code("DELETE", "/admin/namespaces/default")).toEqual([400, "invalid_request"]);
    expect(await code("DELETE", "/admin/namespaces/nowhere")).toEqual([404, "namespace_not_found"]);
    expect(await code("POST", "/admin/namespaces", { name: "default" })).toEqual([409, "conflict"]);
    expect(await code("POST", "/admin/namespaces", { name: "Bad Name" })).toEqual([
      400,
      "invalid_request",
    ]);
    await createNamespace("delta");
    expect(await code("POST", "/admin/namespaces", { name: "delta" })).toEqual([409, "conflict"]);
    expect(await code("POST", "/admin/keys", { name: "x", namespaces: ["nowhere"] })).toEqual([
      404,
      "namespace_not_found",
    ]);
    expect((await callJson("POST", "/admin/namespaces", { body: { name: "x" } })).status).toBe(401);
  });
});

describe("grants of keys", () => {
  it("default to every scope but documents:write, on default, and are listed", async () => {
    const created = (await createKey({ name: "reader" })) as unknown as KeyBody;
    expect(created.namespaces).toEqual(["default"]);
    expect(created.scopes).toEqual(["query", "chat", "embeddings", "documents:read"]);
    expectDenied(await ingest(created.key, undefined, "d", "text"), /"documents:write" scope/);
    const list = await callJson<{ data: KeyBody[] }>("GET", "/admin/keys", { headers: admin });
    expect(list.body.data.find((k) => k.id === created.id)).toMatchObject({
      namespaces: ["default"],
      scopes: ["query", "chat", "embeddings", "documents:read"],
    });
  });

  it("keep a key created before scopes existed able to do everything on default", async () => {
    const { id, key: secret } = generateApiKey();
    const registered = await env.LIMITER.get(env.LIMITER.idFromName(id)).register({
      id,
      kind: "key",
      name: "from before scopes",
      keyHash: await hashApiKey(secret),
      status: "active",
      createdAt: Date.now(),
      revokedAt: null,
      limits: { rpm: 1000, tpm: 1_000_000, dailyBudgetUsd: 100, monthlyBudgetUsd: 1000 },
    });
    expect(registered).toBe(true);
    expect((await ingest(secret, undefined, "legacy-doc", "Legacy keys still write.")).status).toBe(
      200,
    );
    expectDenied(await ask(secret, "alpha", "anything?"), /namespace "alpha"/);
  });

  it("let anonymous callers (development) use default only", async () => {
    const res = await callJson<ErrorBody>("POST", "/v1/query", {
      body: { query: "anything?", namespace: "alpha" },
    });
    expectDenied(res, /namespace "alpha"/);
  });
});
