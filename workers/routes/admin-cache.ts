// POST /admin/cache/purge (admin): purge the answer cache (everything, or one scope) and the
// embedding cache. Answers and chat completions are purged by bumping purge epochs (the INDEX
// object's for answers, KV's for chat) that every lookup keys on, so entries become unreachable at
// once in this isolate and, within CACHE_STATE_TTL_MS, in every other (the Cache API cannot be
// listed, let alone purged globally); KV keys and this isolate's memory are then reclaimed. Each
// namespace has its own answer epochs: a purge names one, or takes every one. Embeddings carry
// no epoch (a vector never goes stale): KV and memory are deleted.
import type { RoutedRequest } from "../http/routed-request.js";
import { CACHE_TIERS, CachePurgeRequestSchema } from "../../shared/api/schemas.js";
import { ANSWER_KEY_PREFIX, parseScope, scopePrefix } from "../../shared/cache/answer-key.js";
import { EMBEDDING_KEY_PREFIX } from "../../shared/cache/embedding-cache.js";
import { requireAdmin } from "../auth.js";
import { bumpAnswerEpochs, bumpPurgeEpochs } from "../cache/cache-state.js";
import { isolateCaches } from "../cache/isolate.js";
import { deleteByPrefix } from "../cache/kv-store.js";
import type { AppContext } from "../context.js";
import { readJson } from "../http/read-json.js";
import { json } from "../http/respond.js";
import { DEFAULT_NAMESPACE } from "../../shared/tenancy/grants.js";
import { indexObjectName } from "../tenancy/namespace-index.js";
import { listRegistered } from "../tenancy/namespace-registry.js";

/** KV deletions per purge call and cache: a Worker invocation may make 1,000 KV operations. */
const MAX_KV_DELETES = 400;

export async function postCachePurge(request: RoutedRequest, app: AppContext): Promise<Response> {
  await requireAdmin(request, app);
  const hasBody = request.headers.get("content-length") !== "0" && request.body !== null;
  const body = hasBody
    ? await readJson(request, CachePurgeRequestSchema, 64 * 1024)
    : CachePurgeRequestSchema.parse({});
  const scope = body.scope === undefined ? null : parseScope(body.scope);
  const caches = body.caches ?? (scope ? ["answer"] : ["answer", "embedding"]);
  const tiers = [...new Set(body.tiers ?? CACHE_TIERS)];
  const isolate = isolateCaches(app.config);
  const result: Record<string, unknown> = {
    object: "cache.purge",
    scope: scope ?? "all",
    caches,
    tiers,
  };

  if (caches.includes("answer")) {
    const prefix = scope ? await scopePrefix(scope) : ANSWER_KEY_PREFIX;
    // Each namespace's object holds its own epochs: purge the one named, or every one. Chat
    // completions belong to no namespace: only a purge of every namespace takes them too.
    const namespaces = body.namespace
      ? [body.namespace]
      : (await listRegistered(app.env.CACHE)).map((n) => n.name);
    const states = await Promise.all(
      namespaces.map((ns) =>
        body.namespace === undefined && ns === DEFAULT_NAMESPACE
          ? bumpPurgeEpochs(app, scope, tiers, indexObjectName(ns))
          : bumpAnswerEpochs(app, scope, tiers, indexObjectName(ns)),
      ),
    );
    const answer: Record<string, unknown> = {
      epochs: states[0]?.epochs,
      namespaces,
    };
    // Keys do not show their namespace, so reclaiming by prefix would take every namespace's
    // entries with it: a one-namespace purge only moves its epochs (TTLs reclaim the rest).
    const reclaim = body.namespace === undefined;
    if (reclaim && tiers.includes("memory")) {
      answer.memory_entries_deleted = isolate.answers.deleteWhere((k) => k.startsWith(prefix));
      isolate.semantic.clear(prefix);
    }
    if (reclaim && tiers.includes("kv")) {
      const kv = await deleteByPrefix(app.env.CACHE, prefix, MAX_KV_DELETES);
      answer.kv_keys_deleted = kv.deleted;
      answer.kv_reclaim_complete = kv.complete;
    }
    result.answer = answer;
  }
  if (caches.includes("embedding")) {
    const embedding: Record<string, unknown> = {};
    if (tiers.includes("memory")) embedding.memory_entries_deleted = isolate.embeddings.clear();
    if (tiers.includes("kv")) {
      const kv = await deleteByPrefix(app.env.CACHE, EMBEDDING_KEY_PREFIX, MAX_KV_DELETES);
      embedding.kv_keys_deleted = kv.deleted;
      embedding.kv_complete = kv.complete;
    }
    result.embedding = embedding;
  }
  app.logger.info("cache_purged", { scope: scope ?? "all", caches, tiers });
  return json(result);
}
