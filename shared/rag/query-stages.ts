// The two shared stages of a query (see ./query-service): stage one looks in memory again,
// tries a semantic match and plans (embedding and retrieval); stage two walks the fallback chain
// and files the answer under the version its search saw. Each runs on the account of the request
// that started it, which reserved for it first; neither reserves, refuses or settles.
import {
  answerKey,
  normalizeQuery,
  semanticBucket,
  type AnswerKeyParts,
} from "../cache/answer-key.js";
import type { CachedCompute, CacheStatus } from "../cache/cached-compute.js";
import type { Spend } from "../util/spend.js";
import {
  generateAnswer,
  planAnswer,
  type PlannedAnswer,
  type QueryAnswer,
} from "./answer-query.js";
import type { QueryCaller, QueryPorts, QuerySpec } from "./query-ports.js";

/** Nothing spent. */
export const ZERO: Spend = { tokens: 0, usd: 0 };

/** The semantic match an answer was served by. */
export type Semantic = { similarity: number; matchedQuery: string };

/** Stage one's outcome: an answer found after all, or what retrieval decided. */
export type Prepared =
  | {
      kind: "found";
      answer: QueryAnswer;
      status: CacheStatus;
      saved: Spend;
      /** When the found answer was computed (epoch ms). */
      createdAt: number;
      semantic?: Semantic;
      paid: Spend;
    }
  | { kind: "planned"; planned: PlannedAnswer; paid: Spend };

/** Stage two's outcome. */
export interface Generated {
  answer: QueryAnswer;
  reason: string;
  /** What answering from scratch costs: the generation plus the question's embedding. */
  cost: Spend;
  /** True when the fastest tier already held it (a computation had just finished). */
  found: boolean;
  /** When a found answer was computed (epoch ms). */
  createdAt?: number;
}

/**
 * Stage one, shared by everyone who asks the same question meanwhile and run on the leader's
 * reservation: a second look in memory (a computation may have just finished), the semantic
 * match, then embedding and retrieval.
 */
export async function prepareAnswer<R>(
  ports: QueryPorts<R>,
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
        createdAt: again.createdAt,
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
            createdAt: hit.createdAt,
            semantic: { similarity: round(match.similarity), matchedQuery: match.query },
            paid: embedCost,
          };
        }
        // Gone from every tier: forget it. Merely older than this request's max-age: keep it.
        if (spec.directives.maxAgeSeconds === undefined) semantic.index.forget(bucket, match.key);
      }
    }
  }
  const planned = await planAnswer(
    // The spec is the plan it is answered from (QuerySpec extends QueryPlan), plus its deadline.
    { ...spec, deadlineAt: ports.deadlineAt(r) },
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
export async function generateShared<R>(
  ports: QueryPorts<R>,
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
    if (again) {
      return {
        answer: again.value,
        reason: "cached",
        cost: again.saved,
        found: true,
        createdAt: again.createdAt,
      };
    }
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
export async function register<R>(
  ports: QueryPorts<R>,
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

/** The key parts of `spec` at `indexVersion`. */
export function keyParts(
  spec: QuerySpec,
  embeddingModel: string,
  indexVersion: number,
): AnswerKeyParts {
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

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
