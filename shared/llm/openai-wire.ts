// Pieces of OpenAI's response bodies that streamed and whole answers share: the `usage` object
// (as received, and as the gateway records it) and the `{error: ...}` body some upstreams send.
import { z } from "zod";
import type { Usage } from "./types.js";

// Detail objects are kept as sent (numeric fields only): they change the price and the client
// may read them.
const TokenDetailsSchema = z
  .record(z.string(), z.unknown())
  .transform((d) =>
    Object.fromEntries(
      Object.entries(d).filter(
        (e): e is [string, number] => typeof e[1] === "number" && Number.isFinite(e[1]),
      ),
    ),
  );

/** OpenAI's `usage` object as received (also in non-streamed bodies). */
export const UsageSchema = z.object({
  prompt_tokens: z.number().nonnegative(),
  completion_tokens: z.number().nonnegative().optional(),
  total_tokens: z.number().nonnegative().optional(),
  prompt_tokens_details: TokenDetailsSchema.nullish(),
  completion_tokens_details: TokenDetailsSchema.nullish(),
});

/** Usage as the gateway records it, from OpenAI's (possibly partial) usage object. */
export function toUsage(u: z.output<typeof UsageSchema>): Usage {
  const completion = u.completion_tokens ?? 0;
  return {
    prompt_tokens: u.prompt_tokens,
    completion_tokens: completion,
    total_tokens: u.total_tokens ?? u.prompt_tokens + completion,
    ...(u.prompt_tokens_details ? { prompt_tokens_details: u.prompt_tokens_details } : {}),
    ...(u.completion_tokens_details
      ? { completion_tokens_details: u.completion_tokens_details }
      : {}),
  };
}

/** The message of an `{error: ...}` body, if the value is one. Some gateways send these with 200. */
export function errorMessageOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || !("error" in body)) return undefined;
  const error: unknown = body.error;
  if (error === null || error === undefined) return undefined;
  if (typeof error === "string") return error;
  const inner = typeof error === "object" && "message" in error ? error.message : undefined;
  return typeof inner === "string" ? inner : "unknown";
}
