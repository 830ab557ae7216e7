// A read-through chain of byte stores, fastest first. A hit in a lower tier is copied back into
// every tier above it (back-fill: unkey's tiered cache famously never did), a value that fails to
// decode counts as a miss in that tier and gets overwritten, and a store that throws is a miss.
import type { Background, BlobStore } from "../ports.js";

/** One tier: a store and how long values live in it. */
export interface CacheTier {
  name: string;
  store: BlobStore;
  ttlSeconds: number;
}

export interface TieredCacheOptions {
  tiers: readonly CacheTier[];
  /** Runs back-fills after the response (Workers' waitUntil). */
  background: Background;
  /** A tier failed (threw or rejected); the operation went on as if it had missed. */
  onError?(tier: string, op: "get" | "put" | "delete", error: unknown): void;
  /** A tier returned bytes that did not decode. */
  onCorrupt?(tier: string, key: string): void;
}

/** A decoded value and the tier that held it. */
export interface TieredHit<T> {
  value: T;
  tier: string;
  bytes: ArrayBuffer;
}

/**
 * Builds a tiered cache.
 * @example
 * const cache = new TieredCache({ tiers: [memory, edge, kv], background: { waitUntil } });
 * const hit = await cache.get(key, (b) => decode(b)); // back-fills memory and edge on a KV hit
 */
export class TieredCache {
  constructor(private readonly options: TieredCacheOptions) {}

  /** The tiers' names, fastest first. */
  get tierNames(): string[] {
    return this.options.tiers.map((t) => t.name);
  }

  /**
   * Walks the tiers until one holds bytes that `decode` accepts (non-null). The tiers above the
   * hit, including any that held undecodable bytes, are back-filled in the background. `only`
   * limits the walk to the named tiers (e.g. a second look in memory alone).
   */
  async get<T>(
    key: string,
    decode: (bytes: ArrayBuffer) => T | null,
    only?: readonly string[],
  ): Promise<TieredHit<T> | null> {
    const tiers = only
      ? this.options.tiers.filter((t) => only.includes(t.name))
      : this.options.tiers;
    for (let i = 0; i < tiers.length; i++) {
      const tier = tiers[i];
      if (!tier) continue;
      let bytes: ArrayBuffer | null;
      try {
        bytes = await tier.store.get(key);
      } catch (error) {
        this.options.onError?.(tier.name, "get", error);
        continue;
      }
      if (bytes === null) continue;
      let value: T | null;
      try {
        value = decode(bytes);
      } catch {
        value = null;
      }
      if (value === null) {
        this.options.onCorrupt?.(tier.name, key);
        continue;
      }
      if (i > 0) {
        this.options.background.waitUntil(this.putAll(key, bytes, tiers.slice(0, i)));
      }
      return { value, tier: tier.name, bytes };
    }
    return null;
  }

  /**
   * Writes `bytes` to every tier (or only the named ones) in parallel. Resolves when all writes
   * settled; a failing tier is reported and skipped, never thrown.
   */
  set(key: string, bytes: ArrayBuffer, only?: readonly string[]): Promise<void> {
    const tiers = only
      ? this.options.tiers.filter((t) => only.includes(t.name))
      : this.options.tiers;
    return this.putAll(key, bytes, tiers);
  }

  /**
   * Stores a freshly computed value: the fastest tier before resolving (so the very next request
   * in this isolate hits), the slower ones in the background.
   */
  async fill(key: string, bytes: ArrayBuffer): Promise<void> {
    const [first, ...rest] = this.options.tiers;
    if (!first) return;
    await this.putAll(key, bytes, [first]);
    if (rest.length > 0) this.options.background.waitUntil(this.putAll(key, bytes, rest));
  }

  /** Deletes `key` from every tier; failures are reported and skipped. */
  async delete(key: string): Promise<void> {
    await Promise.all(
      this.options.tiers.map(async (tier) => {
        try {
          await tier.store.delete(key);
        } catch (error) {
          this.options.onError?.(tier.name, "delete", error);
        }
      }),
    );
  }

  private async putAll(
    key: string,
    bytes: ArrayBuffer,
    tiers: readonly CacheTier[],
  ): Promise<void> {
    await Promise.all(
      tiers.map(async (tier) => {
        try {
          await tier.store.put(key, bytes, { ttlSeconds: tier.ttlSeconds });
        } catch (error) {
          this.options.onError?.(tier.name, "put", error);
        }
      }),
    );
  }
}

/**
 * A view of `store` whose keys all end in `suffix`: how a tier's purge epoch becomes part of its
 * keys without the callers knowing.
 */
export function withKeySuffix(store: BlobStore, suffix: string): BlobStore {
  return {
    get: (key) => store.get(key + suffix),
    put: (key, value, options) => store.put(key + suffix, value, options),
    delete: (key) => store.delete(key + suffix),
  };
}
