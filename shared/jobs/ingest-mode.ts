// Whether `POST /v1/documents` ingests while the client waits or as a job: `async` decides when
// given; absent, a body past the synchronous limits (more documents, or more text, than one
// request should embed while a client waits) becomes a job by itself.

/** Most documents ingested synchronously (the limit before jobs existed). */
export const SYNC_MAX_DOCUMENTS = 100;
/** Most characters of document text ingested synchronously when `async` is absent. */
export const SYNC_MAX_TEXT_CHARS = 1_000_000;
/** Most documents in one job (one call); the 10 MB body limit applies as well. */
export const JOB_MAX_DOCUMENTS = 1_000;

export type IngestMode = "sync" | "job" | "too_many_for_sync";

/**
 * How to ingest a validated body.
 *
 * @example
 * ingestMode({ documents: manyDocs });           // "job" (more than 100 documents)
 * ingestMode({ documents: manyDocs, async: false }); // "too_many_for_sync"
 */
export function ingestMode(body: {
  documents: Array<{ text: string }>;
  async?: boolean;
}): IngestMode {
  const over = body.documents.length > SYNC_MAX_DOCUMENTS;
  if (body.async === true) return "job";
  if (body.async === false) return over ? "too_many_for_sync" : "sync";
  if (over) return "job";
  let chars = 0;
  for (const d of body.documents) chars += d.text.length;
  return chars > SYNC_MAX_TEXT_CHARS ? "job" : "sync";
}
