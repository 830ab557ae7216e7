// Ingestion jobs against the real mock upstream: the consumer survives a provider that fails
// (the message is delivered again and the job completes), a poison document ends in the
// dead-letter queue and is reported failed while the rest is ingested, and the job's reservation
// is made at submission and settled with what was billed when the job finishes.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { callJson } from "../helpers.js";
import { finishedJob, submitJob } from "../job-helpers.js";
import { bearer, createKey, usage } from "../limits-helpers.js";
import { upstream } from "./upstream-control.js";

const WRITER_SCOPES = ["query", "documents:read", "documents:write"];
// Polling a job counts against the request window: room for a poll every 100 ms.
const POLLING_RPM = 10_000;
// text-embedding-3-small, the embedding model in upstream mode: $0.02 per 1M tokens.
const USD_PER_TOKEN = 0.02 / 1e6;

interface ErrorBody {
  error: { code: string; message: string };
}

beforeEach(async () => {
  await upstream(env).reset();
});

describe("a job against a failing provider", () => {
  it("survives the provider failing every try of a delivery: the message comes back and the job completes", async () => {
    // Three failures exhaust one delivery's retries (RETRY_MAX_ATTEMPTS=3); the next delivery works.
    await upstream(env).faults({ failFirst: 3, errorStatus: 500 });
    const { job } = await submitJob({
      async: true,
      documents: [
        { id: "flaky/ibis", text: "The straw-necked ibis nests in the reed beds by the weir." },
        { id: "flaky/heron", text: "The white-faced heron hunts frogs along the creek." },
      ],
    });
    const done = await finishedJob(job.id);
    expect(done).toMatchObject({ state: "completed", done: 2, failed: 0, errors: [] });
    const counts = await upstream(env).counts();
    expect(counts.errors).toBe(3);
    expect(counts.embeddings).toBeGreaterThanOrEqual(4);
    const found = await callJson<{ sources: Array<{ id: string }> }>("POST", "/v1/query", {
      body: { query: "Where does the ibis nest?", use_cache: false },
    });
    expect(found.body.sources.map((s) => s.id)).toContain("flaky/ibis");
  });

  it("dead-letters a poison document and reports it failed, while the rest are ingested", async () => {
    await upstream(env).faults({
      failInputsContaining: "POISON-7731",
      errorStatus: 400,
      errorMessage: "input rejected",
    });
    const { job } = await submitJob({
      async: true,
      documents: [
        { id: "poison/ok-1", text: "The ferry to the island leaves at seven." },
        { id: "poison/bad", text: "This text carries POISON-7731 and is always refused." },
        { id: "poison/ok-2", text: "The island bakery sells rye bread on Sundays." },
      ],
    });
    const done = await finishedJob(job.id);
    expect(done).toMatchObject({ state: "completed_with_errors", done: 2, failed: 1 });
    expect(done.errors).toHaveLength(1);
    expect(done.errors[0]?.id).toBe("poison/bad");
    expect(done.errors[0]?.reason).toMatch(/bad_request \(400\).*input rejected/);
    expect((await callJson("GET", "/v1/documents/poison/ok-1")).status).toBe(200);
    expect((await callJson("GET", "/v1/documents/poison/ok-2")).status).toBe(200);
    expect((await callJson("GET", "/v1/documents/poison/bad")).status).toBe(404);
  });
});

describe("a job's money", () => {
  it("reserves at submission and, once finished, is charged exactly what was embedded", async () => {
    const { key } = await createKey({
      name: "job-spend",
      scopes: WRITER_SCOPES,
      rpm: POLLING_RPM,
      daily_budget_usd: 1,
    });
    const text = "Quarterly tide tables for the northern harbour. ".repeat(40);
    const { job } = await submitJob(
      {
        async: true,
        documents: [
          { id: "money/a", text: `${text} Section A.` },
          { id: "money/b", text: `${text} Section B.` },
        ],
      },
      bearer(key),
    );
    // Held from submission until the job settles.
    const held = await usage(key);
    expect(held.budget.daily.reserved_usd + held.budget.daily.spent_usd).toBeGreaterThan(0);

    const done = await finishedJob(job.id, bearer(key));
    expect(done.state).toBe("completed");
    expect(done.embedding_tokens).toBeGreaterThan(0);
    // The JOBS object settles in its alarm, right after the job finishes.
    const settled = await vi.waitFor(
      async () => {
        const u = await usage(key);
        expect(u.budget.daily.reserved_usd).toBe(0);
        return u;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(settled.tokens.used_today).toBe(done.embedding_tokens);
    expect(settled.budget.daily.spent_usd).toBeCloseTo(done.embedding_tokens * USD_PER_TOKEN, 12);
  });

  it("gives the whole reservation back when every document fails", async () => {
    await upstream(env).faults({ failInputsContaining: "REFUSED-4410", errorStatus: 400 });
    const { key } = await createKey({
      name: "job-refund",
      scopes: WRITER_SCOPES,
      rpm: POLLING_RPM,
    });
    const { job } = await submitJob(
      { async: true, documents: [{ id: "refund/x", text: "REFUSED-4410 every time." }] },
      bearer(key),
    );
    const done = await finishedJob(job.id, bearer(key));
    expect(done).toMatchObject({ state: "failed", failed: 1, embedding_tokens: 0 });
    await vi.waitFor(
      async () => {
        const u = await usage(key);
        expect(u.budget.daily.reserved_usd).toBe(0);
        expect(u.budget.daily.spent_usd).toBe(0);
        expect(u.tokens.used_today).toBe(0);
      },
      { timeout: 10_000, interval: 100 },
    );
  });

  it("refuses a job the budget cannot cover at submission with 429 insufficient_quota", async () => {
    const { key } = await createKey({
      name: "job-broke",
      scopes: WRITER_SCOPES,
      rpm: POLLING_RPM,
      daily_budget_usd: 0,
    });
    const before = await upstream(env).counts();
    const res = await callJson<ErrorBody>("POST", "/v1/documents", {
      body: { async: true, documents: [{ id: "broke/x", text: "Nothing may be spent here." }] },
      headers: bearer(key),
    });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe("insufficient_quota");
    expect((await upstream(env).counts()).embeddings).toBe(before.embeddings);
    expect((await callJson("GET", "/v1/documents/broke/x")).status).toBe(404);
  });
});
