// The fallback chain: a pure ordering of models, walked by a plain loop in which each link sits
// behind the circuit breaker and the retry loop. A request the upstream rejects as malformed
// (400/422) stops the walk: every other model would reject it the same way.
import type { ModelInfo } from "./catalog.js";
import type { BreakerState, CircuitBreaker } from "./circuit-breaker.js";
import type { Complexity } from "./classify-task.js";
import { withRetry, type RetryPolicy, type RetryTimers } from "./retry.js";
import { rankModels, type Priority } from "./select-model.js";
import type { Outcome, UpstreamFailure } from "./types.js";
import { noopMetrics, type Metrics } from "../metrics/metrics.js";

/** Why a link was passed over without a call. */
export type SkipReason = "circuit_open" | "context_window" | "deadline" | "budget";

/** One try (or skip) of one model, as listed in a response's `attempts`. */
export interface LinkAttempt {
  model: string;
  ok: boolean;
  reason?: UpstreamFailure["reason"] | SkipReason;
  status?: number;
}

/** What the loop needs besides the chain: retry policy, time, breaker and metrics. */
export interface Resilience {
  policy: RetryPolicy;
  timers: RetryTimers;
  breaker: CircuitBreaker;
  metrics: Metrics;
}

/** One walk: how to call a model, whether a model can take the prompt, and the time budget. */
export interface FallbackWalk<T> {
  call(model: ModelInfo, signal: AbortSignal): Promise<Outcome<T>>;
  /** False when the prompt cannot fit this model's context window: the link is skipped. */
  fits?(model: ModelInfo): boolean;
  /**
   * Called before a link is tried, after the checks above: false when the caller's limits cannot
   * cover what this model may cost (its reservation was refused), and the link is skipped.
   */
  admit?(model: ModelInfo): Promise<boolean>;
  deadlineAt: number;
  signal?: AbortSignal;
  /** A final answer follows the chain (the RAG path's extractive one): leaving the last link
   * counts as a fallback too. */
  finalLink?: boolean;
}

export type FallbackResult<T> =
  | { ok: true; value: T; model: ModelInfo; degraded: boolean; attempts: LinkAttempt[] }
  | {
      ok: false;
      attempts: LinkAttempt[];
      /** The last upstream failure, or null when every link was skipped. */
      failure: UpstreamFailure | null;
      /** The upstream rejected the request itself (400/422): the caller's input, not an outage. */
      rejected: boolean;
    };

/** Inputs of {@link fallbackChain}. */
export interface ChainOptions {
  catalog: readonly ModelInfo[];
  available: ReadonlySet<ModelInfo["provider"]>;
  priority: Priority;
  complexity: Complexity;
  /** The deployment's configured order (FALLBACK_MODELS); replaces the derived one. */
  configured?: readonly string[];
}

/**
 * The ordered models to try: the first choice, then either the configured list or the other
 * configured-provider chat models ranked for the task (capable ones first, by priority). The
 * extractive `local` model is never added here: the RAG path appends it as its last link, and
 * plain chat completions do not pass an extractive answer off as a model's.
 *
 * @example
 * fallbackChain(gpt4oMini, { catalog, available, priority: "cost", complexity: "simple" });
 * // [gpt-4o-mini, gpt-4.1-nano, gpt-4.1-mini, gpt-4.1, gpt-4o]
 */
export function fallbackChain(first: ModelInfo, opts: ChainOptions): ModelInfo[] {
  const usable = (m: ModelInfo | undefined): m is ModelInfo =>
    m !== undefined &&
    m.kind === "chat" &&
    m.provider !== "local" &&
    m.id !== first.id &&
    opts.available.has(m.provider);
  const rest = opts.configured
    ? opts.configured.map((id) => opts.catalog.find((m) => m.id === id)).filter(usable)
    : rankModels(opts.catalog.filter(usable), opts.priority, opts.complexity);
  return [first, ...rest];
}

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * Records a breaker's change since `before`, if any: `ragway_circuit_transitions_total{model,state}`
 * and the gauge `ragway_circuit_state{model}` (0 closed, 1 half-open, 2 open).
 */
export function recordBreakerChange(
  metrics: Metrics,
  breaker: CircuitBreaker,
  model: string,
  before: BreakerState,
): void {
  const after = breaker.state(model);
  if (after === before) return;
  metrics.inc("ragway_circuit_transitions_total", { model, state: after });
  metrics.set?.("ragway_circuit_state", { model }, STATE_VALUE[after]);
}

/** True when the upstream said the request itself is invalid (not a missing model: that's 404). */
export function isRejection(failure: UpstreamFailure): boolean {
  return failure.reason === "bad_request" && (failure.status === 400 || failure.status === 422);
}

/**
 * Walks `chain` in order until a model answers. Each link: skipped when the deadline has passed,
 * the prompt does not fit, the caller's limits cannot cover it (`admit`), or its breaker is open;
 * else called through {@link withRetry}. Every
 * try and skip lands in `attempts`; `degraded` is true when the answer is not the first link's.
 * Metrics: `ragway_upstream_attempts_total{model,result}`, `ragway_upstream_retries_total{model}`,
 * `ragway_upstream_calls_total{model,result}`, `ragway_upstream_failures_total{model,reason}`,
 * `ragway_fallbacks_total{from_model}`, `ragway_circuit_transitions_total{model,state}`.
 */
export async function runFallback<T>(
  chain: readonly ModelInfo[],
  walk: FallbackWalk<T>,
  deps: Resilience,
): Promise<FallbackResult<T>> {
  const { breaker, metrics, timers } = deps;
  const attempts: LinkAttempt[] = [];
  let last: UpstreamFailure | null = null;
  const transitions = (id: string, before: BreakerState): void =>
    recordBreakerChange(metrics, breaker, id, before);
  const fellBack = (model: ModelInfo, index: number): void => {
    if (index < chain.length - 1 || walk.finalLink === true) {
      metrics.inc("ragway_fallbacks_total", { from_model: model.id });
    }
  };
  const skip = (model: ModelInfo, reason: SkipReason, index: number): void => {
    attempts.push({ model: model.id, ok: false, reason });
    // The caller's budget is not the model's failure.
    if (reason !== "budget") {
      metrics.inc("ragway_upstream_failures_total", { model: model.id, reason });
    }
    fellBack(model, index);
  };

  for (const [index, model] of chain.entries()) {
    if (walk.signal?.aborted) break;
    if (timers.now() >= walk.deadlineAt) {
      skip(model, "deadline", index);
      continue;
    }
    if (walk.fits && !walk.fits(model)) {
      skip(model, "context_window", index);
      continue;
    }
    if (walk.admit && !(await walk.admit(model))) {
      skip(model, "budget", index);
      continue;
    }
    // The local model is not an upstream: its calls are not upstream metrics.
    const m = model.provider === "local" ? noopMetrics : metrics;
    const before = breaker.state(model.id);
    const gate = breaker.acquire(model.id);
    transitions(model.id, before);
    if (!gate.allowed) {
      skip(model, "circuit_open", index);
      continue;
    }

    const result = await withRetry((signal) => walk.call(model, signal), deps.policy, timers, {
      deadlineAt: walk.deadlineAt,
      ...(walk.signal ? { signal: walk.signal } : {}),
      onAttempt: (report) => {
        const f = report.failure;
        attempts.push({
          model: model.id,
          ok: report.ok,
          ...(f ? { reason: f.reason } : {}),
          ...(f?.status !== undefined ? { status: f.status } : {}),
        });
        m.inc("ragway_upstream_attempts_total", {
          model: model.id,
          result: report.ok ? "ok" : "error",
        });
        if (report.nextWaitMs !== undefined) {
          m.inc("ragway_upstream_retries_total", { model: model.id });
        }
      },
    });

    const beforeReport = breaker.state(model.id);
    if (result.ok) {
      breaker.success(model.id);
      transitions(model.id, beforeReport);
      m.inc("ragway_upstream_calls_total", { model: model.id, result: "ok" });
      return { ok: true, value: result.value, model, degraded: index > 0, attempts };
    }
    last = result.failure;
    const rejected = isRejection(result.failure);
    // A rejection means the model answered; an abort says nothing about the model.
    if (result.stop === "aborted") breaker.release(model.id);
    else if (rejected) breaker.success(model.id);
    else breaker.failure(model.id);
    transitions(model.id, beforeReport);
    m.inc("ragway_upstream_calls_total", { model: model.id, result: "error" });
    m.inc("ragway_upstream_failures_total", {
      model: model.id,
      reason: result.failure.reason,
    });
    if (rejected || result.stop === "aborted") {
      return { ok: false, attempts, failure: result.failure, rejected };
    }
    fellBack(model, index);
  }
  return { ok: false, attempts, failure: last, rejected: false };
}
