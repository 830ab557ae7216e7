// The query service: one /v1/query (or batch item) answered in a straight line. Look the answer
// up; on a miss, reserve on this request's own account, then join or start the shared
// computation, then settle what this request itself spent. The computation has two paid stages
// (the question's embedding with retrieval, then generation), and each is funded by the request
// that starts it, which reserved for it first: a shared stage never reserves, refuses or settles,
// so no request ever receives another's 429. A request served by a computation someone else ran
// is billed as a cache hit (nothing). Built once per isolate over ports (./query-ports).
import {
  answerKey,
  normalizeQuery,
  semanticBucket,
  type AnswerKeyParts,
  type CacheScope,
} from "../cache/answer-key.js";
import { CachedCompute, type CacheStatus } from "../cache/cached-compute.js";
import type { CacheDirectives } from "../cache/directives.js";
import { SingleFlight } from "../cache/single-flight.js";
import type { Priority } from "../llm/select-model.js";
import type { Spend } from "../util/spend.js";
import {
  generateAnswer,
  planAnswer,
  type PlannedAnswer,
  type QueryAnswer,
  type RetrievalMode,
} from "./answer-query.js";
import { parseQueryAnswer } from "./answer-schema.js";
import type { QueryCaller, QueryPorts } from "./query-ports.js";
import type { MetadataFilter } from "./types.js";

/** One validated query. */
export interface QuerySpec {
  query: string;
  k: number;
  filter?: MetadataFilter;
  /** A usable catalog chat model id, or `auto` (checked by the caller). */
  model: string;
  priority: Priority;
  maxContextTokens?: number;
  retrieval: RetrievalMode;
  /** Completion cap sent upstream. */
  maxTokens: number;
  /** The namespace whose index answers (already authorized). */
  namespace: string;
  /** Who may share the cached answer (see shared/cache/answer-key). */
  scope: CacheScope;
  directives: CacheDirectives;
}

/** How a query's answer was obtained. */
export interface QueryCacheInfo {
  status: CacheStatus;
  fromCache: boolean;
  /** Served by a computation another request in this isolate ran. */
  coalesced: boolean;
  semantic?: { similarity: number; matchedQuery: string };
  /** When served from a cache or a shared computation: what computing it cost, now saved. */
  saved: Spend | null;
}

/** A query as this request experienced it. */
export interface ServedQuery {
  /** Usage, attempts and timings are zero when this request ran no model. */
  answer: QueryAnswer;
  /** How the model was chosen (`cached` when this request ran no model). */
  reason: string;
  cache: QueryCacheInfo;
  /** True when this request ran the generation (and so paid `answer.usage`). */
  generated: boolean;
  /** Everything this request was charged: the generation it ran, the embedding it made. */
  spent: Spend;
}

export interface QueryService<R> {
  answer(spec: QuerySpec, caller: QueryCaller<R>): Promise<ServedQuery>;
}

type Semantic = { similarity: number; matchedQuery: string };

/** Stage one's outcome: an answer found after all, or what retrieval decided. */
type Prepared =
  | {
      kind: "found";
      answer: QueryAnswer;
      status: CacheStatus;
      saved: Spend;
      semantic?: Semantic;
      paid: Spend;
    }
  | { kind: "planned"; planned: PlannedAnswer; paid: Spend };

/** Stage two's outcome. */
interface Generated {
  answer: QueryAnswer;
  reason: string;
  /** What answering from scratch costs: the generation plus the question's embedding. */
  cost: Spend;
  /** True when the fastest tier already held it (a computation had just finished). */
  found: boolean;
}

const ZERO: Spend = { tokens: 0, usd: 0 };

/**
 * Builds the service; call once per isolate (the single-flight tables live in it).
 * @example
 * const service = createQueryService(ports);
 * const served = await service.answer(spec, { request, account, admit });
 */
export function createQueryService<R>(ports: QueryPorts<R>): QueryService<R> {
  const plans = new SingleFlight<Prepared>();
  const generations = new SingleFlight<Generated>();

  async function answer(spec: QuerySpec, caller: QueryCaller<R>): Promise<ServedQuery> {
    const r = caller.request;
    const state = await ports.cacheState(r, spec.namespace, spec.scope);
    const parts = keyParts(spec, ports.embeddingModel, state.version);
    const cache = new CachedCompute<QueryAnswer>({
      cache: "answer",
      tiers: ports.tiers(r, state),
      parse: parseQueryAnswer,
      metrics: ports.metrics(r),
      clock: ports.clock,
    });
    const semantic = spec.retrieval === "lexical" ? null : ports.semantic;
    const { lookup } = spec.directives;
    const key = await answerKey(parts);
    if (lookup) {
      const hit = await cache.lookup(key);
      if (hit) {
        await caller.admit();
        // The semantic index lives in isolate memory and dies with it, while the answer survives
        // in the edge and KV tiers: re-register questions found there, after the response.
        if (semantic && !cache.isFastest(hit.tier)) {
          ports.waitUntil(r, register(caller, parts, key, semantic.index));
        }
        return fromCache(hit.value, { status: hit.status, coalesced: false, saved: hit.saved });
      }
    }

    // A miss. A request that joins a computation already under way reserves nothing and is
    // billed as a cache hit; one that would start a stage first reserves what the stage costs
    // on its own account, and a refusal there is its own (the requests waiting on it then start
    // the stage in turn, on theirs).
    const account = caller.account;
    const embedCost = spec.retrieval === "lexical" ? ZERO : ports.embeddingCost(spec.query);
    // What this request holds for the question's embedding (when it led stage one).
    let base = ZERO;
    const reserveEmbedding = async (): Promise<void> => {
      await account.raise(embedCost);
      base = embedCost;
    };
    const spent = { ...ZERO };
    // Set by stage one's embedding when this request leads it: whoever embeds the question pays.
    const mine = { embedded: false };
    try {
      const onLead = (shared: Promise<unknown>): void => ports.waitUntil(r, shared);
      const prepare = (): Promise<Prepared> =>
        prepareAnswer(spec, parts, key, cache, caller, embedCost, mine);
      // The question's embedding is reserved before it is made (and is the admission too).
      const first = lookup
        ? await plans.run(key, prepare, onLead, reserveEmbedding)
        : await reserveEmbedding().then(async () => ({ value: await prepare(), leader: true }));
      const prepared = first.value;
      if (prepared.kind === "found") {
        cache.countHit(prepared.status, prepared.saved);
        await caller.admit();
        return { ...fromCache(prepared.answer, { ...prepared, coalesced: false }), spent };
      }
      const { planned } = prepared;
      // Generation is reserved for the first model that can run (its counted prompt and the
      // completion cap) on top of what this request holds; a costlier fallback asks for more.
      const generationHold = (estimate: Spend): Spend => ({
        tokens: base.tokens + estimate.tokens,
        usd: base.usd + estimate.usd,
      });
      const fund = (): Promise<void> => account.raise(generationHold(planned.estimates.first));
      const generate = (): Promise<Generated> =>
        generateShared(spec, planned, prepared.paid, key, cache, caller, generationHold, lookup);
      const second = lookup
        ? await generations.run(key, generate, onLead, fund)
        : await fund().then(async () => ({ value: await generate(), leader: true }));
      await caller.admit();
      const generated = second.value;
      if (!second.leader || generated.found) {
        if (second.leader) cache.countHit("HIT-MEMORY", generated.cost);
        else cache.countCoalesced(generated.cost);
        return {
          ...fromCache(generated.answer, {
            status: "HIT-MEMORY",
            coalesced: !second.leader,
            saved: generated.cost,
          }),
          spent,
        };
      }
      add(spent, {
        tokens: generated.answer.usage.total_tokens,
        usd: generated.answer.usage.cost_usd,
      });
      cache.countComputed(!lookup);
      return {
        answer: generated.answer,
        reason: generated.reason,
        cache: {
          status: lookup ? "MISS" : "BYPASS",
          fromCache: false,
          coalesced: false,
          saved: null,
        },
        generated: true,
        spent,
      };
    } finally {
      // Also when a stage threw: the question was embedded, and nothing else was billed.
      if (mine.embedded) add(spent, embedCost);
      await caller.account.settle(spent);
    }
  }

  /**
   * Stage one, shared by everyone who asks the same question meanwhile and run on the leader's
   * reservation: a second look in memory (a computation may have just finished), the semantic
   * match, then embedding and retrieval.
   */
  async function prepareAnswer(
    spec: QuerySpec,
    parts: AnswerKeyParts,
    key: string,
    cache: CachedCompute<QueryAnswer>,
    caller: QueryCaller<R>,
    embedCost: Spend,
    mine: { embedded: boolean },
  ): Promise<Prepared> {
    const r = caller.request;
    if (spec.directives.lookup) {
      const again = await cache.find(key, { fastestOnly: true });
      if (again)
        return {
          kind: "found",
          answer: again.value,
          status: again.status,
          saved: again.saved,
          paid: ZERO,
        };
    }
    let vector: Float32Array | null = null;
    const embedQuery = async (text: string) => {
      if (vector) return { ok: true as const, value: vector };
      const made = await ports.embed(r, text);
      if (made.ok) {
        vector = made.value;
        mine.embedded = true;
      }
      return made;
    };
    const semantic = spec.retrieval === "lexical" ? null : ports.semantic;
    if (semantic && spec.directives.lookup) {
      await embedQuery(spec.query);
      if (vector) {
        const bucket = await semanticBucket(parts);
        const match = semantic.index.best(bucket, vector, semantic.threshold);
        if (match) {
          const hit = await cache.find(match.key);
          if (hit) {
            return {
              kind: "found",
              answer: hit.value,
              status: "HIT-SEMANTIC",
              saved: hit.saved,
              semantic: { similarity: round(match.similarity), matchedQuery: match.query },
              paid: embedCost,
            };
          }
          semantic.index.forget(bucket, match.key);
        }
      }
    }
    const planned = await planAnswer(
      {
        query: spec.query,
        k: spec.k,
        ...(spec.filter ? { filter: spec.filter } : {}),
        model: spec.model,
        priority: spec.priority,
        ...(spec.maxContextTokens !== undefined ? { maxContextTokens: spec.maxContextTokens } : {}),
        retrieval: spec.retrieval,
        maxTokens: spec.maxTokens,
        deadlineAt: ports.deadlineAt(r),
      },
      {
        counter: ports.counter,
        catalog: ports.catalog,
        available: ports.available,
        ...(ports.fallbackModels ? { fallbackModels: ports.fallbackModels } : {}),
        clock: ports.clock,
        embedQuery,
        search: (params) => ports.search(r, spec.namespace, spec.scope, params),
      },
    );
    // Whoever embeds the question pays for it: the leader of this stage, when it made a vector.
    return { kind: "planned", planned, paid: planned.vector ? embedCost : ZERO };
  }

  /**
   * Stage two, shared likewise and run on its leader's reservation: the fallback chain, then the
   * cache write under the version the search saw. A costlier fallback runs only if the leader's
   * account covers it (asked, never refused with an error).
   */
  async function generateShared(
    spec: QuerySpec,
    planned: PlannedAnswer,
    embedding: Spend,
    key: string,
    cache: CachedCompute<QueryAnswer>,
    caller: QueryCaller<R>,
    hold: (estimate: Spend) => Spend,
    lookup: boolean,
  ): Promise<Generated> {
    const r = caller.request;
    if (lookup) {
      const again = await cache.find(key, { fastestOnly: true });
      if (again) return { answer: again.value, reason: "cached", cost: again.saved, found: true };
    }
    const result = await generateAnswer(
      planned,
      {
        counter: ports.counter,
        clock: ports.clock,
        resilience: ports.resilience(r),
        providerFor: (m) => ports.providerFor(r, m),
      },
      (estimate) => caller.account.tryRaise(hold(estimate)),
    );
    const { answer } = result;
    const cost = {
      tokens: answer.usage.total_tokens + embedding.tokens,
      usd: answer.usage.cost_usd + embedding.usd,
    };
    // A degraded answer reflects a passing outage: never frozen into the cache.
    if (spec.directives.store && !answer.degraded) {
      const seen = { ...keyParts(spec, ports.embeddingModel, answer.index_version) };
      const seenKey = await answerKey(seen);
      await cache.store(seenKey, answer, cost);
      const semantic = spec.retrieval === "lexical" ? null : ports.semantic;
      if (semantic && planned.vector) {
        semantic.index.add(await semanticBucket(seen), {
          key: seenKey,
          query: normalizeQuery(seen.query),
          vector: planned.vector,
        });
      }
    }
    return { answer, reason: result.reason, cost, found: false };
  }

  /** Embeds a question found in a lower tier and adds it back to the semantic index. */
  async function register(
    caller: QueryCaller<R>,
    parts: AnswerKeyParts,
    key: string,
    index: NonNullable<QueryPorts<R>["semantic"]>["index"],
  ): Promise<void> {
    // Embedded like every paid call: reserved first, settled as spent.
    const cost = ports.embeddingCost(parts.query);
    await caller.account.raise(cost);
    const made = await ports.embed(caller.request, parts.query);
    await caller.account.settle(made.ok ? cost : ZERO);
    if (!made.ok) return;
    index.add(await semanticBucket(parts), {
      key,
      query: normalizeQuery(parts.query),
      vector: made.value,
    });
  }

  return { answer };
}

/** The key parts of `spec` at `indexVersion`. */
function keyParts(spec: QuerySpec, embeddingModel: string, indexVersion: number): AnswerKeyParts {
  return {
    query: spec.query,
    k: spec.k,
    ...(spec.filter ? { filter: spec.filter } : {}),
    model: spec.model,
    priority: spec.priority,
    ...(spec.maxContextTokens !== undefined ? { maxContextTokens: spec.maxContextTokens } : {}),
    retrieval: spec.retrieval,
    embeddingModel,
    indexVersion,
    scope: spec.scope,
    namespace: spec.namespace,
  };
}

/** An answer this request did not compute: nothing spent, nothing attempted. */
function fromCache(
  answer: QueryAnswer,
  info: { status: CacheStatus; coalesced: boolean; saved: Spend; semantic?: Semantic },
): ServedQuery {
  return {
    answer: {
      ...answer,
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0 },
      attempts: [],
      timings: { retrieval_ms: 0, generation_ms: 0 },
    },
    reason: "cached",
    cache: {
      status: info.status,
      fromCache: true,
      coalesced: info.coalesced,
      ...(info.semantic ? { semantic: info.semantic } : {}),
      saved: info.saved,
    },
    generated: false,
    spent: ZERO,
  };
}

function add(total: Spend, more: Spend): void {
  total.tokens += more.tokens;
  total.usd += more.usd;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
