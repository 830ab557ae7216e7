// /v1/documents: ingest, idempotent re-ingest, replace, read, delete, and what a query sees after.
import { describe, expect, it } from "vitest";
import { call, callJson } from "./helpers.js";

interface IngestBody {
  documents: Array<{ id: string; status: string; chunks: number }>;
  index_version: number;
}
interface QueryBody {
  answer: string;
  sources: Array<{ id: string; title: string; text: string; score: number }>;
}

const FACT = "The Zanzibar lighthouse keeper's cat is named Quillfeather and weighs 7.3 kilograms.";

describe("documents", () => {
  it("makes a newly ingested distinctive fact the top source of a query about it", async () => {
    await callJson("POST", "/v1/documents", {
      body: {
        documents: [
          { id: "filler-1", text: "Durable Objects hold state.\n\nKV is eventually consistent." },
          { id: "filler-2", text: "The cache has three tiers: memory, edge and KV." },
          { id: "cat", title: "Lighthouse", text: `Island notes.\n\n${FACT}` },
        ],
      },
    });
    const { status, body } = await callJson<QueryBody>("POST", "/v1/query", {
      body: { query: "What is the name of the lighthouse keeper's cat?" },
    });
    expect(status).toBe(200);
    expect(body.sources[0]?.id).toBe("cat");
    expect(body.answer).toContain("Quillfeather");
    expect(body.answer).toMatch(/\[1\]/);
  });

  it("never returns a deleted document as a source again", async () => {
    await callJson("POST", "/v1/documents", {
      body: {
        documents: [{ id: "gone", text: "The secret password of the vault is ultramarine-42." }],
      },
    });
    const before = await callJson<QueryBody>("POST", "/v1/query", {
      body: { query: "vault secret password ultramarine" },
    });
    expect(before.body.sources.map((s) => s.id)).toContain("gone");
    const del = await callJson("DELETE", "/v1/documents/gone");
    expect(del.status).toBe(200);
    expect(del.body.deleted).toBe(true);
    for (const retrieval of ["hybrid", "dense", "lexical"]) {
      const after = await callJson<QueryBody>("POST", "/v1/query", {
        body: { query: "vault secret password ultramarine", retrieval },
      });
      expect(after.body.sources.map((s) => s.id)).not.toContain("gone");
    }
    expect((await call("GET", "/v1/documents/gone")).status).toBe(404);
    expect((await call("DELETE", "/v1/documents/gone")).status).toBe(404);
  });

  it("derives the id from the content so re-ingesting the same text is idempotent", async () => {
    const doc = { text: "Idempotent ingestion derives ids from a SHA-256 of the text." };
    const first = await callJson<IngestBody>("POST", "/v1/documents", {
      body: { documents: [doc] },
    });
    const second = await callJson<IngestBody>("POST", "/v1/documents", {
      body: { documents: [doc] },
    });
    const id = first.body.documents[0]?.id ?? "";
    expect(id).toMatch(/^doc_[0-9a-f]{24}$/);
    expect(second.body.documents[0]).toEqual({ id, status: "unchanged", chunks: 0 });
    expect(second.body.index_version).toBe(first.body.index_version);
  });

  it("replaces a document's chunks when its id is re-ingested with new text", async () => {
    await callJson("POST", "/v1/documents", {
      body: { documents: [{ id: "swap", text: "The capital of Freedonia is Oldtown." }] },
    });
    const updated = await callJson<IngestBody>("POST", "/v1/documents", {
      body: { documents: [{ id: "swap", text: "The capital of Freedonia is Newharbor." }] },
    });
    expect(updated.body.documents[0]?.status).toBe("updated");
    const doc = await callJson<{ text: string; chunks: number }>("GET", "/v1/documents/swap");
    expect(doc.body.text).toContain("Newharbor");
    const q = await callJson<QueryBody>("POST", "/v1/query", {
      body: { query: "capital of Freedonia", filter: {} },
    });
    const texts = q.body.sources.filter((s) => s.id === "swap").map((s) => s.text);
    expect(texts.join(" ")).toContain("Newharbor");
    expect(texts.join(" ")).not.toContain("Oldtown");
  });

  it("returns a document with its metadata and chunk count", async () => {
    await callJson("POST", "/v1/documents", {
      body: {
        documents: [
          {
            id: "guides/intro.md",
            title: "Intro",
            source: "guides/intro.md",
            text: "Hello.\n\nWorld.",
            metadata: { lang: "en", version: 2 },
          },
        ],
      },
    });
    const { status, body } = await callJson<Record<string, unknown>>(
      "GET",
      `/v1/documents/${encodeURIComponent("guides/intro.md")}`,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: "guides/intro.md",
      title: "Intro",
      metadata: { lang: "en", version: 2 },
      chunks: 1,
    });
  });

  it("splits a long document into several chunks", async () => {
    const paragraphs = Array.from(
      { length: 40 },
      (_, i) => `Paragraph ${i} explains topic number ${i} in some detail with several words.`,
    );
    const { body } = await callJson<IngestBody>("POST", "/v1/documents", {
      body: { documents: [{ id: "long", text: paragraphs.join("\n\n").repeat(3) }] },
    });
    expect(body.documents[0]?.chunks).toBeGreaterThan(1);
  });

  it("restricts retrieval to documents whose metadata match the filter", async () => {
    await callJson("POST", "/v1/documents", {
      body: {
        documents: [
          { id: "f-en", text: "Tea is brewed with hot water.", metadata: { tea_lang: "en" } },
          {
            id: "f-fr",
            text: "Tea is brewed with hot water, en français.",
            metadata: { tea_lang: "fr" },
          },
        ],
      },
    });
    const { body } = await callJson<QueryBody>("POST", "/v1/query", {
      body: { query: "how is tea brewed", filter: { tea_lang: "fr" } },
    });
    expect(body.sources.length).toBeGreaterThan(0);
    expect(body.sources.every((s) => s.id === "f-fr")).toBe(true);
    const any = await callJson<QueryBody>("POST", "/v1/query", {
      body: { query: "how is tea brewed", filter: { tea_lang: ["fr", "en"] } },
    });
    expect(new Set(any.body.sources.map((s) => s.id))).toEqual(new Set(["f-en", "f-fr"]));
  });
});
