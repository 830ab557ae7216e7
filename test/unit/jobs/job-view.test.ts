import { describe, expect, it } from "vitest";
import { ingestMode } from "../../../shared/jobs/ingest-mode.js";
import { isJobId, newJobId } from "../../../shared/jobs/job-types.js";
import { jobState, jobView } from "../../../shared/jobs/job-view.js";

describe("jobState", () => {
  it.each([
    [{ total: 3, done: 0, failed: 0, started: false }, "queued"],
    [{ total: 3, done: 0, failed: 0, started: true }, "running"],
    [{ total: 3, done: 1, failed: 0, started: false }, "running"],
    [{ total: 3, done: 3, failed: 0, started: true }, "completed"],
    [{ total: 3, done: 2, failed: 1, started: true }, "completed_with_errors"],
    [{ total: 3, done: 0, failed: 3, started: true }, "failed"],
  ] as const)("%j is %s", (counts, state) => {
    expect(jobState(counts)).toBe(state);
  });
});

describe("jobView", () => {
  it("reports remaining from the counts and times in Unix seconds", () => {
    const view = jobView({
      id: "job_x",
      namespace: "default",
      total: 5,
      done: 2,
      failed: 1,
      started: true,
      errors: [{ id: "d", reason: "bad" }],
      chunks: 9,
      embeddingTokens: 42,
      createdAt: 1_700_000_000_999,
      finishedAt: null,
    });
    expect(view).toEqual({
      object: "ingest.job",
      id: "job_x",
      namespace: "default",
      state: "running",
      total: 5,
      done: 2,
      failed: 1,
      remaining: 2,
      errors: [{ id: "d", reason: "bad" }],
      chunks: 9,
      embedding_tokens: 42,
      created_at: 1_700_000_000,
      finished_at: null,
    });
  });
});

describe("job ids", () => {
  it("are job_ and 32 hex digits", () => {
    const id = newJobId(() => "0a1b2c3d-0000-4000-8000-00000000abcd");
    expect(id).toBe("job_0a1b2c3d000040008000" + "00000000abcd");
    expect(isJobId(id)).toBe(true);
    expect(isJobId("job_../x")).toBe(false);
    expect(isJobId(`${id}0`)).toBe(false);
  });
});

describe("ingestMode", () => {
  const docs = (n: number, text = "x") => Array.from({ length: n }, () => ({ text }));
  it("follows async when given", () => {
    expect(ingestMode({ documents: docs(1), async: true })).toBe("job");
    expect(ingestMode({ documents: docs(100), async: false })).toBe("sync");
    expect(ingestMode({ documents: docs(101), async: false })).toBe("too_many_for_sync");
  });
  it("makes a job by itself past 100 documents or 1,000,000 characters", () => {
    expect(ingestMode({ documents: docs(100) })).toBe("sync");
    expect(ingestMode({ documents: docs(101) })).toBe("job");
    expect(ingestMode({ documents: docs(2, "y".repeat(500_000)) })).toBe("sync");
    expect(ingestMode({ documents: docs(3, "y".repeat(500_000)) })).toBe("job");
  });
});
