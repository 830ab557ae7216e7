// The request log's admin API: the query string GET /admin/requests accepts and what it answers.
// Kept apart from the other schemas because it is the console's own contract.
import { z } from "zod";

/** Records per page at most, and by default. */
export const REQUEST_LOG_PAGE_MAX = 200;
export const REQUEST_LOG_PAGE_DEFAULT = 50;

/** `GET /admin/requests` query parameters (all optional). */
export const RequestLogQuerySchema = z
  .object({
    status: z
      .string()
      .regex(/^([1-5]xx|[1-5]\d\d)$/, "expected a status (429) or a class (4xx)")
      .optional(),
    route: z.string().min(1).max(200).optional(),
    key: z.string().min(1).max(200).optional().describe("a key id, key name or anonymous id"),
    limit: z.coerce.number().int().min(1).max(REQUEST_LOG_PAGE_MAX).optional(),
    before: z.string().min(1).max(64).optional(),
  })
  .strict();

const RequestLogEntrySchema = z.object({
  object: z.literal("request"),
  id: z.string().describe("the request id (X-Request-Id)"),
  time: z.iso.datetime().describe("when the response was ready"),
  method: z.string(),
  route: z.string().describe("the route pattern that matched, or `unmatched`"),
  status: z.number().int(),
  principal_id: z.string().nullable().describe("key id, anonymous id, `admin`, or `null`"),
  key_name: z.string().nullable().describe("the key's name, when the principal is a key"),
  model: z.string().nullable(),
  cache: z.string().nullable().describe("cache status, e.g. HIT-MEMORY, MISS, BYPASS"),
  tokens: z.number().nullable(),
  cost_usd: z.number().nullable(),
  latency_ms: z.number(),
  overhead_ms: z.number().nullable().describe("time spent in the gateway itself, when measured"),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  query: z.string().optional().describe("the question, only with LOG_QUERIES=true"),
});

export const RequestLogResponseSchema = z.object({
  object: z.literal("list"),
  data: z.array(RequestLogEntrySchema).describe("newest first"),
  next_before: z.string().nullable().describe("pass as `before` for the next, older page"),
  routes: z.array(z.string()).describe("routes present in the log, for filters"),
  keys: z
    .array(z.object({ id: z.string(), name: z.string().nullable() }))
    .describe("principals present in the log, with key names"),
  log_queries: z.boolean().describe("whether question text is recorded (LOG_QUERIES)"),
  retention: z.object({ max_records: z.number().int(), max_age_seconds: z.number().int() }),
});

export type RequestLogEntry = z.infer<typeof RequestLogEntrySchema>;
