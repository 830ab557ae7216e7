// The isolate-memory tier as a BlobStore over a byte-bounded LRU. Values are shared, not copied:
// callers only ever decode them, never write into them.
import type { BlobStore } from "../ports.js";
import type { ByteLru } from "../util/byte-lru.js";

/** Fallback lifetime when a put names none (the LRU still bounds memory). */
const DEFAULT_TTL_SECONDS = 300;

/** Adapts an LRU of byte buffers to the BlobStore port. */
export function memoryBlobStore(lru: ByteLru<ArrayBuffer>): BlobStore {
  return {
    get: async (key) => lru.get(key) ?? null,
    put: async (key, value, options) => {
      lru.set(key, value, {
        bytes: value.byteLength + key.length * 2,
        ttlMs: (options?.ttlSeconds ?? DEFAULT_TTL_SECONDS) * 1000,
      });
    },
    delete: async (key) => {
      lru.delete(key);
    },
  };
}
