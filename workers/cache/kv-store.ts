// The KV tier as a BlobStore, plus listing-based deletion for purges. KV refuses expirations
// under 60 s, so shorter TTLs are raised to 60 here (the config schema already refuses them).
import type { BlobStore } from "../../shared/ports.js";

/** KV's minimum `expirationTtl`. */
export const KV_MIN_TTL_SECONDS = 60;

/** Adapts a KV namespace to the BlobStore port (values as ArrayBuffer, never JSON). */
export function kvBlobStore(kv: KVNamespace): BlobStore {
  return {
    get: (key) => kv.get(key, "arrayBuffer"),
    put: (key, value, options) =>
      kv.put(key, value, {
        expirationTtl: Math.max(KV_MIN_TTL_SECONDS, Math.ceil(options?.ttlSeconds ?? 86_400)),
      }),
    delete: (key) => kv.delete(key),
  };
}

/**
 * A BlobStore that stops touching `store` after `budget` operations and behaves as an empty,
 * write-ignoring store from then on: a Worker invocation may make only 1,000 KV operations, and
 * a large ingestion must degrade to cache misses rather than fail.
 */
export function budgeted(store: BlobStore, budget: { remaining: number }): BlobStore {
  const spend = (): boolean => {
    if (budget.remaining <= 0) return false;
    budget.remaining--;
    return true;
  };
  return {
    get: async (key) => (spend() ? store.get(key) : null),
    put: async (key, value, options) => {
      if (spend()) await store.put(key, value, options);
    },
    delete: async (key) => {
      if (spend()) await store.delete(key);
    },
  };
}

/**
 * Deletes up to `maxDeletes` keys that start with `prefix`. `complete` is false when more keys
 * may remain (call again); the KV list is itself eventually consistent.
 */
export async function deleteByPrefix(
  kv: KVNamespace,
  prefix: string,
  maxDeletes: number,
): Promise<{ deleted: number; complete: boolean }> {
  let deleted = 0;
  let cursor: string | undefined;
  for (;;) {
    const room = maxDeletes - deleted;
    if (room <= 0) return { deleted, complete: false };
    const page = await kv.list({
      prefix,
      limit: Math.min(1000, room),
      ...(cursor ? { cursor } : {}),
    });
    await Promise.all(page.keys.map((k) => kv.delete(k.name)));
    deleted += page.keys.length;
    if (page.list_complete) return { deleted, complete: true };
    cursor = page.cursor;
  }
}
