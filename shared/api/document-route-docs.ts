// The descriptions of the document routes (ingest, lookup, list, read, delete, ingestion jobs),
// for the API description. Each acts in one namespace; the sizes and counts quoted here are the
// routes' enforced limits, so a change to a limit must change its text too.
import type { RouteDoc } from "./route-doc.js";
import { named } from "./route-doc.js";
import type { RouteKey } from "./route-table.js";
import {
  DocumentDeletedResponseSchema,
  DocumentListResponseSchema,
  DocumentResponseSchema,
  IngestJobResponseSchema,
  IngestResponseSchema,
  LookupResponseSchema,
} from "./responses.js";
import { IngestRequestSchema, LookupRequestSchema } from "./schemas.js";

/** The `namespace` query parameter, as every document route that takes it describes it. */
const NAMESPACE_PARAM = "the namespace (default: the key's first)";
/** The `id` path parameter of a single document's routes. */
const DOCUMENT_ID_PARAM = "the document id; may contain `/`";

/** The Documents routes' descriptions: ingestion, lookup, listing, reads, deletes and jobs. */
export const DOCUMENT_ROUTE_DOCS = {
  "POST /v1/documents": {
    operationId: "ingestDocuments",
    summary: "Ingest documents: chunk, embed, upsert",
    description:
      'Up to 100 documents are ingested while the client waits (200). With `"async": true`, or by itself when a call has more than 100 documents (up to 1,000) or more than 1,000,000 characters of text, the call answers 202 with an ingestion job at once: poll `GET /v1/jobs/{id}` (the `Location` header) for its progress. A job reserves its embedding tokens when it is submitted (so a spent budget is a 429 then, not a failed job) and is charged what was actually embedded when it finishes. A document whose content and embedding model are unchanged is not re-embedded (status `unchanged`); an id is derived from the text when absent, so re-ingesting is idempotent.',
    tag: "Documents",
    namespaced: true,
    request: named("IngestRequest", IngestRequestSchema),
    maxBodyBytes: "10 MB",
    response: {
      description: "Each document's status and chunk count, and the new index version.",
      schema: named("IngestResponse", IngestResponseSchema),
    },
    accepted: {
      description: "Ingested as a job: its id and progress so far.",
      schema: named("IngestJob", IngestJobResponseSchema),
      headers: { Location: "`/v1/jobs/{id}`, where the job's progress is read" },
    },
    errors: { 503: "the embedding model could not be reached" },
  },
  "POST /v1/documents/lookup": {
    operationId: "lookupDocuments",
    summary: "Look up documents by id without their text",
    description:
      "Content hashes, metadata and embedding model of up to 1,000 ids in one call, so a client can skip documents that are unchanged. The ingest CLI uses it to resume.",
    tag: "Documents",
    namespaced: true,
    request: named("LookupRequest", LookupRequestSchema),
    response: {
      description: "The ids that exist, and those that do not.",
      schema: named("LookupResponse", LookupResponseSchema),
    },
  },
  "GET /v1/documents": {
    operationId: "listDocuments",
    summary: "List documents, a page at a time",
    description:
      "Documents in id order without their text, with their chunk counts. Filter by id prefix and by exact metadata values (`metadata.lang=en`; `metadata[lang]=en` works too; numbers and booleans match their text). Pass `next_cursor` back as `cursor` for the next page; it is `null` on the last one.",
    tag: "Documents",
    namespaced: true,
    queryParams: {
      namespace: NAMESPACE_PARAM,
      limit: "documents per page, 1 to 100 (default 20)",
      cursor: "the previous page's `next_cursor`",
      prefix: "only ids that start with this",
      "metadata.<key>": "only documents whose metadata `key` equals this value (repeatable)",
    },
    response: {
      description: "One page of documents and the cursor of the next.",
      schema: named("DocumentList", DocumentListResponseSchema),
    },
  },
  "GET /v1/documents/:id+": {
    operationId: "getDocument",
    summary: "Read one document",
    description:
      "The id is the rest of the path, `/` included (`/v1/documents/guides/setup.md`); `%2F` works too.",
    tag: "Documents",
    namespaced: true,
    queryParams: { namespace: NAMESPACE_PARAM },
    pathParams: { id: DOCUMENT_ID_PARAM },
    response: { description: "The document.", schema: named("Document", DocumentResponseSchema) },
    errors: { 404: "also: `not_found`: no document has this id" },
  },
  "DELETE /v1/documents/:id+": {
    operationId: "deleteDocument",
    summary: "Delete one document and its chunks",
    description:
      "Bumps the index version, so cached answers that used it are not served again: at once by the isolate that deleted it, within CACHE_STATE_TTL_MS by every other.",
    tag: "Documents",
    namespaced: true,
    queryParams: { namespace: NAMESPACE_PARAM },
    pathParams: { id: DOCUMENT_ID_PARAM },
    response: {
      description: "The document is gone.",
      schema: named("DocumentDeleted", DocumentDeletedResponseSchema),
    },
    errors: { 404: "also: `not_found`: no document has this id" },
  },
  "GET /v1/jobs/:id": {
    operationId: "getJob",
    summary: "An ingestion job's progress",
    description:
      "State, documents done, failed (each with its reason) and remaining, and the embedding tokens billed so far. A key reads the jobs of the namespaces it is granted; a finished job can be read for 7 days.",
    tag: "Documents",
    pathParams: { id: "the job id, as `POST /v1/documents` answered it" },
    response: { description: "The job.", schema: named("IngestJob", IngestJobResponseSchema) },
    errors: { 404: "`job_not_found`: no job has this id in a namespace the key may use" },
  },
} satisfies Partial<Record<RouteKey, RouteDoc>>;
