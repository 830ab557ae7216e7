// Response shapes of the document routes (ingest, ingestion jobs, lookup, read, list, delete),
// for the API description; re-exported by ./responses. Integration tests parse real responses
// with these.
import { z } from "zod";
import type { IngestJobView } from "../jobs/job-types.js";
import { MetadataSchema } from "./schemas.js";

const DocumentStatusSchema = z.enum(["created", "updated", "unchanged"]);

export const IngestResponseSchema = z.object({
  object: z.literal("list"),
  namespace: z
    .string()
    .optional()
    .describe("the namespace acted on (always sent; optional so clients accept older gateways)"),
  documents: z.array(
    z.object({
      id: z.string(),
      status: DocumentStatusSchema,
      chunks: z.number().int().describe("chunks written (0 when unchanged)"),
    }),
  ),
  index_version: z.number().int(),
  usage: z.object({ embedding_tokens: z.number().int() }),
});

export const IngestJobStateSchema = z.enum([
  "queued",
  "running",
  "completed",
  "completed_with_errors",
  "failed",
]);

export const IngestJobResponseSchema = z.object({
  object: z.literal("ingest.job"),
  id: z.string().describe("job_ followed by 32 hex digits"),
  namespace: z.string(),
  state: IngestJobStateSchema.describe(
    "queued, running, then completed (every document stored), completed_with_errors (some failed) or failed (all failed)",
  ),
  total: z.number().int().describe("distinct documents in the job"),
  done: z.number().int().describe("documents stored, or found unchanged"),
  failed: z.number().int().describe("documents that kept failing; their reasons are in `errors`"),
  remaining: z.number().int().describe("documents not yet done or failed"),
  errors: z.array(z.object({ id: z.string(), reason: z.string() })),
  chunks: z.number().int().describe("chunks written so far"),
  embedding_tokens: z.number().int().describe("tokens embedded so far (what is billed)"),
  created_at: z.number().int().describe("Unix seconds"),
  finished_at: z.number().int().nullable().describe("Unix seconds; `null` until nothing remains"),
}) satisfies z.ZodType<IngestJobView>;

export const DocumentSummarySchema = z.object({
  id: z.string(),
  content_hash: z.string().describe("SHA-256 over text, title, source and metadata"),
  embedding_model: z.string().describe("the model the stored chunks were embedded with"),
  metadata: MetadataSchema,
  chunks: z.number().int(),
  updated_at: z.iso.datetime(),
});

export const LookupResponseSchema = z.object({
  object: z.literal("list"),
  namespace: z
    .string()
    .optional()
    .describe("the namespace acted on (always sent; optional so clients accept older gateways)"),
  embedding_model: z
    .string()
    .describe("the index's current embedding model: a document embedded otherwise is stale"),
  documents: z.array(DocumentSummarySchema).describe("the ids that exist, without their text"),
  missing: z.array(z.string()).describe("the ids that do not exist"),
});

export const DocumentResponseSchema = z.object({
  object: z.literal("document"),
  namespace: z.string().describe("the namespace acted on"),
  id: z.string(),
  title: z.string(),
  source: z.string(),
  metadata: MetadataSchema,
  text: z.string(),
  content_hash: z.string(),
  embedding_model: z.string(),
  chunks: z.number().int(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});

/** `GET /v1/documents`: one page of documents without their text. */
export const DocumentListResponseSchema = z.object({
  object: z.literal("list"),
  namespace: z.string().describe("the namespace listed"),
  data: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      source: z.string(),
      metadata: MetadataSchema,
      chunks: z.number().int().describe("chunks the document was split into"),
      updated_at: z.iso.datetime(),
    }),
  ),
  next_cursor: z
    .string()
    .nullable()
    .describe("pass as `cursor` for the next page; `null` on the last page"),
});

export const DocumentDeletedResponseSchema = z.object({
  object: z.literal("document.deleted"),
  namespace: z.string().describe("the namespace acted on"),
  id: z.string(),
  deleted: z.literal(true),
  index_version: z.number().int(),
});
