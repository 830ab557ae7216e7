// POST /v1/documents/lookup: hashes and metadata of many ids in one call, which the ingest CLI
// uses to skip unchanged files and resume an interrupted run.
import { describe, expect, it } from "vitest";
import { LookupResponseSchema } from "../../shared/api/responses.js";
import { callJson } from "./helpers.js";

interface LookupBody {
  embedding_model: string;
  documents: Array<{ id: string; content_hash: string; metadata: Record<string, unknown> }>;
  missing: string[];
}

describe("POST /v1/documents/lookup", () => {
  it("returns the stored hash and metadata of present ids and lists the missing ones", async () => {
    await callJson("POST", "/v1/documents", {
      body: {
        documents: [
          { id: "lk/a.md", text: "Alpha text.", metadata: { content_sha256: "aaa", kind: "md" } },
          { id: "lk/b.md", text: "Beta text.", metadata: { content_sha256: "bbb" } },
        ],
      },
    });
    const { status, body } = await callJson<LookupBody>("POST", "/v1/documents/lookup", {
      body: { ids: ["lk/b.md", "lk/missing.md", "lk/a.md", "lk/missing.md"] },
    });
    expect(status).toBe(200);
    expect(LookupResponseSchema.parse(body)).toBeTruthy();
    expect(body.documents.map((d) => d.id)).toEqual(["lk/a.md", "lk/b.md"]);
    expect(body.documents[0]?.metadata).toEqual({ content_sha256: "aaa", kind: "md" });
    expect(body.documents[1]?.content_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(body.missing).toEqual(["lk/missing.md"]);
    const health = await callJson<{ embedding_model: string }>("GET", "/health");
    expect(body.embedding_model).toBe(health.body.embedding_model);
  });

  it("reports a new content hash after the document is replaced", async () => {
    const lookup = async (): Promise<string | undefined> =>
      (await callJson<LookupBody>("POST", "/v1/documents/lookup", { body: { ids: ["lk/c"] } })).body
        .documents[0]?.content_hash;
    await callJson("POST", "/v1/documents", {
      body: { documents: [{ id: "lk/c", text: "First version." }] },
    });
    const before = await lookup();
    await callJson("POST", "/v1/documents", {
      body: { documents: [{ id: "lk/c", text: "Second version." }] },
    });
    const after = await lookup();
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it("answers a thousand ids in one call", async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `lk/many-${i}`);
    const { status, body } = await callJson<LookupBody>("POST", "/v1/documents/lookup", {
      body: { ids },
    });
    expect(status).toBe(200);
    expect(body.missing).toHaveLength(1000);
  });

  it("rejects more than a thousand ids, and invalid ids, naming the field", async () => {
    const tooMany = await callJson<{ error: { param: string } }>("POST", "/v1/documents/lookup", {
      body: { ids: Array.from({ length: 1001 }, (_, i) => `x${i}`) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.param).toBe("ids");
    const bad = await callJson<{ error: { param: string } }>("POST", "/v1/documents/lookup", {
      body: { ids: ["ok", "has space"] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe("ids.1");
  });
});
