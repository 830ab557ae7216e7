// The first half of answering a query: embed the question, retrieve, classify the task, choose
// the model and its fallback chain, and price every link (its context packed to its own window,
// counted exactly). Pure apart from the embed and search ports, so a plan can be shared by every
// request waiting on the same question, each reserving for it on its own account.
import type { ModelInfo } from "../llm/catalog.js";
import { costUsd, findModel } from "../llm/catalog.js";
import { classifyTask } from "../llm/classify-task.js";
import { fallbackChain } from "../llm/fallback.js";
import { selectModel } from "../llm/select-model.js";
import { countChatPromptTokens } from "../tokens/chat-prompt.js";
import type { TokenCounter } from "../tokens/count.js";
import { formatContext, packContext, type PackResult } from "./pack-context.js";
import type { GenerationEstimate, QueryDeps, QueryPlan } from "./query-plan.js";
import { buildRagMessages, RAG_SYSTEM_PROMPT } from "./prompt.js";
import type { RetrievedChunk } from "./types.js";

/** The model id of the extractive answer, the last link of every chain. */
export const EXTRACTIVE_MODEL_ID = "local-extractive";

/**
 * What retrieval decided, before any model runs: the sources, the chosen model and its fallback
 * chain, and what generating may cost. Pure data plus memoized packing, so everyone waiting on
 * one computation can share it and reserve for it on their own account.
 */
export interface PlannedAnswer {
  plan: QueryPlan;
  version: number;
  chunks: RetrievedChunk[];
  /** The question's embedding, when retrieval made (or was given) one. */
  vector: Float32Array | null;
  /** How the model was chosen (the `x-model-reason` header). */
  reason: string;
  chosen: ModelInfo;
  /** The paid links, in order; empty when the local model was the choice. */
  chain: ModelInfo[];
  /** The extractive answer's model: the last link, always. */
  local: ModelInfo;
  questionTokens: number;
  /** Epoch ms when the query began, and when retrieval ended. */
  startedAt: number;
  retrievedAt: number;
  /**
   * `first`: the most the first link with context may use (what must be reserved before
   * generating); `most`: the most any link that may run could use (what covers every fallback).
   */
  estimates: { first: GenerationEstimate; most: GenerationEstimate };
  packFor: (model: ModelInfo) => PackResult;
  estimateFor: (model: ModelInfo) => GenerationEstimate;
}

/** Embeds the question, retrieves, classifies the task, chooses the model and prices the links. */
export async function planAnswer(
  plan: QueryPlan,
  deps: Omit<QueryDeps, "providerFor" | "resilience" | "beforeGenerate" | "coverLink">,
): Promise<PlannedAnswer> {
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

  const questionTokens = deps.counter.count(plan.query);
  const retrievedTokens = found.chunks.reduce((n, c) => n + c.tokens, 0);
  const task = classifyTask({
    question: plan.query,
    questionTokens,
    contextTokens: Math.min(retrievedTokens, plan.maxContextTokens ?? Infinity),
    chunks: found.chunks.length,
  });
  const fixed = fixedTokens(plan, questionTokens, deps.counter);
  const choice = selectModel(plan.model, plan.priority, deps.catalog, deps.available, {
    task,
    tokensNeeded: fixed + Math.min(retrievedTokens, plan.maxContextTokens ?? Infinity),
  });
  if (!choice.ok) throw new Error(`answerQuery: model was not checked first: ${choice.message}`);

  // Each model gets the context packed to its own window; packings are shared by equal budgets.
  const packings = new Map<number, PackResult>();
  const packFor = (model: ModelInfo): PackResult => {
    const budget = contextBudget(model, plan, questionTokens, deps.counter);
    let packed = packings.get(budget);
    if (!packed) {
      packed = packContext(found.chunks, { maxTokens: budget, counter: deps.counter });
      packings.set(budget, packed);
    }
    return packed;
  };
  const local = findModel(deps.catalog, EXTRACTIVE_MODEL_ID) ?? choice.model;
  const chain =
    choice.model.provider === "local"
      ? []
      : fallbackChain(choice.model, {
          catalog: deps.catalog,
          available: deps.available,
          priority: plan.priority,
          complexity: task.complexity,
          ...(deps.fallbackModels ? { configured: deps.fallbackModels } : {}),
        });
  // Each link's prompt is counted once, however often its estimate is asked for.
  const estimates = new Map<string, GenerationEstimate>();
  const estimateFor = (model: ModelInfo): GenerationEstimate => {
    let e = estimates.get(model.id);
    if (!e) {
      e = estimate(model, plan, packFor(model), deps.counter);
      estimates.set(model.id, e);
    }
    return e;
  };
  const runnable = [...chain, local].filter((m) => packFor(m).packed.length > 0);
  const [first] = runnable;
  const most = { tokens: 0, usd: 0 };
  for (const m of runnable) {
    const e = estimateFor(m);
    most.tokens = Math.max(most.tokens, e.tokens);
    most.usd = Math.max(most.usd, e.usd);
  }
  return {
    plan,
    version: found.version,
    chunks: found.chunks,
    vector,
    reason: choice.reason,
    chosen: choice.model,
    chain,
    local,
    questionTokens,
    startedAt: t0,
    retrievedAt: t1,
    estimates: { first: first ? estimateFor(first) : { tokens: 0, usd: 0 }, most },
    packFor,
    estimateFor,
  };
}

/** Tokens of everything but the context: instructions, question, answer room, framing. */
function fixedTokens(
  plan: Pick<QueryPlan, "maxTokens">,
  questionTokens: number,
  counter: TokenCounter,
): number {
  return counter.count(RAG_SYSTEM_PROMPT) + questionTokens + plan.maxTokens + 32;
}

/** Context tokens allowed for `model`: the caller's cap, never more than its window leaves. */
export function contextBudget(
  model: ModelInfo,
  plan: Pick<QueryPlan, "maxTokens" | "maxContextTokens">,
  questionTokens: number,
  counter: TokenCounter,
): number {
  const windowRoom = Math.max(0, model.contextWindow - fixedTokens(plan, questionTokens, counter));
  return plan.maxContextTokens === undefined
    ? windowRoom
    : Math.min(plan.maxContextTokens, windowRoom);
}

/** What one model's generation may use: its counted prompt plus the completion cap. */
function estimate(
  model: ModelInfo,
  plan: QueryPlan,
  packed: PackResult,
  counter: TokenCounter,
): GenerationEstimate {
  const context = formatContext(packed.packed);
  const promptTokens =
    model.provider === "local"
      ? counter.count(context) + counter.count(plan.query)
      : countChatPromptTokens(buildRagMessages(plan.query, context), counter);
  return {
    tokens: promptTokens + plan.maxTokens,
    usd: costUsd(model, { prompt_tokens: promptTokens, completion_tokens: plan.maxTokens }),
  };
}
