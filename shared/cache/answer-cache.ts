// The answer cache around one RAG computation: exact lookup through the tiers, then (optionally)
// the semantic index, then the computation itself, with concurrent identical misses coalesced
// into one. Stores the answer under the index version the search actually saw, so a write that
// lands mid-computation can never file an old answer under the new version.
import type { Metrics } from "../metrics/metrics.js";
import type { Spend } from "../util/spend.js";
import type { Background, Clock } from "../ports.js";
import { answerKey, normalizeQuery, semanticBucket, type AnswerKeyParts } from "./answer-key.js";
import type { CacheDirectives } from "./directives.js";
import { decodeJsonEntry, encodeJsonEntry, type EntryMeta } from "./entry-codec.js";
import type { SemanticIndex } from "./semantic.js";
import type { SingleFlight } from "./single-flight.js";
import type { TieredCache } from "./tiered.js";

/** The `X-Cache` values. */
export type CacheStatus = "HIT-MEMORY" | "HIT-EDGE" | "HIT-KV" | "HIT-SEMANTIC" | "MISS" | "BYPASS";

const TIER_STATUS: Record<string, CacheStatus> = {
  memory: "HIT-MEMORY",
  edge: "HIT-EDGE",
  kv: "HIT-KV",
};

/** What computing an answer cost. */
export type Cost = Spend;

/** A computed answer and whether it may be cached (degraded answers may not). */
export interface Computed<A> {
  answer: A;
  cost: Cost;
  cacheable: boolean;
  /** The query's embedding, when the computation made one (feeds the semantic index). */
  queryVector: Float32Array | null;
}

/** What the leader of a flight hands to everyone who joined it. */
export interface FlightOutcome<A> {
  answer: A;
  status: CacheStatus;
  cost: Cost;
  semantic?: { similarity: number; matchedQuery: string };
}

export interface AnswerCacheDeps<A> {
  /** Tiers named `memory`, `edge`, `kv` (fastest first), already scoped to purge epochs. */
  tiers: TieredCache;
  flight: SingleFlight<FlightOutcome<A>>;
  /** Present when semantic hits are on for this request. */
  semantic: {
    index: SemanticIndex;
    threshold: number;
    embed(query: string): Promise<Float32Array | null>;
  } | null;
  /** Computes the answer; gets the query's embedding when the semantic step already made it. */
  compute: (queryVector: Float32Array | null) => Promise<Computed<A>>;
  /** The index version an answer was computed at. */
  versionOf: (answer: A) => number;
  /** Validates a decoded entry's JSON; null for anything unexpected (treated as corrupt). */
  parse: (value: unknown) => A | null;
  background: Background;
  metrics: Metrics;
  clock: Clock;
  /** Receives the computation when this request leads a flight (to keep it alive). */
  onLead?: (shared: Promise<unknown>) => void;
}

/** The answer plus how it was obtained. */
export interface CachedAnswer<A> {
  answer: A;
  status: CacheStatus;
  fromCache: boolean;
  /** True when this request waited for an identical in-flight computation. */
  coalesced: boolean;
  semantic?: { similarity: number; matchedQuery: string };
  /** On a hit: what the original computation cost, now saved. */
  saved: Cost | null;
}

/**
 * Answers through the cache.
 * @example
 * const r = await answerWithCache({ directives, parts, semantic: true }, deps);
 * r.status; // "HIT-MEMORY" | ... | "MISS" | "BYPASS"
 */
export async function answerWithCache<A>(
  request: { directives: CacheDirectives; parts: AnswerKeyParts; semantic: boolean },
  deps: AnswerCacheDeps<A>,
): Promise<CachedAnswer<A>> {
  const lookups = (tier: string, result: string): void =>
    deps.metrics.inc("ragway_cache_lookups_total", { cache: "answer", tier, result });

  if (!request.directives.lookup) {
    const computed = await deps.compute(null);
    if (request.directives.store && computed.cacheable) {
      await store(computed, request.parts, request.semantic, deps);
    }
    lookups("none", "bypass");
    return {
      answer: computed.answer,
      status: "BYPASS",
      fromCache: false,
      coalesced: false,
      saved: null,
    };
  }

  const key = await answerKey(request.parts);
  const { value, leader } = await deps.flight.run(
    key,
    () => lookupOrCompute(key, request.parts, request.semantic, deps),
    deps.onLead,
  );
  const coalesced = !leader && value.status === "MISS";
  const status: CacheStatus = coalesced ? "HIT-MEMORY" : value.status;
  if (status === "MISS") {
    lookups("none", "miss");
    return { answer: value.answer, status, fromCache: false, coalesced: false, saved: null };
  }
  lookups(
    coalesced ? "memory" : status === "HIT-SEMANTIC" ? "semantic" : status.slice(4).toLowerCase(),
    coalesced ? "coalesced" : "hit",
  );
  deps.metrics.inc("ragway_cache_saved_tokens_total", { cache: "answer" }, value.cost.tokens);
  deps.metrics.inc("ragway_cache_saved_usd_total", { cache: "answer" }, value.cost.usd);
  return {
    answer: value.answer,
    status,
    fromCache: true,
    coalesced,
    ...(value.semantic ? { semantic: value.semantic } : {}),
    saved: value.cost,
  };
}

async function lookupOrCompute<A>(
  key: string,
  parts: AnswerKeyParts,
  semanticOn: boolean,
  deps: AnswerCacheDeps<A>,
): Promise<FlightOutcome<A>> {
  const decode = (bytes: ArrayBuffer): { answer: A; meta: EntryMeta } | null => {
    const decoded = decodeJsonEntry(bytes, deps.parse);
    return decoded.ok ? { answer: decoded.value, meta: decoded.meta } : null;
  };
  const semantic = semanticOn ? deps.semantic : null;
  const exact = await deps.tiers.get(key, decode);
  if (exact) {
    // The semantic index lives in isolate memory and dies with it, while the answer survives in
    // the edge and KV tiers: re-register questions found there, after the response.
    if (semantic && exact.tier !== deps.tiers.tierNames[0]) {
      deps.background.waitUntil(register(semantic, parts, key));
    }
    return {
      answer: exact.value.answer,
      status: TIER_STATUS[exact.tier] ?? "HIT-MEMORY",
      cost: costOf(exact.value.meta),
    };
  }

  let queryVector: Float32Array | null = null;
  if (semantic) {
    queryVector = await semantic.embed(parts.query);
    if (queryVector) {
      const bucket = await semanticBucket(parts);
      const match = semantic.index.best(bucket, queryVector, semantic.threshold);
      if (match) {
        const hit = await deps.tiers.get(match.key, decode);
        if (hit) {
          return {
            answer: hit.value.answer,
            status: "HIT-SEMANTIC",
            cost: costOf(hit.value.meta),
            semantic: { similarity: round(match.similarity), matchedQuery: match.query },
          };
        }
        semantic.index.forget(bucket, match.key);
      }
    }
  }

  const computed = await deps.compute(queryVector);
  if (computed.cacheable) await store(computed, parts, semanticOn, deps);
  return { answer: computed.answer, status: "MISS", cost: computed.cost };
}

/** Files the answer under the version its search saw; memory now, the other tiers later. */
async function store<A>(
  computed: Computed<A>,
  requested: AnswerKeyParts,
  semanticOn: boolean,
  deps: AnswerCacheDeps<A>,
): Promise<void> {
  const parts = { ...requested, indexVersion: deps.versionOf(computed.answer) };
  const key = await answerKey(parts);
  const meta = { ...computed.cost, createdAt: deps.clock() };
  await deps.tiers.fill(key, encodeJsonEntry(computed.answer, meta));
  if (semanticOn && deps.semantic && computed.queryVector) {
    deps.semantic.index.add(await semanticBucket(parts), {
      key,
      query: normalizeQuery(parts.query),
      vector: computed.queryVector,
    });
  }
}

async function register(
  semantic: NonNullable<AnswerCacheDeps<unknown>["semantic"]>,
  parts: AnswerKeyParts,
  key: string,
): Promise<void> {
  const vector = await semantic.embed(parts.query);
  if (!vector) return;
  semantic.index.add(await semanticBucket(parts), {
    key,
    query: normalizeQuery(parts.query),
    vector,
  });
}

function costOf(meta: EntryMeta): Cost {
  return { tokens: meta.tokens, usd: meta.usd };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
