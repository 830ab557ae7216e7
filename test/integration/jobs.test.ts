// Ingestion jobs over the offline provider: POST /v1/documents answers 202 with a job (asked for,
// or by itself past the synchronous limits), the queue consumer running in the pool ingests it,
// and GET /v1/jobs/:id reports it; bad input and foreign readers get 4xx.
import { beforeAll, describe, expect, it } from "vitest";
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
