// Ingestion jobs over the offline provider: POST /v1/documents answers 202 with a job (asked for,
// or by itself past the synchronous limits), the queue consumer running in the pool ingests it,
// and GET /v1/jobs/:id reports it; bad input and foreign readers get 4xx.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { PIECE_BYTES } from "../../shared/jobs/document-pieces.js";
import { admin, callJson } from "./helpers.js";
import { finishedJob, submitJob } from "./job-helpers.js";
import { bearer, createKey } from "./limits-helpers.js";

interface ErrorBody {
  error: { code: string; param: string | null; type: string };
}

describe("an ingestion job", () => {
  it("answers 202 with a queued job, then ingests it: its documents are searchable once completed", async () => {
    const documents = [
      {
        id: "jobs/quokka",
        text: "# Quokkas\n\nThe quokka colony on Rottnest eats saltbush leaves.",
      },
      { id: "jobs/lighthouse", text: "# Lighthouse\n\nThe Bathurst lighthouse lamp is amber." },
    ];
    const { job, location } = await submitJob({ documents, async: true });
    expect(location).toBe(`/v1/jobs/${job.id}`);
    expect(job).toMatchObject({
      object: "ingest.job",
      namespace: "default",
      total: 2,
      failed: 0,
      errors: [],
      finished_at: null,
    });
    expect(["queued", "running", "completed"]).toContain(job.state);

    const done = await finishedJob(job.id);
    expect(done).toMatchObject({ state: "completed", total: 2, done: 2, failed: 0, remaining: 0 });
    expect(done.embedding_tokens).toBeGreaterThan(0);

    const found = await callJson<{ sources: Array<{ id: string }> }>("POST", "/v1/query", {
      body: { query: "What does the quokka colony eat?", use_cache: false },
    });
    expect(found.status).toBe(200);
    expect(found.body.sources.map((s) => s.id)).toContain("jobs/quokka");
    const stored = await callJson("GET", "/v1/documents/jobs/lighthouse");
    expect(stored.status).toBe(200);
  });

  it("is made by itself for more than 100 documents, and counts unchanged ones as done", async () => {
    const documents = Array.from({ length: 120 }, (_, i) => ({
      id: `bulk/${i}`,
      text: `Bulk note ${i}: the warehouse shelf ${i} holds crate number ${i * 7}.`,
    }));
    const first = await submitJob({ documents });
    expect(first.job.total).toBe(120);
    expect((await finishedJob(first.job.id)).state).toBe("completed");

    // The same documents again: nothing to embed, so the job is done on arrival and costs nothing.
    const again = await submitJob({ documents, async: true });
    expect(again.job).toMatchObject({ state: "completed", done: 120, embedding_tokens: 0 });
  });

  it("keeps a later duplicate of an id, as synchronous ingestion does", async () => {
    const { job } = await submitJob({
      async: true,
      documents: [
        { id: "dup/one", text: "first version of the duplicate" },
        { id: "dup/one", text: "second version of the duplicate" },
      ],
    });
    expect(job.total).toBe(1);
    await finishedJob(job.id);
    const doc = await callJson<{ text: string }>("GET", "/v1/documents/dup/one");
    expect(doc.body.text).toBe("second version of the duplicate");
  });
});

describe("a job with a document larger than one storage row", () => {
  it("accepts it as synchronous ingestion would: it is ingested whole, searchable and reads back unchanged", async () => {
    // Within the per-document limit (500,000 characters), but its JSON is 3 MB: vertical tabs
    // escape to six bytes each, past the 2 MB a Durable Object allows in one row.
    const head = "# Abyssal cartography\n\nThe narwhal survey charted the Mariana trench.\n\n";
    const text = head + "\u000b".repeat(500_000 - head.length);
    const stored = JSON.stringify({ id: "big/abyss", text });
    expect(new TextEncoder().encode(stored).length).toBeGreaterThan(2 * 1024 * 1024);

    const { job } = await submitJob({ async: true, documents: [{ id: "big/abyss", text }] });
    const done = await finishedJob(job.id);
    expect(done).toMatchObject({ state: "completed", done: 1, failed: 0, errors: [] });

    const doc = await callJson<{ text: string }>("GET", "/v1/documents/big/abyss");
    expect(doc.status).toBe(200);
    expect(doc.body.text === text, "the stored text is the submitted text").toBe(true);
    const found = await callJson<{ sources: Array<{ id: string }> }>("POST", "/v1/query", {
      body: { query: "Which trench did the narwhal survey chart?", use_cache: false },
    });
    expect(found.status).toBe(200);
    expect(found.body.sources.map((s) => s.id)).toContain("big/abyss");
  });

  it("keeps it in rows of at most PIECE_BYTES, hands it back whole, and drops them once it is done", async () => {
    const id = "job_0123456789abcdef0123456789abcdef";
    const stub = env.JOBS.get(env.JOBS.idFromName(id));
    const doc = {
      id: "big/pieces",
      title: "Pieces",
      source: "",
      metadata: { note: "\u0001".repeat(1000) },
      text: `# Pieces\n\n${"\u000b".repeat(499_000)}`,
      contentHash: "0".repeat(64),
    };
    const small = { ...doc, id: "small/one", text: "A small note." };
    await stub.create({
      id,
      namespace: "default",
      createdAt: Date.now(),
      reservation: null,
      docs: [
        { id: doc.id, doc },
        { id: small.id, doc: small },
      ],
    });
    const rows = async () =>
      runInDurableObject(stub, (_o, state) =>
        state.storage.sql
          .exec<{ seq: number; n: number }>(
            "SELECT seq, length(bytes) AS n FROM doc_pieces ORDER BY seq, part",
          )
          .toArray(),
      );
    const pieces = await rows();
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.every((p) => p.seq === 0 && p.n <= PIECE_BYTES)).toBe(true);

    const claim = await stub.claim([0, 1]);
    expect(claim?.docs.map((d) => d.seq)).toEqual([0, 1]);
    expect(claim?.docs[0]?.doc).toStrictEqual(doc);
    expect(claim?.docs[1]?.doc).toStrictEqual(small);

    await stub.complete([{ seq: 0, status: "created", chunks: 1 }], { tokens: 0, usd: 0 });
    expect(await rows()).toEqual([]);
    expect((await stub.claim([0, 1]))?.docs.map((d) => d.seq)).toEqual([1]);
  });
});

describe("a job into a sharded namespace", () => {
  it("places its documents on the shards as synchronous writes do: every one readable and found", async () => {
    const ns = await callJson("POST", "/admin/namespaces", {
      body: { name: "jobs-sharded", shards: 4 },
      headers: admin,
    });
    expect(ns.status).toBe(201);
    const { key } = await createKey({
      name: "sharded writer",
      namespaces: ["jobs-sharded"],
      scopes: ["query", "documents:read", "documents:write"],
      rpm: 10_000,
    });
    const auth = bearer(key);
    const documents = Array.from({ length: 12 }, (_, i) => ({
      id: `shelf/${i}`,
      text: `Shelf ${i} of the sharded archive keeps ${i === 5 ? "the brass telescope" : `box ${i}`}.`,
    }));
    const { job } = await submitJob({ async: true, documents }, auth);
    expect(job.namespace).toBe("jobs-sharded");
    expect((await finishedJob(job.id, auth)).state).toBe("completed");
    for (const d of documents) {
      const got = await callJson("GET", `/v1/documents/${d.id}`, { headers: auth });
      expect(got.status, d.id).toBe(200);
    }
    const found = await callJson<{ sources: Array<{ id: string }> }>("POST", "/v1/query", {
      body: { query: "Which shelf keeps the brass telescope?" },
      headers: auth,
    });
    expect(found.body.sources[0]?.id).toBe("shelf/5");
  });
});

describe("bad input and readers", () => {
  it.each([
    [{ documents: [{ text: "x" }], async: "yes" }, "async"],
    [{ documents: [{ text: "x" }], async: 1 }, "async"],
  ])("rejects %j with 400 naming %s", async (body, param) => {
    const res = await callJson<ErrorBody>("POST", "/v1/documents", { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_request", param });
  });

  it("refuses more than 100 documents with async false, and more than 1,000 in any case", async () => {
    const docs = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `note ${i}` }));
    const sync = await callJson<ErrorBody>("POST", "/v1/documents", {
      body: { documents: docs(101), async: false },
    });
    expect(sync.status).toBe(400);
    expect(sync.body.error).toMatchObject({ code: "invalid_request", param: "documents" });
    const huge = await callJson<ErrorBody>("POST", "/v1/documents", {
      body: { documents: docs(1001) },
    });
    expect(huge.status).toBe(400);
    expect(huge.body.error).toMatchObject({ code: "invalid_request", param: "documents" });
  });

  it.each(["job_00000000000000000000000000000000", "not-a-job", "job_../../x"])(
    "answers 404 job_not_found for %s",
    async (id) => {
      const res = await callJson<ErrorBody>("GET", `/v1/jobs/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({
        code: "job_not_found",
        type: "invalid_request_error",
      });
    },
  );

  describe("keys", () => {
    let writer = "";
    let jobId = "";
    beforeAll(async () => {
      const ns = await callJson("POST", "/admin/namespaces", {
        body: { name: "jobs-ns" },
        headers: admin,
      });
      expect(ns.status).toBe(201);
      writer = (
        await createKey({
          name: "job writer",
          namespaces: ["jobs-ns"],
          scopes: ["documents:write"],
        })
      ).key;
      const { job } = await submitJob(
        { async: true, documents: [{ id: "owned", text: "A document in jobs-ns." }] },
        bearer(writer),
      );
      expect(job.namespace).toBe("jobs-ns");
      jobId = job.id;
      await finishedJob(jobId, bearer(writer));
    });

    it("lets a key with documents:read on the namespace read it", async () => {
      const reader = await createKey({
        name: "job reader",
        namespaces: ["jobs-ns"],
        scopes: ["documents:read"],
      });
      const res = await callJson("GET", `/v1/jobs/${jobId}`, { headers: bearer(reader.key) });
      expect(res.status).toBe(200);
    });

    it("refuses a key without a documents scope with 403", async () => {
      const querier = await createKey({
        name: "querier",
        namespaces: ["jobs-ns"],
        scopes: ["query"],
      });
      const res = await callJson<ErrorBody>("GET", `/v1/jobs/${jobId}`, {
        headers: bearer(querier.key),
      });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("permission_denied");
    });

    it("answers 404 to a key of another namespace, as for an unknown id", async () => {
      const other = await createKey({
        name: "elsewhere",
        namespaces: ["default"],
        scopes: ["documents:read", "documents:write"],
      });
      const res = await callJson<ErrorBody>("GET", `/v1/jobs/${jobId}`, {
        headers: bearer(other.key),
      });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("job_not_found");
    });
  });
});
