// The isolate's view of what answer-cache and chat-cache keys depend on, held for at most
// CACHE_STATE_TTL_MS so a cache hit needs no round trip. Answers: the INDEX object's version and
// purge epochs (held under the object's name, so each index of a namespace gets its own), read
// past the TTL, refreshed by every miss's own search and at once by this isolate's writes and
// purges. Chat: purge epochs from KV (workers/cache/chat-epochs), never the INDEX object.
import {
  ALL_SCOPES,
  createCacheStateHolder,
  type CacheState,
  type CacheStateHolder,
  type CacheTierName,
} from "../../shared/cache/cache-state.js";
import type { AppContext } from "../context.js";
import type { Config } from "../env.js";
import { INDEX_NAME, indexStub } from "../services.js";
import { bumpChatEpochs, readChatEpochs } from "./chat-epochs.js";

/** The holder name of the chat cache's epochs (not an INDEX object name: those are plain). */
const CHAT_EPOCHS = "kv:chat-epochs";

const memo = new WeakMap<Config, CacheStateHolder>();

/** The isolate's holder for this config. */
export function cacheStates(config: Config): CacheStateHolder {
  let holder = memo.get(config);
  if (!holder) {
    holder = createCacheStateHolder({ ttlMs: config.CACHE_STATE_TTL_MS, now: () => Date.now() });
    memo.set(config, holder);
  }
  return holder;
}

/** The version and purge epochs an answer lookup in `scope` keys on. */
export function answerCacheState(
  app: AppContext,
  scope: string,
  indexName = INDEX_NAME,
): Promise<CacheState> {
  return cacheStates(app.config).read(indexName, scope, () =>
    indexStub(app.env, indexName).cacheState(scope),
  );
}

/** The purge epochs a chat-cache lookup in `scope` keys on (no INDEX call). */
export function chatCacheState(app: AppContext, scope: string): Promise<CacheState> {
  return cacheStates(app.config).read(CHAT_EPOCHS, scope, () =>
    readChatEpochs(app.env.CACHE, scope),
  );
}

/** Records the state a search returned, so the next lookups use it. */
export function observeSearchState(
  app: AppContext,
  scope: string,
  state: CacheState,
  indexName = INDEX_NAME,
): void {
  cacheStates(app.config).observe(indexName, scope, state);
}

/** Records this isolate's own write: its lookups key on the new version at once. */
export function noteIndexWrite(app: AppContext, version: number, indexName = INDEX_NAME): void {
  cacheStates(app.config).noteVersion(indexName, version);
}

/**
 * Purges the answer and chat caches of `scope` (null: every scope) in `tiers` by bumping their
 * epochs, and updates this isolate at once. Returns the answer cache's new state.
 */
export async function bumpPurgeEpochs(
  app: AppContext,
  scope: string | null,
  tiers: CacheTierName[],
  indexName = INDEX_NAME,
): Promise<CacheState> {
  const holder = cacheStates(app.config);
  const [state] = await Promise.all([
    bumpAnswerEpochs(app, scope, tiers, indexName),
    bumpChatEpochs(app.env.CACHE, scope, tiers, Date.now()),
  ]);
  if (scope === null) holder.expire(CHAT_EPOCHS);
  else holder.observe(CHAT_EPOCHS, scope, await readChatEpochs(app.env.CACHE, scope));
  return state;
}

/**
 * Purges only the answer cache of one INDEX object (one namespace's answers) for `scope` (null:
 * every scope) in `tiers`, and updates this isolate at once. Returns the new state.
 */
export async function bumpAnswerEpochs(
  app: AppContext,
  scope: string | null,
  tiers: CacheTierName[],
  indexName = INDEX_NAME,
): Promise<CacheState> {
  const holder = cacheStates(app.config);
  const state = await indexStub(app.env, indexName).bumpCacheEpochs(scope ?? ALL_SCOPES, tiers);
  if (scope === null) holder.expire(indexName);
  else holder.observe(indexName, scope, state);
  return state;
}
