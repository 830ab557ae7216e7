// Helpers for ingestion-job tests: submit a job, and read it until nothing remains (the queue
// consumer runs in the pool on its own schedule, so tests wait for the job's state, not a time).
import { expect, vi } from "vitest";
import { IngestJobResponseSchema } from "../../shared/api/responses.js";
import type { IngestJobView } from "../../shared/jobs/job-types.js";
import { callJson } from "./helpers.js";

/** POST /v1/documents expecting 202 and a job; the parsed job and its Location. */
export async function submitJob(
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ job: IngestJobView; location: string | null }> {
  const res = await callJson("POST", "/v1/documents", { body, headers });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return { job: IngestJobResponseSchema.parse(res.body), location: res.headers.get("location") };
}

/** GET /v1/jobs/:id until the job has nothing remaining; the finished job. */
export async function finishedJob(
  id: string,
  headers: Record<string, string> = {},
): Promise<IngestJobView> {
  return vi.waitFor(
    async () => {
      const res = await callJson("GET", `/v1/jobs/${id}`, { headers });
      expect(res.status).toBe(200);
      const job = IngestJobResponseSchema.parse(res.body);
      expect(job.remaining, JSON.stringify(job)).toBe(0);
      expect(job.finished_at).not.toBeNull();
      return job;
    },
    { timeout: 25_000, interval: 100 },
  );
}
