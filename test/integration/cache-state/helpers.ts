// Helpers for the cache-state tests: queries, chat completions and writes through the Worker, and
// writes made straight to the INDEX object or KV, as another isolate's would arrive: they do not
// pass through this isolate's held cache state.
import { env } from "cloudflare:workers";
import { bumpChatEpochs } from "../../../workers/cache/chat-epochs.js";
import { admin, callSettled } from "../helpers.js";

export interface QueryBody {
  cache: string;
  sources: Array<{ id: string; text: string }>;
  index_version: number;
}

export const query = (q: string) =>
  callSettled<QueryBody>("POST", "/v1/query", { body: { query: q } });

export const ingest = (documents: Array<{ id: string; text: string }>) =>
  callSettled("POST", "/v1/documents", { body: { documents } });

export const purge = (body: Record<string, unknown> = {}) =>
  callSettled("POST", "/admin/cache/purge", { body, headers: admin });

/** A reproducible (temperature 0, so cached) non-streamed chat completion's cache status. */
export async function chat(content: string): Promise<string | null> {
  const res = await callSettled("POST", "/v1/chat/completions", {
    body: { model: "local-extractive", messages: [{ role: "user", content }], temperature: 0 },
  });
  return res.headers.get("x-cache");
}

/** Deletes a document in the INDEX object directly: a write from elsewhere. */
export async function deleteElsewhere(id: string): Promise<void> {
  const result = await env.INDEX.get(env.INDEX.idFromName("main")).deleteDocument(id);
  if (!result.deleted) throw new Error(`no document ${id} to delete`);
}

/** Purges every answer tier in the INDEX object directly: a purge from elsewhere. */
export async function purgeAnswersElsewhere(): Promise<void> {
  await env.INDEX.get(env.INDEX.idFromName("main")).bumpCacheEpochs("*", ["memory", "edge", "kv"]);
}

/** Purges every chat tier in KV directly: a purge from elsewhere. */
export async function purgeChatElsewhere(): Promise<void> {
  await bumpChatEpochs(env.CACHE, null, ["memory", "edge", "kv"], Date.now());
}
