// POST /v1/chat/completions: OpenAI's request and response shapes, streamed or not, through model
// selection and the fallback chain. A stream is retried and falls back only until its first byte
// reaches the client; after that a failure ends it with an error event, never a clean finish.
// Non-streamed reproducible completions (temperature 0, or a seed) go through the caller's cache,
// and sampled ones only when the client opts in with max-age; streams are never cached.
import type { RoutedRequest } from "../http/routed-request.js";
import { ChatCompletionRequestSchema } from "../../shared/api/openai.js";
import { isPlainChatRequest } from "../../shared/api/plain-chat-request.js";
import { chatCacheDirectives } from "../../shared/cache/chat-cacheability.js";
import {
  completeUncached,
  completeWithCache,
  type ChatCacheResult,
  type ComputedCompletion,
} from "../../shared/cache/chat-cache.js";
import {
  ageHeader,
  cacheDirectives,
  skipsCache,
  type CacheDirectives,
} from "../../shared/cache/directives.js";
import { billingRefusal } from "../../shared/llm/billing-policy.js";
import { costUsd } from "../../shared/llm/catalog.js";
import {
  billedPromptTokens,
  completeChat,
  countedUsage,
  openChatStream,
  planChat,
  linkSpend,
  worstCaseUsage,
  type ChatDeps,
  type ChatPlan,
} from "../../shared/llm/chat-gateway.js";
import { recordBreakerChange, type LinkAttempt } from "../../shared/llm/fallback.js";
import type { ModelInfo } from "../../shared/llm/catalog.js";
import { relayStream, type StreamEnd } from "../../shared/llm/stream-relay.js";
import { systemTimers } from "../../shared/llm/system-timers.js";
import type { AppContext } from "../context.js";
import { HttpError } from "../errors.js";
import { readJson } from "../http/read-json.js";
import { json } from "../http/respond.js";
import { releasedOnFailure, spendHold, type SpendHold } from "../limits/spend.js";
import { scheduleMetricsFlush } from "../metrics.js";
import { recordUsage } from "../record-usage.js";
import { deadlineFor, resilienceFor } from "../resilience.js";
import { getServices } from "../services.js";
import { upstreamError, upstreamFailureMessage } from "../upstream-error.js";
import { upstreamFor } from "../upstream-timing.js";
import { callerScope, chatCacheDeps } from "../cache/chat-cache.js";

const ZERO_USAGE = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

export async function postChatCompletions(
  request: RoutedRequest,
  app: AppContext,
): Promise<Response> {
  const body = await readJson(request, ChatCompletionRequestSchema, app.config.MAX_BODY_BYTES, {
    precheck: isPlainChatRequest,
  });
  const { model, stream, stream_options, priority, ...params } = body;
  const refused = billingRefusal(params, { allowStore: app.config.ALLOW_STORE });
  if (refused) throw new HttpError("invalid_request", refused.message, { param: refused.param });
  const services = getServices(app.config);
  const deps: ChatDeps = {
    catalog: app.config.catalog,
    available: services.available,
    // A conversation's history and an agent's context were counted for the caller's last call.
    counter: services.countMemo.counterFor(callerScope(app), services.counter),
    providerFor: (m) => upstreamFor(app, services.providerFor(m)),
    resilience: resilienceFor(app),
    ...(app.config.fallbackModels ? { fallbackModels: app.config.fallbackModels } : {}),
  };
  const requested = model === "auto" ? app.config.DEFAULT_MODEL : model;
  const planned = planChat(requested, priority ?? "cost", params, deps);
  if (!planned.ok) {
    throw new HttpError(planned.code, planned.message, { param: planned.param });
  }
  const plan = planned.plan;
  // Held for the first model that fits before any call, and raised before a costlier fallback.
  const hold = spendHold(app);
  const firstLink = plan.chain.find(plan.fits) ?? plan.chain[0];
  const opts = {
    deadlineAt: deadlineFor(app),
    signal: request.signal,
    admit: (m: ModelInfo) => hold.tryRaise(linkSpend(plan, m)),
  };
  const holdFirst = async (): Promise<void> => {
    if (firstLink) await hold.raise(linkSpend(plan, firstLink));
  };
  app.logFields.model_reason = plan.reason;

  if (stream !== true) {
    // A reproducible request (temperature 0, or a seed), or one that opted in with max-age, is
    // served from the caller's cache; any other never touches it (shared/cache/chat-cacheability).
    const directives = chatCacheDirectives(
      params,
      cacheDirectives(true, request.headers.get("cache-control"), request.headers.get("pragma")),
    );
    const compute = async (): Promise<ComputedCompletion<Computed>> => {
      // Settled with the usage of the model that answered.
      await holdFirst();
      const r = await releasedOnFailure(hold, () => completeChat(plan, deps, opts));
      if (!r.ok) throw upstreamError(r, app);
      const usd = costUsd(r.model, r.value.usage);
      await hold.settle({ tokens: r.value.usage.total_tokens, usd });
      recordUsage(app, r.model.id, r.value.usage, usd);
      noteDegraded(app, r.degraded);
      return {
        entry: { body: r.value.body, model: r.model.id, reason: plan.reason },
        cost: { tokens: r.value.usage.total_tokens, usd },
        cacheable: !r.degraded,
        extra: { degraded: r.degraded, attempts: r.attempts },
      };
    };
    const result = skipsCache(directives)
      ? await completeUncached(compute, app.metrics)
      : await completeCached(app, requested, priority ?? "cost", params, directives, compute);
    app.logFields.cache = result.status;
    const { entry } = result;
    const served = result.fromCache
      ? // This request called no model: nothing spent, nothing attempted (as /v1/query does).
        { ...entry.body, usage: ZERO_USAGE, degraded: false, attempts: [], from_cache: true }
      : { ...entry.body, ...result.extra, from_cache: false };
    const attempts = result.fromCache ? 0 : result.extra.attempts.length;
    return json(served, {
      headers: {
        "x-cache": result.status,
        "x-model": entry.model,
        "x-model-reason": result.fromCache ? "cached" : entry.reason,
        "x-degraded": String(result.fromCache ? false : result.extra.degraded),
        "x-attempts": String(attempts),
        ...(result.fromCache ? ageHeader(result.createdAt, Date.now()) : {}),
      },
    });
  }

  await holdFirst();
  const opened = await releasedOnFailure(hold, () => openChatStream(plan, deps, opts));
  if (!opened.ok) throw upstreamError(opened, app);
  const { value, model: answeredBy, degraded, attempts } = opened;
  noteDegraded(app, degraded);
  // The request's line is written when the stream ends, with what it spent.
  let markEnded = (): void => undefined;
  app.responseEnded = new Promise<void>((resolve) => (markEnded = resolve));
  const relay = relayStream({
    ...value,
    model: answeredBy.id,
    // Usage is always asked of the upstream (the provider sets include_usage); the caller
    // sees the usage chunk only if it asked for it.
    includeUsage: stream_options?.include_usage === true,
    countUsage: (text) =>
      countedUsage(billedPromptTokens(plan, answeredBy), text, services.counter),
    failureMessage: (failure) => upstreamFailureMessage(app, failure, "stream"),
    idleTimeoutMs: app.config.OPENAI_TIMEOUT_MS,
    timers: systemTimers,
    onEnd: (end) => {
      try {
        streamEnded(app, plan, answeredBy, end, hold);
      } finally {
        markEnded();
      }
    },
    drain: { waitUntil: (p) => app.exec.waitUntil(p), maxMs: app.config.STREAM_DRAIN_MS },
  });
  return new Response(relay, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      ...routingHeaders(plan, answeredBy, degraded, attempts),
    },
  });
}

/** What the route needs from a computed completion besides the entry. */
interface Computed {
  degraded: boolean;
  attempts: LinkAttempt[];
}

/** Looks the request up in the caller's scope, else computes and files it. */
async function completeCached(
  app: AppContext,
  model: string,
  priority: string,
  body: Record<string, unknown>,
  directives: CacheDirectives,
  compute: () => Promise<ComputedCompletion<Computed>>,
): Promise<ChatCacheResult<Computed>> {
  const scope = callerScope(app);
  return completeWithCache(
    { parts: { scope, model, priority, body }, directives },
    compute,
    await chatCacheDeps(app, scope),
  );
}

/**
 * Accounts a finished stream and completes the request's log fields. Runs after the response was
 * handed over; what it records leaves with the flush the request's line schedules next (see
 * app.responseEnded), and its settlement's with a flush of its own.
 */
function streamEnded(
  app: AppContext,
  plan: ChatPlan,
  model: ModelInfo,
  end: StreamEnd,
  hold: SpendHold,
): void {
  const services = getServices(app.config);
  // Usage is always recorded: the upstream's report; else, for a stream abandoned before its end
  // could be read, the most the call can bill (the upstream kept generating and billed it);
  // else exact counts of what was received.
  const abandoned = end.outcome === "cancelled" && end.drained !== true;
  const usage =
    end.usage ??
    (abandoned
      ? worstCaseUsage(plan, model)
      : countedUsage(billedPromptTokens(plan, model), end.text, services.counter));
  const usd = costUsd(model, usage);
  recordUsage(app, model.id, usage, usd);
  // What settling records (its call time, a budget crossing 80%) leaves with a flush of its own.
  app.exec.waitUntil(
    hold.settle({ tokens: usage.total_tokens, usd }).then(() => scheduleMetricsFlush(app)),
  );
  app.metrics.inc("ragway_streams_total", { model: model.id, outcome: end.outcome });
  if (end.outcome === "failed") {
    // Counted as the failure it is: the answer the client got is incomplete.
    const before = services.breaker.state(model.id);
    services.breaker.failure(model.id);
    recordBreakerChange(app.metrics, services.breaker, model.id, before);
    app.metrics.inc("ragway_upstream_failures_total", {
      model: model.id,
      reason: end.failure?.reason ?? "truncated",
    });
  }
  // For the request's line, written next (see app.responseEnded).
  app.logFields.stream = end.outcome;
  if (end.failure) app.logFields.error = end.failure.reason;
  app.logFields.billed = end.usage ? "reported" : abandoned ? "reservation" : "counted";
}

function noteDegraded(app: AppContext, degraded: boolean): void {
  app.logFields.degraded = degraded;
  if (degraded) app.metrics.inc("ragway_degraded_answers_total", { route: app.route });
}

/** Which model answered and why, for clients that can read headers but not the stream's body. */
function routingHeaders(
  plan: ChatPlan,
  model: ModelInfo,
  degraded: boolean,
  attempts: LinkAttempt[],
): Record<string, string> {
  return {
    "x-model": model.id,
    "x-model-reason": plan.reason,
    "x-degraded": String(degraded),
    "x-attempts": String(attempts.length),
  };
}
