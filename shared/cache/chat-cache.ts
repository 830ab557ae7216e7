// The chat-completion cache: an identical non-streamed request from the same caller is answered
// from the tiers (which requests may be: ./chat-cacheability). The key is the exact request (no
// normalization: wording, case and every parameter change a completion) under the caller's scope
// prefix, so a scope purge reaches it.
import { z } from "zod";
import type { Metrics } from "../metrics/metrics.js";
import type { Clock } from "../ports.js";
import { sha256Hex, stableStringify } from "../util/hash.js";
import type { Spend } from "../util/spend.js";
import { scopePrefix, type CacheScope } from "./answer-key.js";
import { cachedCompute, countLookup, type CacheStatus } from "./cached-compute.js";
import type { CacheDirectives } from "./directives.js";
import type { TieredCache } from "./tiered.js";

/** Everything that can change a completion. */
export interface ChatKeyParts {
  scope: CacheScope;
  /** The requested model: a catalog id or `auto`. */
  model: string;
  priority: string;
  /** The request's parameters as sent upstream (messages and the rest, minus model/stream). */
  body: Record<string, unknown>;
}

/** The cache key of a chat request: `<scope prefix>chat:<sha-256 of the request>`. */
export async function chatKey(parts: ChatKeyParts): Promise<string> {
  const material = stableStringify({ m: parts.model, p: parts.priority, b: parts.body });
  return `${await scopePrefix(parts.scope)}chat:${await sha256Hex(material)}`;
}

/** What is stored: the completion as served, and who answered why. */
export interface CachedCompletion {
  body: Record<string, unknown>;
  model: string;
  reason: string;
}

const CachedCompletionSchema = z.strictObject({
  body: z.looseObject({
    object: z.literal("chat.completion"),
    choices: z.array(z.unknown()).min(1),
  }),
  model: z.string().min(1),
  reason: z.string(),
});

/** A completion computed on a miss, with what it cost and whether it may be stored. */
export interface ComputedCompletion<X> {
  entry: CachedCompletion;
  cost: Spend;
  /** False for degraded answers: a passing outage is never frozen into the cache. */
  cacheable: boolean;
  /** Whatever else the caller needs from the computation (attempts, degraded...). */
  extra: X;
}

export type ChatCacheResult<X> =
  | {
      fromCache: true;
      status: CacheStatus;
      entry: CachedCompletion;
      saved: Spend;
      /** When the served completion was computed (epoch ms). */
      createdAt?: number;
    }
  | { fromCache: false; status: "MISS" | "BYPASS"; entry: CachedCompletion; extra: X };

export interface ChatCacheDeps {
  /** The answer tiers (memory, edge, kv), scoped to the caller's purge epochs. */
  tiers: TieredCache;
  metrics: Metrics;
  clock: Clock;
}

/**
 * Computes a completion the cache has no part in (a sampled request, or `no-store`): no key, no
 * tiers, no write; counted as a bypass, like every `X-Cache: BYPASS`.
 */
export async function completeUncached<X>(
  compute: () => Promise<ComputedCompletion<X>>,
  metrics: Metrics,
): Promise<ChatCacheResult<X>> {
  const computed = await compute();
  countLookup(metrics, "chat", "none", "bypass", null);
  return { fromCache: false, status: "BYPASS", entry: computed.entry, extra: computed.extra };
}

/**
 * Looks the request up (unless the directives say not to), else computes and stores it, through
 * the one cached-compute orchestrator (shared/cache/cached-compute). No single flight: a
 * caller's identical completions at the same moment are rare, and each pays its own. A failing
 * computation throws straight through: nothing is stored.
 */
export async function completeWithCache<X>(
  request: { parts: ChatKeyParts; directives: CacheDirectives },
  compute: () => Promise<ComputedCompletion<X>>,
  deps: ChatCacheDeps,
): Promise<ChatCacheResult<X>> {
  const result = await cachedCompute(
    { key: await chatKey(request.parts), directives: request.directives },
    async () => {
      const computed = await compute();
      return {
        value: computed.entry,
        cost: computed.cost,
        cacheable: computed.cacheable,
        extra: computed.extra,
      };
    },
    {
      cache: "chat",
      tiers: deps.tiers,
      parse: (v) => CachedCompletionSchema.safeParse(v).data ?? null,
      metrics: deps.metrics,
      clock: deps.clock,
    },
  );
  return result.fromCache
    ? {
        fromCache: true,
        status: result.status,
        entry: result.value,
        saved: result.saved,
        ...(result.createdAt === undefined ? {} : { createdAt: result.createdAt }),
      }
    : { fromCache: false, status: result.status, entry: result.value, extra: result.extra };
}
