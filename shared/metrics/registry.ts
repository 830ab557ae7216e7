// Every metric ragway emits, declared once: name, type, help and the label names it may carry.
// The METRICS object stores only declared series (declared-series.ts checks them against this
// list), so label sets stay bounded whatever code emits. Data only: add a family here.

export type MetricType = "counter" | "gauge" | "histogram";

/** One metric family as Prometheus sees it. */
export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  /** Label names a series may carry (a subset is fine); `le` is implied for histogram buckets. */
  labels: readonly string[];
}

const family = (
  name: string,
  type: MetricType,
  labels: readonly string[],
  help: string,
): MetricFamily => ({ name, type, help, labels });

/** The declared families, in the order /metrics renders them. */
export const METRIC_FAMILIES: readonly MetricFamily[] = [
  // Requests
  family(
    "ragway_requests_total",
    "counter",
    ["route", "status"],
    "HTTP requests by route pattern and status code.",
  ),
  family(
    "ragway_request_duration_seconds",
    "histogram",
    ["route"],
    "Request latency from arrival to response, by route pattern.",
  ),
  family(
    "ragway_gateway_overhead_seconds",
    "histogram",
    ["route"],
    "Request time minus time spent waiting on upstream providers: what the gateway adds.",
  ),
  family(
    "ragway_durable_object_calls_total",
    "counter",
    ["object", "method"],
    "Calls the Worker makes to a Durable Object (LIMITER, INDEX, JOBS; METRICS for metric flushes).",
  ),
  family(
    "ragway_platform_failures_total",
    "counter",
    ["route", "kind"],
    "Requests answered 503 service_unavailable because the platform failed them (kind: overloaded, retryable, other).",
  ),
  family(
    "ragway_degraded_answers_total",
    "counter",
    ["route"],
    "Answers not produced by the first-choice model.",
  ),
  // Caches
  family(
    "ragway_cache_lookups_total",
    "counter",
    ["cache", "tier", "result"],
    "Cache lookups by cache (answer, embedding), tier and result (hit, coalesced, miss, bypass).",
  ),
  family(
    "ragway_cache_saved_tokens_total",
    "counter",
    ["cache"],
    "Model tokens not spent because a cache answered.",
  ),
  family(
    "ragway_cache_saved_usd_total",
    "counter",
    ["cache"],
    "US dollars not spent because a cache answered.",
  ),
  family(
    "ragway_cache_errors_total",
    "counter",
    ["cache", "tier", "op"],
    "Cache store operations that failed and were treated as misses.",
  ),
  family(
    "ragway_cache_corrupt_total",
    "counter",
    ["cache", "tier"],
    "Cache entries that did not decode and were treated as misses.",
  ),
  // Models: usage and cost
  family(
    "ragway_tokens_total",
    "counter",
    ["model", "direction"],
    "Model tokens by model and direction (in = prompt, out = completion).",
  ),
  family(
    "ragway_model_calls_total",
    "counter",
    ["model"],
    "Answered model calls by model, the local models included (upstream health is in ragway_upstream_*).",
  ),
  family(
    "ragway_token_details_total",
    "counter",
    ["model", "kind"],
    "Prompt tokens served from the provider's cache (kind=cached_prompt, priced lower) and reasoning tokens (kind=reasoning, part of completion), by model.",
  ),
  family(
    "ragway_cost_usd_total",
    "counter",
    ["model"],
    "US dollars spent on model calls, by model.",
  ),
  family(
    "ragway_embedding_calls_total",
    "counter",
    ["provider", "result"],
    "Embedding calls made to a provider, by provider and result (ok, error).",
  ),
  family(
    "ragway_embedding_inputs_total",
    "counter",
    ["provider"],
    "Texts sent to a provider for embedding.",
  ),
  // Upstream resilience
  family(
    "ragway_upstream_calls_total",
    "counter",
    ["model", "result"],
    "Upstream model calls (after retries) by model and result (ok, error).",
  ),
  family(
    "ragway_upstream_attempts_total",
    "counter",
    ["model", "result"],
    "Upstream attempts, retries included, by model and result (ok, error).",
  ),
  family(
    "ragway_upstream_retries_total",
    "counter",
    ["model"],
    "Upstream attempts retried, by model.",
  ),
  family(
    "ragway_upstream_failures_total",
    "counter",
    ["model", "reason"],
    "Upstream calls that failed or were skipped, by model and reason.",
  ),
  family(
    "ragway_fallbacks_total",
    "counter",
    ["from_model"],
    "Times a request fell back away from a model.",
  ),
  family(
    "ragway_circuit_transitions_total",
    "counter",
    ["model", "state"],
    "Circuit breaker transitions by model and the state entered.",
  ),
  family(
    "ragway_circuit_state",
    "gauge",
    ["model"],
    "Circuit breaker state by model as last reported by an isolate: 0 closed, 1 half-open, 2 open.",
  ),
  family(
    "ragway_streams_total",
    "counter",
    ["model", "outcome"],
    "Streamed completions by model and outcome.",
  ),
  // Keys, limits and budgets
  family(
    "ragway_auth_failures_total",
    "counter",
    ["reason"],
    "Requests refused authentication, by reason.",
  ),
  family(
    "ragway_admin_auth_failures_total",
    "counter",
    ["reason"],
    "Failed admin authentications (missing, malformed, invalid, not_configured), and attempts refused while a client is throttled (throttled).",
  ),
  family("ragway_keys_created_total", "counter", [], "API keys created."),
  family("ragway_keys_revoked_total", "counter", [], "API keys revoked."),
  family(
    "ragway_permission_denied_total",
    "counter",
    ["missing"],
    "Requests refused for a scope or namespace the key lacks.",
  ),
  family("ragway_namespaces_created_total", "counter", [], "Namespaces created."),
  family("ragway_namespaces_deleted_total", "counter", [], "Namespaces deleted."),
  family(
    "ragway_ratelimit_allowed_total",
    "counter",
    ["check"],
    "Limit checks passed, by check (request, spend).",
  ),
  family(
    "ragway_ratelimit_limited_total",
    "counter",
    ["reason", "source"],
    "Requests refused by a limit, by reason and where it was decided (object, memo).",
  ),
  family(
    "ragway_limiter_call_seconds",
    "histogram",
    ["op"],
    "Round trips to a principal's LIMITER object, by operation.",
  ),
  family(
    "ragway_budget_reserved_usd_total",
    "counter",
    [],
    "US dollars reserved against budgets before model calls.",
  ),
  family(
    "ragway_budget_reserved_tokens_total",
    "counter",
    [],
    "Tokens reserved against token buckets before model calls.",
  ),
  family(
    "ragway_budget_spent_usd_total",
    "counter",
    [],
    "US dollars charged to budgets after reconciliation.",
  ),
  family(
    "ragway_budget_near_limit_total",
    "counter",
    ["window"],
    "Times a principal's spend crossed 80% of its USD budget, by budget window (day, month).",
  ),
  // Index
  family(
    "ragway_documents_ingested_total",
    "counter",
    ["status"],
    "Documents ingested by outcome (created, updated, unchanged).",
  ),
  family("ragway_index_documents", "gauge", [], "Documents in every namespace."),
  family("ragway_index_chunks", "gauge", [], "Chunks in every namespace."),
  family(
    "ragway_namespace_documents",
    "gauge",
    ["namespace"],
    "Documents per namespace (beyond METRICS_NAMESPACE_LABELS namespaces, summed as other).",
  ),
  family(
    "ragway_namespace_chunks",
    "gauge",
    ["namespace"],
    "Chunks per namespace (beyond METRICS_NAMESPACE_LABELS namespaces, summed as other).",
  ),
  // The metrics pipeline itself
  family(
    "ragway_metrics_rejected_total",
    "counter",
    [],
    "Metric increments dropped: undeclared name or labels, or a full isolate batch.",
  ),
];
