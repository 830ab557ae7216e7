// End to end: `wrangler dev` as a real process (local workerd, simulated KV and Durable Objects,
// offline provider, the seeded sample corpus), queried over HTTP by a real client.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.js";

// Started by `npm run dev` itself, no variable overridden: the development environment as the
// README starts it, whose admin token is the documented development one.
const ADMIN_TOKEN = "ragway-dev-admin-token";
let dev: WranglerDev;

beforeAll(async () => {
  dev = await startWranglerDev({ npmScript: true });
});

afterAll(async () => {
  await dev?.stop();
});

interface QueryBody {
  answer: string;
  sources: Array<{ id: string; title: string }>;
  model: string;
}

describe("wrangler dev, as a newcomer runs it", () => {
  it("starts without printing a stack trace, offline too", () => {
    // wrangler's fetch of its `Request.cf` placeholder failed offline with one (scripts/dev.mjs).
    expect(dev.output()).toContain("Ready on");
    expect(dev.output()).not.toMatch(/^\s+at \S/m);
  });

  it("reports health, and the sample corpus loaded in the admin stats", async () => {
    const res = await fetch(`${dev.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json<{ provider: string }>()).toMatchObject({
      status: "ok",
      provider: "local",
    });
    const stats = await fetch(`${dev.url}/v1/stats`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(stats.status).toBe(200);
    const body = await stats.json<{ index: { documents: number } }>();
    expect(body.index.documents).toBeGreaterThanOrEqual(10);
  });

  it("answers the README's question from the sample corpus with cited sources", async () => {
    const res = await fetch(`${dev.url}/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "How does ragway keep per-user rate limits exact?" }),
    });
    expect(res.status).toBe(200);
    const body = await res.json<QueryBody>();
    expect(body.sources.length).toBeGreaterThan(0);
    expect(body.sources[0]?.id).toBe("rate-limits");
    expect(body.answer).toMatch(/\[\d\]/);
  });

  it("ingests a document over HTTP and finds it, then forgets it after delete", async () => {
    const ingest = await fetch(`${dev.url}/v1/documents`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        documents: [{ id: "e2e-fact", text: "The e2e marker word is periwinkle-kestrel." }],
      }),
    });
    expect(ingest.status).toBe(200);
    const ask = async (): Promise<QueryBody> => {
      const res = await fetch(`${dev.url}/v1/query`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "What is the e2e marker word?" }),
      });
      return res.json<QueryBody>();
    };
    expect((await ask()).sources[0]?.id).toBe("e2e-fact");
    expect((await fetch(`${dev.url}/v1/documents/e2e-fact`, { method: "DELETE" })).status).toBe(
      200,
    );
    expect((await ask()).sources.map((s) => s.id)).not.toContain("e2e-fact");
  });

  it("answers bad input with a 4xx in the error shape", async () => {
    const res = await fetch(`${dev.url}/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(res.status).toBe(400);
    const body = await res.json<{ error: { code: string }; request_id: string }>();
    expect(body.error.code).toBe("invalid_json");
  });

  it("serves the OpenAI SDK as the README writes it, with a placeholder key", async () => {
    const client = new OpenAI({
      baseURL: `${dev.url}/v1`,
      apiKey: "unused-locally",
      maxRetries: 0,
    });
    const reply = await client.chat.completions.create({
      model: "auto",
      messages: [{ role: "user", content: "Hello" }],
    });
    expect(typeof reply.choices[0]?.message.content).toBe("string");
  });

  it("creates a key with the documented development admin token, as the README's step 4, and ingests with it", async () => {
    const res = await fetch(`${dev.url}/admin/keys`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: "Bearer ragway-dev-admin-token",
      },
      body: JSON.stringify({
        name: "first-hour",
        scopes: ["query", "chat", "embeddings", "documents:read", "documents:write"],
      }),
    });
    expect(res.status).toBe(201);
    const { key } = await res.json<{ key: string }>();
    const usage = await fetch(`${dev.url}/v1/usage`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(await usage.json()).toMatchObject({ principal: { kind: "key" } });
    const ingest = await fetch(`${dev.url}/v1/documents`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ documents: [{ id: "first-hour-note", text: "A note of my own." }] }),
    });
    expect(ingest.status).toBe(200);
  });
});
