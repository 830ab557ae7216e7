// The RAG query path after the cache: embed the question, retrieve, classify the task and choose
// the model, then walk the fallback chain, packing the context to each model's own window with
// exact counts. The last link is the extractive answer, so a query is always answered.
import type { ModelInfo } from "../llm/catalog.js";
import { costUsd, findModel } from "../llm/catalog.js";
import { classifyTask } from "../llm/classify-task.js";
import { fallbackChain, runFallback, type Resilience } from "../llm/fallback.js";
import { selectModel, type Priority } from "../llm/select-model.js";
import type { ChatResult, Outcome, Provider, Usage } from "../llm/types.js";
import type { Clock } from "../ports.js";
import type { Spend } from "../util/spend.js";
import { countChatPromptTokens } from "../tokens/chat-prompt.js";
import type { TokenCounter } from "../tokens/count.js";
import { formatContext, packContext, type PackResult } from "./pack-context.js";
import { extractiveAnswer, NO_SOURCES_ANSWER } from "../text/extractive.js";
import { buildRagMessages, RAG_SYSTEM_PROMPT } from "./prompt.js";
import type { MetadataFilter, RetrievedChunk } from "./types.js";

export type RetrievalMode = "hybrid" | "dense" | "lexical";

export interface QueryPlan {
  query: string;
  k: number;
  filter?: MetadataFilter;
  /** A catalog chat model id, or `auto` (already checked with `resolveExplicit`). */
  model: string;
  priority: Priority;
  maxContextTokens?: number;
  retrieval: RetrievalMode;
  /** Completion cap sent upstream. */
  maxTokens: number;
  /** Epoch ms by which generation must be done; past it the extractive answer is given. */
  deadlineAt: number;
  signal?: AbortSignal;
}

export interface QueryDeps {
  counter: TokenCounter;
  catalog: readonly ModelInfo[];
  available: ReadonlySet<ModelInfo["provider"]>;
  /** The deployment's fallback order (FALLBACK_MODELS), if configured. */
  fallbackModels?: readonly string[];
  clock: Clock;
  resilience: Resilience;
  embedQuery(text: string): Promise<Outcome<Float32Array>>;
  search(params: {
    text: string;
    vector: Float32Array | null;
    k: number;
    filter?: MetadataFilter;
    mode: RetrievalMode;
  }): Promise<{ version: number; chunks: RetrievedChunk[] }>;
  providerFor(model: ModelInfo): Provider;
  /**
   * Called once the prompts are built and before any model runs, with the most the first model
   * may use: the place to reserve tokens and spend. Throwing refuses the query before anything
   * is generated.
   */
  beforeGenerate?(estimate: GenerationEstimate): Promise<void>;
  /**
   * Called before each link of the fallback chain, with the most that model may use: raises the
   * reservation when it costs more than what is held. False (refused) skips the link, so a
   * fallback never spends past the caller's limits; the extractive answer costs nothing.
   */
  coverLink?(estimate: GenerationEstimate): Promise<boolean>;
}

/** The most one model's generation may use: the counted prompt plus the completion cap, at its
 * prices. */
export type GenerationEstimate = Spend;

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

export const EXTRACTIVE_MODEL_ID = "local-extractive";

/** Answers one query end to end (no caching, no limits: those wrap this). */
export async function answerQuery(plan: QueryPlan, deps: QueryDeps): Promise<QueryResult> {
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

  const links = [...chain, local];
  const noContext = links.every((m) => packFor(m).packed.length === 0);
  const coverLink = deps.coverLink?.bind(deps);
  // Each link's prompt is counted once, though the first link's estimate is asked for twice
  // (reserved up front, then admitted by the walk).
  const estimates = new Map<string, GenerationEstimate>();
  const estimateFor = (model: ModelInfo): GenerationEstimate => {
    let e = estimates.get(model.id);
    if (!e) {
      e = estimate(model, plan, packFor(model), deps.counter);
      estimates.set(model.id, e);
    }
    return e;
  };
  const first = links.find((m) => packFor(m).packed.length > 0);
  await deps.beforeGenerate?.(first ? estimateFor(first) : { tokens: 0, usd: 0 });

  let generated: { result: ChatResult; model: ModelInfo; packed: PackResult } | null = null;
  let attempts: Attempt[] = [];
  let degraded = false;
  if (noContext) {
    // With nothing to ground an answer on, no model is paid to improvise one.
    const budget = contextBudget(choice.model, plan, questionTokens, deps.counter);
    generated = {
      result: {
        model: EXTRACTIVE_MODEL_ID,
        text: noContextAnswer(found.chunks.length, budget),
        finishReason: "stop",
      },
      model: local,
      packed: packFor(choice.model),
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
        ...(coverLink ? { admit: (model: ModelInfo) => coverLink(estimateFor(model)) } : {}),
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
  const context = formatContext(packed.packed);
  const usage =
    result.usage ?? countedUsage(plan.query, context, result.text, deps.counter, answeredBy);
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
    timings: { retrieval_ms: t1 - t0, generation_ms: t2 - t1 },
    index_version: found.version,
    context_tokens: packed.usedTokens,
  };
  return { answer, reason: choice.reason };
}

/** The answer when no source could be packed: none matched, or none fit the budget. */
export function noContextAnswer(retrieved: number, budget: number): string {
  if (retrieved === 0) return NO_SOURCES_ANSWER;
  return `${retrieved} matching source${retrieved === 1 ? "" : "s"} did not fit in the context budget of ${budget} tokens; raise max_context_tokens to get an answer.`;
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

async function generate(
  model: ModelInfo,
  plan: QueryPlan,
  context: string,
  signal: AbortSignal,
  deps: QueryDeps,
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
