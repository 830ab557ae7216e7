// The RAG query path after the cache: plan (./plan-answer: embed, retrieve, choose the model,
// price the links), then walk the fallback chain with the context packed to each model's own
// window. The last link is the extractive answer, so a query is always answered.
import type { ModelInfo } from "../llm/catalog.js";
import { costUsd } from "../llm/catalog.js";
import { runFallback } from "../llm/fallback.js";
import type { ChatResult, Outcome, Usage } from "../llm/types.js";
import type { TokenCounter } from "../tokens/count.js";
import { formatContext, type PackResult } from "./pack-context.js";
import { extractiveAnswer, NO_SOURCES_ANSWER } from "../text/extractive.js";
import {
  contextBudget,
  EXTRACTIVE_MODEL_ID,
  planAnswer,
  type PlannedAnswer,
} from "./plan-answer.js";
import { buildRagMessages, RAG_SYSTEM_PROMPT } from "./prompt.js";
import type { GenerationEstimate, QueryDeps, QueryPlan } from "./query-plan.js";

export type { GenerationEstimate, QueryDeps, QueryPlan, RetrievalMode } from "./query-plan.js";

/** One try (or skip) of one model, as listed in the response's `attempts`; `reason` is a
 * `LinkAttempt` reason (shared/llm/fallback), kept a plain string so cached answers stay readable across releases. */
export interface Attempt {
  model: string;
  ok: boolean;
  reason?: string;
  status?: number;
}

export interface QueryAnswer {
  answer: string;
  sources: Array<{
    id: string;
    chunk_id: string;
    title: string;
    source: string;
    score: number;
    text: string;
  }>;
  model: string;
  degraded: boolean;
  usage: Usage & { cost_usd: number };
  attempts: Attempt[];
  timings: { retrieval_ms: number; generation_ms: number };
  index_version: number;
  context_tokens: number;
}

/** The answer plus how its model was chosen (for the `x-model-reason` header, not the body). */
export interface QueryResult {
  answer: QueryAnswer;
  reason: string;
}

export {
  EXTRACTIVE_MODEL_ID,
  contextBudget,
  planAnswer,
  type PlannedAnswer,
} from "./plan-answer.js";

/** Answers one query end to end (no caching, no limits: those wrap this). */
export async function answerQuery(plan: QueryPlan, deps: QueryDeps): Promise<QueryResult> {
  const planned = await planAnswer(plan, deps);
  await deps.beforeGenerate?.(planned.estimates.first);
  const coverLink = deps.coverLink?.bind(deps);
  return generateAnswer(planned, deps, coverLink);
}

/**
 * Walks the fallback chain of a planned answer; the extractive answer is the last link, so this
 * always answers. `admit` is asked before each paid link with the most it may use: false skips
 * the link (reason `budget`), so a fallback never spends past what its caller could hold.
 */
export async function generateAnswer(
  planned: PlannedAnswer,
  deps: Pick<QueryDeps, "counter" | "clock" | "resilience" | "providerFor">,
  admit?: (estimate: GenerationEstimate) => Promise<boolean>,
): Promise<QueryResult> {
  const { plan, chain, local, packFor, estimateFor, questionTokens } = planned;
  const links = [...chain, local];
  const noContext = links.every((m) => packFor(m).packed.length === 0);

  let generated: { result: ChatResult; model: ModelInfo; packed: PackResult } | null = null;
  let attempts: Attempt[] = [];
  let degraded = false;
  if (noContext) {
    // With nothing to ground an answer on, no model is paid to improvise one.
    const budget = contextBudget(planned.chosen, plan, questionTokens, deps.counter);
    generated = {
      result: {
        model: EXTRACTIVE_MODEL_ID,
        text: noContextAnswer(planned.chunks.length, budget),
        finishReason: "stop",
      },
      model: local,
      packed: packFor(planned.chosen),
    };
    attempts.push({ model: EXTRACTIVE_MODEL_ID, ok: true });
  } else if (chain.length > 0) {
    const run = await runFallback(
      chain,
      {
        call: (model, signal) =>
          generate(model, plan, formatContext(packFor(model).packed), signal, deps),
        // Context shrinks to each window; a model that cannot take a single source is skipped.
        fits: (model) => packFor(model).packed.length > 0,
        ...(admit ? { admit: (model: ModelInfo) => admit(estimateFor(model)) } : {}),
        deadlineAt: plan.deadlineAt,
        ...(plan.signal ? { signal: plan.signal } : {}),
        finalLink: true,
      },
      deps.resilience,
    );
    attempts = run.attempts;
    if (run.ok) {
      generated = { result: run.value, model: run.model, packed: packFor(run.model) };
      degraded = run.degraded;
    } else {
      degraded = true;
    }
  }
  if (generated === null) {
    const packed = packFor(local);
    const extractive = extractiveAnswer(
      plan.query,
      packed.packed.map((c) => ({ title: c.title, text: c.text })),
    );
    attempts.push({ model: EXTRACTIVE_MODEL_ID, ok: true });
    generated = {
      result: { model: EXTRACTIVE_MODEL_ID, text: extractive.answer, finishReason: "stop" },
      model: local,
      packed,
    };
  }
  const t2 = deps.clock();

  const { result, model: answeredBy, packed } = generated;
  // The packing's usedTokens is the exact count of this rendered context (planAnswer packs with
  // the default, verified count): it is not counted a second time.
  const usage =
    result.usage ??
    countedUsage(plan.query, packed.usedTokens, result.text, deps.counter, answeredBy);
  const answer: QueryAnswer = {
    answer: result.text,
    sources: packed.packed.map((c) => ({
      id: c.docId,
      chunk_id: c.chunkId,
      title: c.title,
      source: c.source,
      score: c.score,
      text: c.text,
    })),
    model: result.model,
    degraded,
    usage: { ...usage, cost_usd: costUsd(answeredBy, usage) },
    attempts,
    timings: {
      retrieval_ms: planned.retrievedAt - planned.startedAt,
      generation_ms: t2 - planned.retrievedAt,
    },
    index_version: planned.version,
    context_tokens: packed.usedTokens,
  };
  return { answer, reason: planned.reason };
}

/** The answer when no source could be packed: none matched, or none fit the budget. */
export function noContextAnswer(retrieved: number, budget: number): string {
  if (retrieved === 0) return NO_SOURCES_ANSWER;
  return `${retrieved} matching source${retrieved === 1 ? "" : "s"} did not fit in the context budget of ${budget} tokens; raise max_context_tokens to get an answer.`;
}

async function generate(
  model: ModelInfo,
  plan: QueryPlan,
  context: string,
  signal: AbortSignal,
  deps: Pick<QueryDeps, "providerFor">,
): Promise<Outcome<ChatResult>> {
  return deps.providerFor(model).chat({
    model: model.id,
    messages: buildRagMessages(plan.query, context),
    maxTokens: plan.maxTokens,
    temperature: 0,
    signal,
  });
}

/** Usage from exact counts, for providers that report none (the extractive answer). */
function countedUsage(
  question: string,
  contextTokens: number,
  answer: string,
  counter: TokenCounter,
  model: ModelInfo,
): Usage {
  const prompt_tokens =
    model.provider === "local"
      ? contextTokens + counter.count(question)
      : counter.count(RAG_SYSTEM_PROMPT) + contextTokens + counter.count(question);
  const completion_tokens = counter.count(answer);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}
