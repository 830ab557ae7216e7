// GET /v1/documents (a page of documents, by id prefix and metadata) and the document routes with
// ids that contain `/`, as the ingest CLI makes them.
import { beforeAll, describe, expect, it } from "vitest";
import { DocumentListResponseSchema } from "../../shared/api/responses.js";
import { call, callJson } from "./helpers.js";

interface ListBody {
  object: string;
  data: Array<{
    id: string;
    title: string;
    source: string;
    metadata: Record<string, unknown>;
    chunks: number;
    updated_at: string;
  }>;
  next_cursor: string | null;
}

interface ErrorBody {
  error: { message: string; param: string | null; code: string };
}

const list = (query: string) => callJson<ListBody>("GET", `/v1/documents?${query}`);

beforeAll(async () => {
  const res = await callJson("POST", "/v1/documents", {
    body: {
      documents: [
        {
          id: "ls/guide/setup.md",
          title: "Setup",
          source: "docs/guide/setup.md",
          text: "Run npm install, then npm run dev.",
          metadata: { lang: "en", version: 3, draft: false },
        },
        {
          id: "ls/guide/deploy.md",
          text: "Deploy with wrangler deploy.",
          metadata: { lang: "en", version: 4, draft: true },
        },
        { id: "ls/api/query.md", text: "POST /v1/query answers.", metadata: { lang: "de" } },
        { id: "ls/api/keys.md", text: "Keys are hashed.", metadata: { lang: "en" } },
        { id: "ls/zz.md", text: "Last one." },
        { id: "undici/docs/api/ProxyAgent.md", text: "A ProxyAgent tunnels requests." },
      ],
    },
  });
  expect(res.status).toBe(200);
});

describe("GET /v1/documents", () => {
  it("lists documents in id order with title, source, metadata, chunk count and time, no text", async () => {
    const res = await list("prefix=ls/");
    expect(res.status).toBe(200);
    const body = DocumentListResponseSchema.parse(res.body);
    expect(body.object).toBe("list");
    expect(body.data.map((d) => d.id)).toEqual([
      "ls/api/keys.md",
      "ls/api/query.md",
      "ls/guide/deploy.md",
      "ls/guide/setup.md",
      "ls/zz.md",
    ]);
    expect(body.next_cursor).toBeNull();
    const setup = body.data.find((d) => d.id === "ls/guide/setup.md");
    expect(setup).toMatchObject({
      title: "Setup",
      source: "docs/guide/setup.md",
      metadata: { lang: "en", version: 3, draft: false },
      chunks: 1,
    });
    expect(Date.parse(setup?.updated_at ?? "")).not.toBeNaN();
    expect(res.body.data[0]).not.toHaveProperty("text");
    // Counted like the other document routes.
    expect(res.headers.get("x-ratelimit-limit")).toMatch(/^\d+$/);
  });

  it("pages through with next_cursor until it is null, each document once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: ListBody } = await list(
        `prefix=ls/&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((d) => d.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([
      "ls/api/keys.md",
      "ls/api/query.md",
      "ls/guide/deploy.md",
      "ls/guide/setup.md",
      "ls/zz.md",
    ]);
  });

  it("says there is no next page when the last page is exactly full", async () => {
    const res = await list("prefix=ls/api/&limit=2");
    expect(res.body.data).toHaveLength(2);
    expect(res.body.next_cursor).toBeNull();
  });

  it("filters by id prefix", async () => {
    const res = await list("prefix=ls/guide/");
    expect(res.body.data.map((d) => d.id)).toEqual(["ls/guide/deploy.md", "ls/guide/setup.md"]);
    expect((await list("prefix=nothing-here/")).body.data).toEqual([]);
  });

  it("filters by exact metadata values, every filter at once, numbers and booleans as text", async () => {
    const ids = async (query: string) => (await list(query)).body.data.map((d) => d.id);
    expect(await ids("prefix=ls/&metadata.lang=de")).toEqual(["ls/api/query.md"]);
    expect(await ids("prefix=ls/&metadata.lang=en&metadata.draft=true")).toEqual([
      "ls/guide/deploy.md",
    ]);
    expect(await ids("prefix=ls/&metadata[version]=3")).toEqual(["ls/guide/setup.md"]);
    expect(await ids("prefix=ls/&metadata.lang=fr")).toEqual([]);
    expect(await ids("prefix=ls/&metadata.missing=x")).toEqual([]);
  });

  it.each([
    ["limt=5", "limt", "did you mean `limit`?"],
    ["limit=0", "limit", ""],
    ["limit=101", "limit", ""],
    ["limit=two", "limit", ""],
    ["cursor=not*a*cursor", "cursor", ""],
    ["prefix=a&prefix=b", "prefix", ""],
  ])("answers ?%s with 400 naming %s", async (query, param, hint) => {
    const res = await callJson<ErrorBody>("GET", `/v1/documents?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.param).toBe(param);
    expect(res.body.error.message).toContain(hint);
  });
});

describe("document ids containing /", () => {
  const id = "undici/docs/api/ProxyAgent.md";

  it("reads a document by its id as a plain path and with %2F", async () => {
    const plain = await callJson<{ id: string; text: string }>("GET", `/v1/documents/${id}`);
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ id, text: "A ProxyAgent tunnels requests." });
    const encoded = await callJson<{ id: string }>(
      "GET",
      `/v1/documents/${encodeURIComponent(id)}`,
    );
    expect(encoded.status).toBe(200);
    expect(encoded.body.id).toBe(id);
  });

  it("answers 404 for an unknown id with slashes, naming the id", async () => {
    const res = await callJson<ErrorBody>("GET", "/v1/documents/undici/docs/nope.md");
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('"undici/docs/nope.md"');
  });

  it("deletes a document by its id as a plain path", async () => {
    await callJson("POST", "/v1/documents", {
      body: { documents: [{ id: "del/a/b.md", text: "Short-lived." }] },
    });
    const res = await callJson<{ id: string; deleted: boolean }>(
      "DELETE",
      "/v1/documents/del/a/b.md",
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: "del/a/b.md", deleted: true });
    expect((await call("GET", "/v1/documents/del/a/b.md")).status).toBe(404);
    expect((await call("DELETE", "/v1/documents/del%2Fa%2Fb.md")).status).toBe(404);
  });
});
