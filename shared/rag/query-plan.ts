// What a query asks for (its plan) and the ports answering it needs: the types the planning half
// (./plan-answer) and the generating half (./answer-query) share, kept apart so neither imports
// the other.
import type { ModelInfo } from "../llm/catalog.js";
import type { Resilience } from "../llm/fallback.js";
import type { Priority } from "../llm/select-model.js";
import type { Outcome, Provider } from "../llm/types.js";
import type { Clock } from "../ports.js";
import type { Spend } from "../util/spend.js";
import type { TokenCounter } from "../tokens/count.js";
import type { MetadataFilter, RetrievedChunk } from "./types.js";

export type RetrievalMode = "hybrid" | "dense" | "lexical";

/** One retrieval in a namespace's index. */
export interface SearchParams {
  text: string;
  vector: Float32Array | null;
  k: number;
  filter?: MetadataFilter;
  mode: RetrievalMode;
}

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
  search(params: SearchParams): Promise<{ version: number; chunks: RetrievedChunk[] }>;
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
