// What the caches keep per isolate: the memory tiers, the semantic index and the failure-log
// throttle (the query service keeps its own single-flight tables). Built once per config and
// shared by every request the isolate serves; nothing here is the source of truth (KV, the
// Cache API and the INDEX object are).
import { ByteLru } from "../../shared/util/byte-lru.js";
import { createLogThrottle } from "../../shared/cache/log-throttle.js";
import { SemanticIndex } from "../../shared/cache/semantic.js";
import type { AppContext } from "../context.js";
import type { Config } from "../env.js";

export interface IsolateCaches {
  answers: ByteLru<ArrayBuffer>;
  embeddings: ByteLru<ArrayBuffer>;
  semantic: SemanticIndex;
  throttle: ReturnType<typeof createLogThrottle>;
}

const memo = new WeakMap<Config, IsolateCaches>();

/** The isolate's caches for this config. */
export function isolateCaches(config: Config): IsolateCaches {
  const cached = memo.get(config);
  if (cached) return cached;
  const caches: IsolateCaches = {
    answers: new ByteLru({ maxBytes: config.ANSWER_CACHE_MEMORY_BYTES }),
    embeddings: new ByteLru({ maxBytes: config.EMBEDDING_CACHE_MEMORY_BYTES }),
    // Query vectors are small next to answers: an eighth of the answer budget holds thousands.
    semantic: new SemanticIndex({
      maxBytes: Math.max(64 * 1024, Math.floor(config.ANSWER_CACHE_MEMORY_BYTES / 8)),
      ttlMs: config.ANSWER_CACHE_MEMORY_TTL_SECONDS * 1000,
    }),
    throttle: createLogThrottle({ intervalMs: 60_000 }),
  };
  memo.set(config, caches);
  return caches;
}

/** Hooks for a TieredCache: count failures and corrupt entries, log each kind once a minute. */
export function cacheFaultHooks(app: AppContext, cache: "answer" | "embedding") {
  const { throttle } = isolateCaches(app.config);
  return {
    onError(tier: string, op: "get" | "put" | "delete", error: unknown): void {
      app.metrics.inc("ragway_cache_errors_total", { cache, tier, op });
      const decision = throttle(`${cache}:${tier}:${op}`);
      if (decision.log) {
        app.logger.warn("cache_store_failed", {
          cache,
          tier,
          op,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          suppressed_since_last: decision.suppressed,
        });
      }
    },
    onCorrupt(tier: string): void {
      app.metrics.inc("ragway_cache_corrupt_total", { cache, tier });
      const decision = throttle(`${cache}:${tier}:corrupt`);
      if (decision.log) {
        app.logger.warn("cache_entry_corrupt", {
          cache,
          tier,
          suppressed_since_last: decision.suppressed,
        });
      }
    },
  };
}
