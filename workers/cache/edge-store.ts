// The edge tier: the colo's Cache API as a BlobStore. The Cache API stores GET requests only, so
// each key becomes a synthetic GET URL under the request's own origin. Entries live in one data
// center, cannot be listed, and are a silent no-op on *.workers.dev (custom domains only).
import type { BlobStore } from "../../shared/ports.js";

/** Path under which cache entries are filed; never routed, only used as a cache key. */
export const EDGE_KEY_PATH = "/__ragway/cache/";

/** The synthetic GET request that stands for `key` in the Cache API. */
export function edgeRequestFor(origin: string, key: string): Request {
  return new Request(`${origin}${EDGE_KEY_PATH}${encodeURIComponent(key)}`, { method: "GET" });
}

/** Adapts a Cache (usually `caches.default`) to the BlobStore port. */
export function edgeBlobStore(cache: Cache, origin: string): BlobStore {
  return {
    get: async (key) => {
      const response = await cache.match(edgeRequestFor(origin, key));
      return response ? response.arrayBuffer() : null;
    },
    put: async (key, value, options) => {
      const ttl = Math.max(1, Math.ceil(options?.ttlSeconds ?? 3600));
      await cache.put(
        edgeRequestFor(origin, key),
        new Response(value, {
          headers: {
            "content-type": "application/octet-stream",
            "cache-control": `public, max-age=${ttl}`,
          },
        }),
      );
    },
    delete: async (key) => {
      await cache.delete(edgeRequestFor(origin, key));
    },
  };
}
