// Request schemas of the public API. The routes validate with these and the API description is
// generated from them, so the contract and the checks cannot drift apart.
import { z } from "zod";
import { parseScope } from "../cache/answer-key.js";
import {
  dailyBudgetSchema,
  monthlyBudgetSchema,
  rpmSchema,
  tpmSchema,
} from "../ratelimit/limits.js";
import { SCOPES } from "../tenancy/grants.js";
import { NamespaceNameSchema } from "../tenancy/namespace-name.js";
import { JOB_MAX_DOCUMENTS, SYNC_MAX_DOCUMENTS, SYNC_MAX_TEXT_CHARS } from "../jobs/ingest-mode.js";
import { shardCountSchema } from "../search/shard-placement.js";

const scalar = z.union([z.string().max(1000), z.number(), z.boolean()]);

export const MetadataSchema = z
  .record(z.string().min(1).max(64), scalar)
  .refine((m) => Object.keys(m).length <= 32, { message: "at most 32 metadata fields" })
  .meta({ maxProperties: 32, description: "string, number or boolean values" });

export const FilterSchema = z
  .record(z.string().min(1).max(64), z.union([scalar, z.array(scalar).min(1).max(50)]))
  .refine((m) => Object.keys(m).length <= 16, { message: "at most 16 filter fields" })
  .meta({
    maxProperties: 16,
    description: "metadata fields that must match exactly; an array means any of",
  });

/** The namespace a request acts on; absent, the key's first namespace. */
const namespaceField = NamespaceNameSchema.optional().describe(
  "the namespace to act on (default: the key's first namespace)",
);

const nonBlank = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => s.trim().length > 0, { message: "must not be empty" });

/** A document id: what `POST /v1/documents` accepts and the ingest CLI derives from file paths. */
export const DocumentIdSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\w.:/@~+-]+$/, "may contain letters, digits and . : / @ ~ + - _ only");

export const DocumentInputSchema = z
  .object({
    id: DocumentIdSchema.optional().describe("derived from the text when absent"),
    text: nonBlank(500_000).describe("the document's text, not blank"),
    title: z.string().max(500).optional().describe("the first heading or line when absent"),
    source: z.string().max(2000).optional().describe("where it came from: a path or URL"),
    metadata: MetadataSchema.optional(),
  })
  .strict();

/** Most documents on one page of `GET /v1/documents`. */
export const MAX_LIST_LIMIT = 100;

/**
 * `GET /v1/documents` query parameters. `metadata` is gathered from `metadata.<key>=<value>` (or
 * `metadata[<key>]=<value>`) parameters by the route; values are text and match exactly.
 */
export const ListDocumentsQuerySchema = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LIST_LIMIT)
    .default(20)
    .describe("documents per page"),
  cursor: z
    .string()
    .min(1)
    .max(2048)
    .optional()
    .describe("the previous page's next_cursor, to continue after it"),
  prefix: z.string().min(1).max(256).optional().describe("only ids that start with this"),
  metadata: z
    .record(z.string().min(1).max(64), z.string().max(1000))
    .refine((m) => Object.keys(m).length <= 16, { message: "at most 16 metadata filters" })
    .optional()
    .describe("metadata fields that must equal these values"),
  namespace: namespaceField,
});

export type ListDocumentsQuery = z.infer<typeof ListDocumentsQuerySchema>;

/** Most documents ingested synchronously; up to JOB_MAX_DOCUMENTS as a job (shared/jobs). */
export const MAX_DOCUMENTS_PER_CALL = SYNC_MAX_DOCUMENTS;

export const IngestRequestSchema = z
  .object({
    documents: z
      .array(DocumentInputSchema)
      .min(1)
      .max(JOB_MAX_DOCUMENTS)
      .describe(
        `at most ${SYNC_MAX_DOCUMENTS} ingested while the client waits; up to ${JOB_MAX_DOCUMENTS} as a job`,
      ),
    namespace: namespaceField,
    async: z
      .boolean()
      .optional()
      .describe(
        `true: answer 202 with a job at once; false: ingest before answering (at most ${SYNC_MAX_DOCUMENTS} documents); absent: a job when there are more than ${SYNC_MAX_DOCUMENTS} documents or ${SYNC_MAX_TEXT_CHARS.toLocaleString("en-US")} characters of text`,
      ),
  })
  .strict();

/** Ids per lookup call: one call answers a whole CLI batch window. */
export const MAX_LOOKUP_IDS = 1000;

export const LookupRequestSchema = z
  .object({
    ids: z.array(DocumentIdSchema).min(1).max(MAX_LOOKUP_IDS).describe("document ids to look up"),
    namespace: namespaceField,
  })
  .strict();

export const PrioritySchema = z.enum(["cost", "speed", "quality"]);

export const QueryRequestSchema = z
  .object({
    query: nonBlank(4000).describe("the question, not blank"),
    k: z.number().int().min(1).max(20).default(5).describe("chunks to retrieve"),
    filter: FilterSchema.optional(),
    model: z.string().min(1).max(128).default("auto").describe("a catalog chat model, or auto"),
    priority: PrioritySchema.default("cost").describe("what auto optimises for"),
    max_context_tokens: z
      .number()
      .int()
      .min(1)
      .max(2_000_000)
      .optional()
      .describe("cap on retrieved context in the prompt (default: the model's budget)"),
    use_cache: z.boolean().default(true).describe("false skips the result cache"),
    stream: z.boolean().default(false).describe("answer as Server-Sent Events"),
    retrieval: z
      .enum(["hybrid", "dense", "lexical"])
      .default("hybrid")
      .describe("dense vectors, BM25, or both fused"),
    namespace: namespaceField,
  })
  .strict();

/** A batch item: a `/v1/query` body whose namespace is the batch's, not its own. */
export const BatchItemSchema = QueryRequestSchema.omit({ namespace: true });

/** Most queries in one batch. */
export const MAX_BATCH_QUERIES = 50;

/** `POST /v1/query/batch`: each item is a `/v1/query` body (without `stream`). */
export const BatchQueryRequestSchema = z
  .object({
    queries: z.array(BatchItemSchema).min(1).max(MAX_BATCH_QUERIES),
    namespace: namespaceField.describe("the namespace every query in the batch runs in"),
  })
  .strict();

/**
 * The envelope the batch route parses first. Items are then validated one by one with
 * {@link QueryRequestSchema}, so an invalid item becomes an inline error instead of failing the
 * whole batch; {@link BatchQueryRequestSchema} documents what a valid batch looks like.
 */
export const BatchEnvelopeSchema = z
  .object({
    queries: z.array(z.unknown()).min(1).max(MAX_BATCH_QUERIES),
    namespace: namespaceField,
  })
  .strict();

export const CACHE_TIERS = ["memory", "edge", "kv"] as const;

/** POST /admin/cache/purge: no body (or `{}`) purges every cache everywhere. */
export const CachePurgeRequestSchema = z
  .strictObject({
    scope: z
      .string()
      .refine((s) => parseScope(s) !== null, { message: 'expected "shared" or "principal:<id>"' })
      .optional()
      .describe('"shared" or "principal:<id>"; only that scope\'s answers are purged'),
    caches: z
      .array(z.enum(["answer", "embedding"]))
      .min(1)
      .optional()
      .describe("default: both, or only answers when a scope is given"),
    tiers: z.array(z.enum(CACHE_TIERS)).min(1).optional().describe("default: every tier"),
    namespace: NamespaceNameSchema.optional().describe(
      "only this namespace's answers (default: every namespace's)",
    ),
  })
  .refine((b) => !(b.scope !== undefined && b.caches?.includes("embedding")), {
    message: "the embedding cache is shared by everyone and has no scopes",
    path: ["caches"],
  });

export type IngestRequest = z.infer<typeof IngestRequestSchema>;
export type QueryRequest = z.infer<typeof QueryRequestSchema>;

/** `POST /admin/keys`: a name and optional limits (the configured defaults fill the rest). */
export const CreateKeyRequestSchema = z
  .object({
    name: z
      .string()
      .max(100)
      .refine((s) => s.trim().length > 0, { message: "must not be empty" }),
    rpm: rpmSchema.optional(),
    tpm: tpmSchema.optional(),
    daily_budget_usd: dailyBudgetSchema.optional(),
    monthly_budget_usd: monthlyBudgetSchema.optional(),
    namespaces: z
      .array(NamespaceNameSchema)
      .min(1)
      .max(64)
      .optional()
      .describe('namespaces the key may use; the first is its default (default: ["default"])'),
    scopes: z
      .array(z.enum(SCOPES))
      .min(1)
      .optional()
      .describe("what the key may do (default: every scope but documents:write)"),
  })
  .strict();

/** `POST /admin/namespaces`. */
export const CreateNamespaceRequestSchema = z
  .object({
    name: NamespaceNameSchema,
    shards: shardCountSchema.describe(
      "INDEX objects the namespace's documents are spread over by a hash of their id, 1..32 (default 1). Fixed for the namespace's life.",
    ),
  })
  .strict();

export type CreateKeyRequest = z.infer<typeof CreateKeyRequestSchema>;
export type LookupRequest = z.infer<typeof LookupRequestSchema>;
