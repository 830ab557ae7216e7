// The cache tiers of one request (isolate memory, the colo's Cache API, KV), their keys suffixed
// with the purge epochs the isolate holds for the scope, so a purge makes older entries
// unreachable everywhere. After a memory miss the edge and KV are read concurrently (the first hit
// in tier order wins), so a miss costs one read's wait. Answers use all three. Chat completions
// use memory and the Cache API only: their entries are per caller, so KV's global copy would
// rarely be read, and every new request's key is one KV has never held, a cold read that goes to
// KV's central stores on each miss before the model is called.
import type { CacheState } from "../../shared/cache/cache-state.js";
import { memoryBlobStore } from "../../shared/cache/memory-store.js";
import { TieredCache, withKeySuffix, type CacheTier } from "../../shared/cache/tiered.js";
import type { AppContext } from "../context.js";
import { edgeBlobStore } from "./edge-store.js";
import { cacheFaultHooks, isolateCaches } from "./isolate.js";
import { kvBlobStore } from "./kv-store.js";

/** The answer tiers of one request, their keys suffixed with the scope's purge epochs. */
export function answerTiers(app: AppContext, state: CacheState): TieredCache {
  return tiersOf(app, state, true);
}

/** A chat completion's tiers: memory and the Cache API, suffixed like the answers'. */
export function chatTiers(app: AppContext, state: CacheState): TieredCache {
  return tiersOf(app, state, false);
}

function tiersOf(app: AppContext, state: CacheState, withKv: boolean): TieredCache {
  const config = app.config;
  const isolate = isolateCaches(config);
  const tiers: CacheTier[] = [
    {
      name: "memory",
      store: withKeySuffix(memoryBlobStore(isolate.answers), `:e${state.epochs.memory}`),
      ttlSeconds: config.ANSWER_CACHE_MEMORY_TTL_SECONDS,
    },
    {
      name: "edge",
      store: withKeySuffix(edgeBlobStore(caches.default, app.origin), `:e${state.epochs.edge}`),
      ttlSeconds: config.ANSWER_CACHE_EDGE_TTL_SECONDS,
    },
  ];
  if (withKv) {
    tiers.push({
      name: "kv",
      store: withKeySuffix(kvBlobStore(app.env.CACHE), `:e${state.epochs.kv}`),
      ttlSeconds: config.ANSWER_CACHE_KV_TTL_SECONDS,
    });
  }
  return new TieredCache({
    tiers,
    background: app.exec,
    // A miss in memory asks the slower tiers at once (answers: two colo reads in the time of one).
    concurrentLookups: true,
    ...cacheFaultHooks(app, "answer"),
  });
}
