// Glue for the chat-completion cache: the caller's scope and its tiers. Chat entries share the
// answer tiers and purge epochs, so `/admin/cache/purge` (all, or one caller's scope) covers them.
import type { CacheScope } from "../../shared/cache/answer-key.js";
import type { ChatCacheDeps } from "../../shared/cache/chat-cache.js";
import type { AppContext } from "../context.js";
import { indexStub } from "../services.js";
import { answerTiers } from "./query-cache.js";

/**
 * Whose cache a chat request uses: its principal's. A completion depends on the caller's own
 * messages, so callers never share entries; keyless (development) callers share one scope.
 */
export function callerScope(app: AppContext): CacheScope {
  const id = app.principal?.id ?? "anonymous";
  return /^[\w.:@~+-]{1,200}$/.test(id) ? `principal:${id}` : "principal:anonymous";
}

/** The tiers for `scope`, keyed with its current purge epochs (one INDEX read). */
export async function chatCacheDeps(app: AppContext, scope: CacheScope): Promise<ChatCacheDeps> {
  const state = await indexStub(app.env).cacheState(scope);
  return { tiers: answerTiers(app, state), metrics: app.metrics, clock: () => Date.now() };
}
