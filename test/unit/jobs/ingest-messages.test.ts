import { describe, expect, it } from "vitest";
import {
  runIngestMessages,
  type IngestMessagesDeps,
} from "../../../shared/jobs/ingest-messages.js";
import { failDeadLetters, DEAD_LETTER_REASON } from "../../../shared/jobs/dead-letters.js";
import type { Outcome, UpstreamFailure } from "../../../shared/llm/types.js";
import type { IngestResult, PreparedDocument } from "../../../shared/rag/ingest.js";
import { MemoryJobs } from "../../fakes/memory-jobs.js";

const doc = (id: string, text = `text of ${id}`): PreparedDocument => ({
  id,
  title: id,
  source: "",
  metadata: {},
  text,
  contentHash: `hash-${id}`,
});

/** An ingestion that bills 10 tokens a document and fails any batch holding a poison text. */
function ingestion(options: { poison?: string; failFirst?: UpstreamFailure[] } = {}) {
  const calls: string[][] = [];
  const failures = [...(options.failFirst ?? [])];
  const ingest = async (_ns: string, docs: PreparedDocument[]): Promise<Outcome<IngestResult>> => {
    calls.push(docs.map((d) => d.id));
    const next = failures.shift();
    if (next) return { ok: false, failure: next };
    if (options.poison && docs.some((d) => d.text.includes(options.poison ?? ""))) {
      return {
        ok: false,
        failure: { reason: "bad_request", status: 400, message: "bad input", retryable: false },
      };
    }
    return {
      ok: true,
      value: {
        documents: docs.map((d) => ({ id: d.id, status: "created", chunks: 1 })),
        embeddingTokens: 10 * docs.length,
        version: 1,
      },
    };
  };
  return { ingest, calls };
}

function deps(jobs: MemoryJobs, ingest: IngestMessagesDeps["ingest"]): IngestMessagesDeps {
  return {
    jobs,
    ingest,
    usdOf: (tokens) => tokens / 1e6,
    policy: { baseMs: 1000, capMs: 8000 },
    random: () => 0.5,
  };
}

const messages = (job: string, seqs: number[], attempts = 1) =>
  seqs.map((seq) => ({ job, seq, attempts }));

describe("runIngestMessages", () => {
  it("ingests a job's documents in one call, acknowledges them and records the spend", async () => {
    const jobs = new MemoryJobs();
    jobs.add("job_a", "default", [doc("a"), doc("b"), doc("c")]);
    const { ingest, calls } = ingestion();
    const verdicts = await runIngestMessages(messages("job_a", [0, 1, 2]), deps(jobs, ingest));
    expect(verdicts).toEqual([{ ack: true }, { ack: true }, { ack: true }]);
    expect(calls).toEqual([["a", "b", "c"]]);
    const job = jobs.jobs.get("job_a");
    expect(job?.docs.map((d) => d.state)).toEqual(["done", "done", "done"]);
    expect(job?.spent).toEqual({ tokens: 30, usd: 30 / 1e6 });
  });

  it("acknowledges without work the documents a redelivery finds already done, and unknown jobs", async () => {
    const jobs = new MemoryJobs();
    jobs.add("job_a", "default", [doc("a"), doc("b")]);
    const { ingest, calls } = ingestion();
    await runIngestMessages(messages("job_a", [0]), deps(jobs, ingest));
    const verdicts = await runIngestMessages(
      [...messages("job_a", [0, 1]), ...messages("job_gone", [0])],
      deps(jobs, ingest),
    );
    expect(verdicts.every((v) => v.ack)).toBe(true);
    expect(calls).toEqual([["a"], ["b"]]);
  });

  it("retries every message of a transient failure after the upstream's Retry-After", async () => {
    const jobs = new MemoryJobs();
    jobs.add("job_a", "default", [doc("a"), doc("b")]);
    const limited: UpstreamFailure = {
      reason: "rate_limited",
      status: 429,
      message: "slow down",
      retryable: true,
      retryAfterMs: 7000,
    };
    const { ingest } = ingestion({ failFirst: [limited] });
    const verdicts = await runIngestMessages(messages("job_a", [0, 1]), deps(jobs, ingest));
    expect(verdicts).toEqual([
      { ack: false, delayMs: 7000 },
      { ack: false, delayMs: 7000 },
    ]);
    expect(jobs.jobs.get("job_a")?.docs[0]?.lastError).toBe("rate_limited (429): slow down");
    // Delivered again, they go through.
    const again = await runIngestMessages(messages("job_a", [0, 1], 2), deps(jobs, ingest));
    expect(again.every((v) => v.ack)).toBe(true);
  });

  it("backs off with the shared full-jitter policy, growing with the deliveries", async () => {
    const jobs = new MemoryJobs();
    jobs.add("job_a", "default", [doc("a")]);
    const down: UpstreamFailure = {
      reason: "server_error",
      status: 503,
      message: "down",
      retryable: true,
    };
    const { ingest } = ingestion({ failFirst: [down, down] });
    const first = await runIngestMessages(messages("job_a", [0], 1), deps(jobs, ingest));
    const third = await runIngestMessages(messages("job_a", [0], 3), deps(jobs, ingest));
    // random() = 0.5: half of min(cap, base * 2^(attempts - 1)).
    expect(first).toEqual([{ ack: false, delayMs: 500 }]);
    expect(third).toEqual([{ ack: false, delayMs: 2000 }]);
  });

  it("narrows a failure that is not transient down to the poison document and ingests the rest", async () => {
    const jobs = new MemoryJobs();
    jobs.add("job_a", "default", [doc("a"), doc("p", "this one is POISON"), doc("c")]);
    const { ingest, calls } = ingestion({ poison: "POISON" });
    const verdicts = await runIngestMessages(messages("job_a", [0, 1, 2]), deps(jobs, ingest));
    expect(verdicts[0]).toEqual({ ack: true });
    expect(verdicts[1]).toMatchObject({ ack: false });
    expect(verdicts[2]).toEqual({ ack: true });
    expect(calls).toEqual([["a", "p", "c"], ["a"], ["p"], ["c"]]);
    const job = jobs.jobs.get("job_a");
    expect(job?.docs.map((d) => d.state)).toEqual(["done", "pending", "done"]);
    expect(job?.docs[1]?.lastError).toBe("bad_request (400): bad input");
  });

  it("keeps jobs apart: each job's documents go to its own namespace", async () => {
    const jobs = new MemoryJobs();
    jobs.add("job_a", "alpha", [doc("a")]);
    jobs.add("job_b", "beta", [doc("b")]);
    const seen: string[] = [];
    const { ingest } = ingestion();
    await runIngestMessages([...messages("job_a", [0]), ...messages("job_b", [0])], {
      ...deps(jobs, ingest),
      ingest: (ns, docs) => {
        seen.push(`${ns}:${docs.map((d) => d.id).join()}`);
        return ingest(ns, docs);
      },
    });
    expect(seen).toEqual(["alpha:a", "beta:b"]);
  });
});

describe("failDeadLetters", () => {
  it("marks dead-lettered documents failed with their last noted reason, once per job", async () => {
    const jobs = new MemoryJobs();
    jobs.add("job_a", "default", [doc("a"), doc("b"), doc("c")]);
    await jobs.noteFailure("job_a", [1], "bad_request (400): bad input");
    await failDeadLetters(
      [
        { job: "job_a", seq: 1 },
        { job: "job_a", seq: 1 },
        { job: "job_a", seq: 2 },
      ],
      jobs,
    );
    const docs = jobs.jobs.get("job_a")?.docs ?? [];
    expect(docs.map((d) => d.state)).toEqual(["pending", "failed", "failed"]);
    expect(docs[1]?.reason).toBe("bad_request (400): bad input");
    expect(docs[2]?.reason).toBe(DEAD_LETTER_REASON);
  });
});
