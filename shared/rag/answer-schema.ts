// The shape of a QueryAnswer as a zod schema: what a cached answer must look like when it is read
// back. Anything else (an older release's shape, a damaged value) is refused and recomputed.
import { z } from "zod";
import type { QueryAnswer } from "./answer-query.js";

const count = z.number().int().nonnegative();

export const QueryAnswerSchema = z.strictObject({
  answer: z.string(),
  sources: z.array(
    z.strictObject({
      id: z.string(),
      chunk_id: z.string(),
      title: z.string(),
      source: z.string(),
      score: z.number(),
      text: z.string(),
    }),
  ),
  model: z.string().min(1),
  degraded: z.boolean(),
  usage: z.strictObject({
    prompt_tokens: count,
    completion_tokens: count,
    total_tokens: count,
    cost_usd: z.number().nonnegative(),
  }),
  attempts: z.array(
    z.strictObject({
      model: z.string(),
      ok: z.boolean(),
      reason: z.string().optional(),
      status: z.number().int().optional(),
    }),
  ),
  timings: z.strictObject({ retrieval_ms: z.number(), generation_ms: z.number() }),
  index_version: count,
  context_tokens: count,
}) satisfies z.ZodType<QueryAnswer>;

/** The answer in `value`, or null when it is not a well-formed QueryAnswer. */
export function parseQueryAnswer(value: unknown): QueryAnswer | null {
  const parsed = QueryAnswerSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
