// Tenants end to end under `wrangler dev`: the quick start still answers anonymously from the
// sample corpus on `default`; two namespaces and three keys keep apart what they read, write and
// get from the cache; the ingest CLI writes into a namespace only with a key that may; the
// openai SDK sees a missing scope as PermissionDeniedError; a deleted namespace answers nothing.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../support/api-key.js";
import { runCli, summaryCounts } from "../support/run-cli.js";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.js";

const ADMIN_TOKEN = "e2e-admin-token-0123456789";
const WRITE = ["query", "documents:read", "documents:write"];

let dev: WranglerDev;
let dir: string;

interface QueryBody {
  sources: Array<{ id: string }>;
  cache: string;
  error?: { code: string; message: string };
}

beforeAll(async () => {
  // The development defaults: anonymous callers allowed, the sample corpus seeded on default.
  dev = await startWranglerDev({ vars: { ADMIN_TOKEN } });
  dir = await mkdtemp(join(tmpdir(), "ragway-tenants-e2e-"));
  await writeFile(
    join(dir, "plan.md"),
    "# Alpha plan\n\nThe alpha launch code is tangerine falcon.\n",
  );
  await writeFile(join(dir, "team.md"), "# Alpha team\n\nThe alpha team meets on Tuesdays.\n");
});

afterAll(async () => {
  await dev?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${dev.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

async function ask(key: string | null, body: Record<string, unknown>) {
  const res = await fetch(`${dev.url}/v1/query`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json<QueryBody>() };
}

const ingest = (key: string, ...extra: string[]) =>
  runCli(["ingest", dir, "--url", dev.url, "--base", dir, "--key", key, ...extra]);

describe("tenants under wrangler dev", () => {
  let a = "";
  let b = "";
  let r = "";

  it("keeps the quick start: an anonymous query answers from the sample corpus", async () => {
    const { status, body } = await ask(null, { query: "What is ragway?" });
    expect(status).toBe(200);
    expect(body.sources.length).toBeGreaterThan(0);
  });

  it("creates two namespaces and three scoped keys", async () => {
    for (const name of ["alpha", "beta"]) {
      expect((await admin("POST", "/admin/namespaces", { name })).status).toBe(201);
    }
    a = (
      await createApiKey(dev.url, ADMIN_TOKEN, { name: "a", namespaces: ["alpha"], scopes: WRITE })
    ).key;
    b = (
      await createApiKey(dev.url, ADMIN_TOKEN, { name: "b", namespaces: ["beta"], scopes: WRITE })
    ).key;
    r = (
      await createApiKey(dev.url, ADMIN_TOKEN, {
        name: "r",
        namespaces: ["alpha"],
        scopes: ["query"],
      })
    ).key;
  });

  it("ingests with the CLI into alpha with A's key, and refuses R's and B's keys clearly", async () => {
    const refusedR = await ingest(r, "--namespace", "alpha");
    expect(refusedR.code).toBe(1);
    expect(refusedR.stdout).toMatch(
      /stopped: HTTP 403 permission_denied: .*"documents:write" scope/,
    );
    const refusedB = await ingest(b, "--namespace", "alpha");
    expect(refusedB.code).toBe(1);
    expect(refusedB.stdout).toMatch(/stopped: HTTP 403 permission_denied: .*namespace "alpha"/);
    const run = await ingest(a, "--namespace", "alpha");
    expect(run.code).toBe(0);
    expect(summaryCounts(run.stdout)).toMatchObject({ added: 2, failed: 0 });
    const list = await (
      await admin("GET", "/admin/namespaces")
    ).json<{
      data: Array<{ name: string; documents: number }>;
    }>();
    expect(list.data.find((n) => n.name === "alpha")?.documents).toBe(2);
    expect(list.data.find((n) => n.name === "beta")?.documents).toBe(0);
  });

  it("lets R query alpha, never shows alpha to B, and keeps caches apart", async () => {
    const question = { query: "What is the alpha launch code?" };
    const asR = await ask(r, question);
    expect(asR.status).toBe(200);
    expect(asR.body.sources.map((s) => s.id)).toContain("plan.md");
    expect((await ask(r, question)).body.cache).toMatch(/^HIT/);

    const asB = await ask(b, question);
    expect(asB.status).toBe(200);
    expect(asB.body.cache).toBe("MISS");
    expect(asB.body.sources).toEqual([]);
    const intoAlpha = await ask(b, { ...question, namespace: "alpha" });
    expect(intoAlpha.status).toBe(403);
    expect(intoAlpha.body.error?.code).toBe("permission_denied");
  });

  it("maps a missing scope to the openai SDK's PermissionDeniedError", async () => {
    const client = new OpenAI({ apiKey: r, baseURL: `${dev.url}/v1`, maxRetries: 0 });
    const call = client.chat.completions.create({
      model: "auto",
      messages: [{ role: "user", content: "hi" }],
    });
    await expect(call).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    await expect(call).rejects.toMatchObject({ status: 403, code: "permission_denied" });
  });

  it("deletes a namespace: its documents go and its answers are no longer served", async () => {
    expect((await admin("DELETE", "/admin/namespaces/alpha")).status).toBe(200);
    const after = await ask(r, { query: "What is the alpha launch code?" });
    expect(after.status).toBe(404);
    expect(after.body.error?.code).toBe("namespace_not_found");
    const doc = await fetch(`${dev.url}/v1/documents/plan.md?namespace=alpha`, {
      headers: { authorization: `Bearer ${a}` },
    });
    expect(doc.status).toBe(404);
  });
});
