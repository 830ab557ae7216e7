// The RAG query path after the cache: embed the question, retrieve, pack the context to the
// model's budget with exact counts, generate, and account usage and cost. An upstream model that
// fails falls back to the extractive answer, so a query is always answered.
import type { ModelInfo } from "../llm/catalog.js";
import { costUsd, findModel } from "../llm/catalog.js";
import type { ChatResult, Outcome, Provider, Usage } from "../llm/types.js";
import type { Clock } from "../ports.js";
import type { TokenCounter } from "../tokens/count.js";
import { formatContext, packContext } from "../tokens/pack-context.js";
import { extractiveAnswer, NO_SOURCES_ANSWER } from "./extractive.js";
import { buildRagMessages, RAG_SYSTEM_PROMPT } from "./prompt.js";
import type { MetadataFilter, RetrievedChunk } from "./types.js";

export type RetrievalMode = "hybrid" | "dense" | "lexical";

export interface QueryPlan {
  query: string;
  k: number;
  filter?: MetadataFilter;
  model: ModelInfo;
  maxContextTokens?: number;
  retrieval: RetrievalMode;
  /** Completion cap sent upstream. */
  maxTokens: number;
}

export interface QueryDeps {
  counter: TokenCounter;
  catalog: readonly ModelInfo[];
  clock: Clock;
  embedQuery(text: string): Promise<Outcome<Float32Array>>;
  search(params: {
    text: string;
    vector: Float32Array | null;
    k: number;
    filter?: MetadataFilter;
    mode: RetrievalMode;
  }): Promise<{ version: number; chunks: RetrievedChunk[] }>;
  providerFor(model: ModelInfo): Provider;
}

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

export const EXTRACTIVE_MODEL_ID = "local-extractive";

/** Answers one query end to end (no caching, no limits: those wrap this). */
export async function answerQuery(plan: QueryPlan, deps: QueryDeps): Promise<QueryAnswer> {
  const t0 = deps.clock();
  const embedded = plan.retrieval === "lexical" ? null : await deps.embedQuery(plan.query);
  // A failed query embedding degrades retrieval to lexical rather than failing the request.
  const vector = embedded?.ok ? embedded.value : null;
  const found = await deps.search({
    text: plan.query,
    vector,
    k: plan.k,
    ...(plan.filter ? { filter: plan.filter } : {}),
    mode: vector ? plan.retrieval : "lexical",
  });
  const t1 = deps.clock();

  const budget = contextBudget(plan, deps.counter);
  const packed = packContext(found.chunks, { maxTokens: budget, counter: deps.counter });
  const context = formatContext(packed.packed);
  const attempts: Attempt[] = [];

  let result: { text: string; model: string; usage?: Usage } | null = null;
  // With nothing to ground an answer on, no model is paid to improvise one.
  if (packed.packed.length === 0) {
    result = { text: noContextAnswer(found.chunks.length, budget), model: EXTRACTIVE_MODEL_ID };
    attempts.push({ model: EXTRACTIVE_MODEL_ID, ok: true });
  } else if (plan.model.provider !== "local") {
    const generated = await generate(plan, context, deps);
    if (generated.ok) {
      attempts.push({ model: plan.model.id, ok: true });
      result = generated.value;
    } else {
      attempts.push({
        model: plan.model.id,
        ok: false,
        reason: generated.failure.reason,
        ...(generated.failure.status ? { status: generated.failure.status } : {}),
      });
    }
  }
  const degraded = plan.model.provider !== "local" && result === null;
  if (result === null) {
    const extractive = extractiveAnswer(
      plan.query,
      packed.packed.map((c) => ({ title: c.title, text: c.text })),
    );
    attempts.push({ model: EXTRACTIVE_MODEL_ID, ok: true });
    result = { text: extractive.answer, model: EXTRACTIVE_MODEL_ID };
  }
  const t2 = deps.clock();

  const answeredBy = findModel(deps.catalog, result.model) ?? plan.model;
  const usage =
    result.usage ?? countedUsage(plan.query, context, result.text, deps.counter, answeredBy);
  return {
    answer: result.text,
    sources: packed.packed.map((c) => ({
      id: c.docId,
      chunk_id: c.chunkId,
      title: c.title,
      source: c.source,
      score: c.score,
      text: c.text,
    })),
    model: answeredBy.id,
    degraded,
    usage: { ...usage, cost_usd: costUsd(answeredBy, usage) },
    attempts,
    timings: { retrieval_ms: t1 - t0, generation_ms: t2 - t1 },
    index_version: found.version,
    context_tokens: packed.usedTokens,
  };
}

/** The answer when no source could be packed: none matched, or none fit the budget. */
export function noContextAnswer(retrieved: number, budget: number): string {
  if (retrieved === 0) return NO_SOURCES_ANSWER;
  return `${retrieved} matching source${retrieved === 1 ? "" : "s"} did not fit in the context budget of ${budget} tokens; raise max_context_tokens to get an answer.`;
}

/** Context tokens allowed: the caller's cap, never more than the window leaves after the rest. */
export function contextBudget(plan: QueryPlan, counter: TokenCounter): number {
  const fixed = counter.count(RAG_SYSTEM_PROMPT) + counter.count(plan.query) + plan.maxTokens + 32;
  const windowRoom = Math.max(0, plan.model.contextWindow - fixed);
  return plan.maxContextTokens === undefined
    ? windowRoom
    : Math.min(plan.maxContextTokens, windowRoom);
}

async function generate(
  plan: QueryPlan,
  context: string,
  deps: QueryDeps,
): Promise<Outcome<ChatResult>> {
  return deps.providerFor(plan.model).chat({
    model: plan.model.id,
    messages: buildRagMessages(plan.query, context),
    maxTokens: plan.maxTokens,
    temperature: 0,
  });
}

/** Usage from exact counts, for providers that report none (the extractive answer). */
function countedUsage(
  question: string,
  context: string,
  answer: string,
  counter: TokenCounter,
  model: ModelInfo,
): Usage {
  const prompt_tokens =
    model.provider === "local"
      ? counter.count(context) + counter.count(question)
      : counter.count(RAG_SYSTEM_PROMPT) + counter.count(context) + counter.count(question);
  const completion_tokens = counter.count(answer);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}
