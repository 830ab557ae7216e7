// Request schemas of the public API. The routes validate with these and the API description is
// generated from them, so the contract and the checks cannot drift apart.
import { z } from "zod";

const scalar = z.union([z.string().max(1000), z.number(), z.boolean()]);

export const MetadataSchema = z
  .record(z.string().min(1).max(64), scalar)
  .refine((m) => Object.keys(m).length <= 32, { message: "at most 32 metadata fields" });

export const FilterSchema = z
  .record(z.string().min(1).max(64), z.union([scalar, z.array(scalar).min(1).max(50)]))
  .refine((m) => Object.keys(m).length <= 16, { message: "at most 16 filter fields" });

const nonBlank = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => s.trim().length > 0, { message: "must not be empty" });

export const DocumentInputSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[\w.:/@~+-]+$/, "may contain letters, digits and . : / @ ~ + - _ only")
      .optional(),
    text: nonBlank(500_000),
    title: z.string().max(500).optional(),
    source: z.string().max(2000).optional(),
    metadata: MetadataSchema.optional(),
  })
  .strict();

export const MAX_DOCUMENTS_PER_CALL = 100;

export const IngestRequestSchema = z
  .object({
    documents: z.array(DocumentInputSchema).min(1).max(MAX_DOCUMENTS_PER_CALL),
  })
  .strict();

export const PrioritySchema = z.enum(["cost", "speed", "quality"]);

export const QueryRequestSchema = z
  .object({
    query: nonBlank(4000),
    k: z.number().int().min(1).max(20).default(5),
    filter: FilterSchema.optional(),
    model: z.string().min(1).max(128).default("auto"),
    priority: PrioritySchema.default("cost"),
    max_context_tokens: z.number().int().min(1).max(2_000_000).optional(),
    use_cache: z.boolean().default(true),
    stream: z.boolean().default(false),
    retrieval: z.enum(["hybrid", "dense", "lexical"]).default("hybrid"),
  })
  .strict();

/** Most queries in one batch. */
export const MAX_BATCH_QUERIES = 50;

/** `POST /v1/query/batch`: each item is a `/v1/query` body (without `stream`). */
export const BatchQueryRequestSchema = z
  .object({ queries: z.array(QueryRequestSchema).min(1).max(MAX_BATCH_QUERIES) })
  .strict();

/**
 * The envelope the batch route parses first. Items are then validated one by one with
 * {@link QueryRequestSchema}, so an invalid item becomes an inline error instead of failing the
 * whole batch; {@link BatchQueryRequestSchema} documents what a valid batch looks like.
 */
export const BatchEnvelopeSchema = z
  .object({ queries: z.array(z.unknown()).min(1).max(MAX_BATCH_QUERIES) })
  .strict();

export type IngestRequest = z.infer<typeof IngestRequestSchema>;
export type QueryRequest = z.infer<typeof QueryRequestSchema>;
