// The job side of `POST /v1/documents`: whether this body is ingested as a job (shared/jobs
// ingest-mode) and, if so, the job's submission. Kept apart from the synchronous route so the two
// paths stay readable on their own.
import type { IngestRequest } from "../../shared/api/schemas.js";
import { ingestMode, SYNC_MAX_DOCUMENTS } from "../../shared/jobs/ingest-mode.js";
import type { AppContext } from "../context.js";
import { HttpError } from "../errors.js";
import { submitIngestJob } from "./submit-job.js";

/** The 202 of a job when this body is one; null when it is ingested synchronously. */
export async function ingestAsJob(
  app: AppContext,
  namespace: string,
  body: IngestRequest,
): Promise<Response | null> {
  const mode = ingestMode(body);
  if (mode === "too_many_for_sync") {
    throw new HttpError(
      "invalid_request",
      `documents: at most ${SYNC_MAX_DOCUMENTS} documents with "async": false; send more as a job ("async": true)`,
      { param: "documents" },
    );
  }
  return mode === "job" ? submitIngestJob(app, namespace, body.documents) : null;
}
