// The fields a request adds to its one log line, typed, so every route names them the same way.
// A request owns its fields; a batch gives each item its own and merges them into the batch's
// line explicitly (one item's cache hit must never touch its siblings' token totals).

/** What a request that called (or could have called) a model reports. */
export interface UsageLogFields {
  model?: string;
  /** Tokens this request spent on models (prompt + completion). */
  tokens?: number;
  cost_usd?: number;
  degraded?: boolean;
}

/** One query's fields (a /v1/query request, or one item of a batch). */
export interface QueryLogFields extends UsageLogFields {
  /** The X-Cache status. */
  cache?: string;
  attempts?: ReadonlyArray<{ model: string; ok: boolean; reason?: string; status?: number }>;
  retrieval_ms?: number;
  generation_ms?: number;
  /** The question, only with LOG_QUERIES=true. */
  query?: string;
}

/** Every field a route may add to its request's log line. */
export interface RequestLogFields extends QueryLogFields {
  /** How the model was chosen (chat). */
  model_reason?: string;
  /** The limit that refused the request. */
  limited?: string | null;
  namespace?: string;
  /** Documents ingested, listed or looked up. */
  documents?: number;
  key_id?: string;
  batch_size?: number;
  batch_failed?: number;
  /** Batch items answered from a cache or another request's computation. */
  batch_cached?: number;
  /** The ingestion job a request created or read. */
  job?: string;
  /** How a streamed response ended: complete, failed or cancelled (the client left). */
  stream?: "complete" | "failed" | "cancelled";
  /** Why a request failed after its status was sent (a stream's upstream failure). */
  error?: string;
  /** What a stream's usage rests on: the upstream's report, exact counts, or its reservation. */
  billed?: "reported" | "counted" | "reservation";
}

/**
 * A batch's fields from its items' own: tokens and cost summed, degraded if any item was, the
 * model when every answered item used the same one.
 */
export function mergeBatchFields(items: readonly QueryLogFields[]): RequestLogFields {
  let tokens = 0;
  let cost = 0;
  let degraded = false;
  let cached = 0;
  const models = new Set<string>();
  for (const item of items) {
    tokens += item.tokens ?? 0;
    cost += item.cost_usd ?? 0;
    degraded ||= item.degraded === true;
    if (item.cache?.startsWith("HIT-")) cached++;
    if (item.model) models.add(item.model);
  }
  const [model] = models;
  return {
    tokens,
    cost_usd: cost,
    degraded,
    batch_cached: cached,
    ...(models.size === 1 && model ? { model } : {}),
  };
}
