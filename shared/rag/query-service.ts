// The query service: one /v1/query (or batch item) answered in a straight line. Look the answer
// up; on a miss, join the shared computation, or reserve on this request's own account and start
// it; then settle what this request itself spent. The computation has two paid stages
// (./query-stages: the question's embedding with retrieval, then generation), each funded by the
// request that starts it, which reserved for it first: a shared stage never reserves, refuses or
// settles, so no request ever receives another's 429. A request served by a computation someone
// else ran is billed as a cache hit (nothing). Built once per isolate over ports (./query-ports).
import { answerKey } from "../cache/answer-key.js";
import { CachedCompute, type CacheStatus } from "../cache/cached-compute.js";
import { memoizedJsonDecoder } from "../cache/entry-codec.js";
import { SingleFlight } from "../cache/single-flight.js";
import type { Spend } from "../util/spend.js";
import type { QueryAnswer } from "./answer-query.js";
import { parseQueryAnswer } from "./answer-schema.js";
import type { QueryCaller, QueryPorts, QuerySpec } from "./query-ports.js";

export type { QuerySpec } from "./query-ports.js";
import {
  generateShared,
  keyParts,
  prepareAnswer,
  register,
  ZERO,
  type Generated,
  type Prepared,
  type Semantic,
} from "./query-stages.js";

/** How a query's answer was obtained. */
export interface QueryCacheInfo {
  status: CacheStatus;
  fromCache: boolean;
  /** Served by a computation another request in this isolate ran. */
  coalesced: boolean;
  semantic?: { similarity: number; matchedQuery: string };
  /** When served from a cache or a shared computation: what computing it cost, now saved. */
  saved: Spend | null;
  /** When a cached answer was computed (epoch ms); absent for one computed just now. */
  createdAt?: number;
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

/**
 * Builds the service; call once per isolate (the single-flight tables live in it).
 * @example
 * const service = createQueryService(ports);
 * const served = await service.answer(spec, { request, account, admit });
 */
export function createQueryService<R>(ports: QueryPorts<R>): QueryService<R> {
  const plans = new SingleFlight<Prepared>();
  const generations = new SingleFlight<Generated>();
  // A memory hit reuses the answer validated when its bytes entered the isolate.
  const decode = memoizedJsonDecoder(parseQueryAnswer);

  async function answer(spec: QuerySpec, caller: QueryCaller<R>): Promise<ServedQuery> {
    const r = caller.request;
    const state = await ports.cacheState(r, spec.namespace, spec.scope);
    const parts = keyParts(spec, ports.embeddingModel, state.version);
    const { lookup, maxAgeSeconds } = spec.directives;
    const cache = new CachedCompute<QueryAnswer>({
      cache: "answer",
      tiers: ports.tiers(r, state),
      parse: parseQueryAnswer,
      decode,
      metrics: ports.metrics(r),
      clock: ports.clock,
      ...(maxAgeSeconds === undefined ? {} : { maxAgeSeconds }),
    });
    const semantic = spec.retrieval === "lexical" ? null : ports.semantic;
    const key = await answerKey(parts);
    // Requests with different age bounds never share a computation: what a leader's second look
    // finds must be young enough for everyone it is handed to.
    const flight = maxAgeSeconds === undefined ? key : `${key}#max-age=${maxAgeSeconds}`;
    if (lookup) {
      const hit = await cache.lookup(key);
      if (hit) {
        await caller.admit();
        // The semantic index lives in isolate memory and dies with it, while the answer survives
        // in the edge and KV tiers: re-register questions found there, after the response.
        if (semantic && !cache.isFastest(hit.tier)) {
          ports.waitUntil(r, register(ports, caller, parts, key, semantic.index));
        }
        return fromCache(hit.value, {
          status: hit.status,
          coalesced: false,
          saved: hit.saved,
          createdAt: hit.createdAt,
        });
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
        prepareAnswer(ports, spec, parts, key, cache, caller, embedCost, mine);
      // The question's embedding is reserved before it is made (and is the admission too).
      const first = lookup
        ? await plans.run(flight, prepare, onLead, reserveEmbedding)
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
        generateShared(
          ports,
          spec,
          planned,
          prepared.paid,
          key,
          cache,
          caller,
          generationHold,
          lookup,
        );
      const second = lookup
        ? await generations.run(flight, generate, onLead, fund)
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
            ...(second.leader && generated.createdAt !== undefined
              ? { createdAt: generated.createdAt }
              : {}),
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

  return { answer };
}

/** An answer this request did not compute: nothing spent, nothing attempted. */
function fromCache(
  answer: QueryAnswer,
  info: {
    status: CacheStatus;
    coalesced: boolean;
    saved: Spend;
    semantic?: Semantic;
    createdAt?: number;
  },
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
      ...(info.createdAt === undefined ? {} : { createdAt: info.createdAt }),
    },
    generated: false,
    spent: ZERO,
  };
}

function add(total: Spend, more: Spend): void {
  total.tokens += more.tokens;
  total.usd += more.usd;
}
