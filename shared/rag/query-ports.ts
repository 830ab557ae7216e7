// What the query service needs from the platform, and from each request it serves. The service
// is built once per isolate over these ports; `R` is the platform's request (workers/ passes its
// request context), which the service never looks into: it only hands it back to the ports.
import type { CacheState } from "../cache/cache-state.js";
import type { CacheScope } from "../cache/answer-key.js";
import type { SemanticIndex } from "../cache/semantic.js";
import type { TieredCache } from "../cache/tiered.js";
import type { ModelInfo } from "../llm/catalog.js";
import type { Resilience } from "../llm/fallback.js";
import type { Outcome, Provider } from "../llm/types.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Clock } from "../ports.js";
import type { TokenCounter } from "../tokens/count.js";
import type { Spend } from "../util/spend.js";
import type { CacheDirectives } from "../cache/directives.js";
import type { QueryPlan, SearchParams } from "./query-plan.js";
import type { RetrievedChunk } from "./types.js";

export type { SearchParams } from "./query-plan.js";

/** The platform, as the query service uses it. */
export interface QueryPorts<R> {
  catalog: readonly ModelInfo[];
  available: ReadonlySet<ModelInfo["provider"]>;
  counter: TokenCounter;
  /** The deployment's fallback order (FALLBACK_MODELS), if configured. */
  fallbackModels?: readonly string[];
  /** The embedding model whose vectors the index holds (part of every answer key). */
  embeddingModel: string;
  clock: Clock;
  /** The isolate's semantic index, when semantic hits are on. */
  semantic: { index: SemanticIndex; threshold: number } | null;
  /**
   * The index version and purge epochs answers in `namespace` and `scope` key on. Throws the
   * platform's not-found error when the namespace does not exist.
   */
  cacheState(request: R, namespace: string, scope: CacheScope): Promise<CacheState>;
  /** The answer tiers (memory, edge, kv), their keys carrying `state`'s purge epochs. */
  tiers(request: R, state: CacheState): TieredCache;
  /** Retrieves from the namespace's index; the result carries the version it searched. */
  search(
    request: R,
    namespace: string,
    scope: CacheScope,
    params: SearchParams,
  ): Promise<{ version: number; chunks: RetrievedChunk[] }>;
  /** Embeds the question with the deployment's embedding model (through its cache). */
  embed(request: R, text: string): Promise<Outcome<Float32Array>>;
  /** What embedding `text` costs, to reserve before doing it. */
  embeddingCost(text: string): Spend;
  /** The provider that generates with `model` on behalf of `request`. */
  providerFor(request: R, model: ModelInfo): Provider;
  resilience(request: R): Resilience;
  /** Epoch ms by which the request's upstream work must be done. */
  deadlineAt(request: R): number;
  /** Keeps work alive after the response (the cache writes, a computation others wait on). */
  waitUntil(request: R, work: Promise<unknown>): void;
  metrics(request: R): Metrics;
}

/**
 * One request's own spend. Every reservation a request makes and its one settlement go here,
 * before and after any computation it shares, never inside it.
 */
export interface SpendAccount {
  /** Reserves what `amount` needs beyond what is held; a refusal throws the request's error. */
  raise(amount: Spend): Promise<void>;
  /** The same, but a refusal answers false. */
  tryRaise(amount: Spend): Promise<boolean>;
  /** Settles everything held with what was actually used (once). */
  settle(actual: Spend): Promise<void>;
}

/** The request a query is answered for. */
export interface QueryCaller<R> {
  /** Handed back to the ports untouched. */
  request: R;
  account: SpendAccount;
  /** Counts the request against its window when it reserves nothing (a cache hit). */
  admit(): Promise<void>;
}

/**
 * One validated query: what its answer is planned from (less the deadline, which each
 * computation sets), where it is searched, who shares it, and how the cache may be used.
 */
export interface QuerySpec extends Omit<QueryPlan, "deadlineAt" | "signal"> {
  /** The namespace whose index answers (already authorized). */
  namespace: string;
  /** Who may share the cached answer (see shared/cache/answer-key). */
  scope: CacheScope;
  directives: CacheDirectives;
}
