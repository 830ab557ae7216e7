// Glue for the chat-completion cache: the caller's scope and its tiers. Chat entries share the
// answers' memory and Cache API tiers (not KV: ./answer-tiers), keyed with chat's own purge
// epochs (held per isolate, stored in KV, never in the INDEX object), so `/admin/cache/purge`
// (all, or one caller's scope) covers them.
import type { CacheScope } from "../../shared/cache/answer-key.js";
import type { ChatCacheDeps } from "../../shared/cache/chat-cache.js";
import type { AppContext } from "../context.js";
import { chatCacheState } from "./cache-state.js";
import { chatTiers } from "./answer-tiers.js";

/**
 * Whose cache (and remembered token counts) a chat request uses: its principal's, known from
 * authentication on. A completion depends on the caller's own messages, so callers never share
 * entries; keyless (development) callers share one scope.
 */
export function callerScope(app: AppContext): CacheScope {
  const id = app.principal?.id ?? "anonymous";
  return /^[\w.:@~+-]{1,200}$/.test(id) ? `principal:${id}` : "principal:anonymous";
}

/** The tiers for `scope`, keyed with its purge epochs (held, or read from KV past the TTL). */
export async function chatCacheDeps(app: AppContext, scope: CacheScope): Promise<ChatCacheDeps> {
  const state = await chatCacheState(app, scope);
  return { tiers: chatTiers(app, state), metrics: app.metrics, clock: () => Date.now() };
}
