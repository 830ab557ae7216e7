// A read-through chain of byte stores, fastest first. A hit in a lower tier is copied back into
// every tier above it (back-fill: unkey's tiered cache famously never did), a value that fails to
// decode counts as a miss in that tier and gets overwritten, and a store that throws is a miss.
// With `concurrentLookups`, a miss in the fastest tier asks every slower tier at once (each is a
// network read at the colo) and still takes the first hit in tier order, so what is served is the
// same as walking them one after another; the price is a read of the lower tiers on an upper hit.
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
  /**
   * After a miss in the fastest tier, read all the slower tiers concurrently instead of one after
   * another (the first hit in tier order still wins). Off by default: a store with an operation
   * budget (KV in ingestion) would spend it on reads an upper tier made unnecessary.
   */
  concurrentLookups?: boolean;
  /** A tier failed (threw or rejected); the operation went on as if it had missed. */
  onError?(tier: string, op: "get" | "put" | "delete", error: unknown): void;
  /** A tier returned bytes that did not decode. */
  onCorrupt?(tier: string, key: string): void;
}

/** How {@link TieredCache.get} walks the tiers. */
export interface TieredGetOptions<T> {
  /** Only these tiers (by name). */
  only?: readonly string[];
  /** A decoded value this rejects is passed over like a miss (and not reported as corrupt). */
  accept?: (value: T) => boolean;
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
   * Walks the tiers until one holds bytes that `decode` accepts (non-null) and, with `accept`,
   * whose value passes it. The tiers above the hit, including any that held undecodable or
   * unaccepted bytes, are back-filled in the background. `only` limits the walk to the named
   * tiers (e.g. a second look in memory alone). With `concurrentLookups`, the tiers after the
   * first are read at once and then judged in order.
   */
  async get<T>(
    key: string,
    decode: (bytes: ArrayBuffer) => T | null,
    options: TieredGetOptions<T> = {},
  ): Promise<TieredHit<T> | null> {
    const { only, accept } = options;
    const tiers = only
      ? this.options.tiers.filter((t) => only.includes(t.name))
      : this.options.tiers;
    // The fastest tier alone first: a hit there must not cost a read of the slower ones.
    const reads: Array<Promise<TierRead>> = tiers.slice(0, 1).map((t) => readTier(t, key));
    for (let i = 0; i < tiers.length; i++) {
      const tier = tiers[i];
      if (!tier) continue;
      if (i >= reads.length) {
        const next = this.options.concurrentLookups ? tiers.slice(i) : [tier];
        reads.push(...next.map((t) => readTier(t, key)));
      }
      const read = await reads[i];
      if (read && "error" in read) {
        this.options.onError?.(tier.name, "get", read.error);
        continue;
      }
      const bytes = read?.bytes ?? null;
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
      // A valid entry the caller does not want (e.g. too old for it): a miss, not corruption.
      if (accept && !accept(value)) continue;
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

  /**
   * Stores a freshly computed value entirely in the background: `encode` runs there (so its
   * serialisation is off the caller's path) and every tier is written at once. The fastest tier
   * is an in-memory store written without waiting on I/O, so it holds the value by the time the
   * isolate takes its next request; the others land after the response.
   */
  fillLater(key: string, encode: () => ArrayBuffer): void {
    const { tiers, background } = this.options;
    background.waitUntil(
      Promise.resolve().then(async () => {
        let bytes: ArrayBuffer;
        try {
          bytes = encode();
        } catch (error) {
          this.options.onError?.(tiers[0]?.name ?? "memory", "put", error);
          return;
        }
        await this.putAll(key, bytes, tiers);
      }),
    );
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

/** What one tier's read gave: bytes (null for absent), or the error it failed with. */
type TierRead = { bytes: ArrayBuffer | null } | { bytes: null; error: unknown };

/** Reads `key` from `tier`; never rejects, so reads started ahead of their turn are always safe. */
async function readTier(tier: CacheTier, key: string): Promise<TierRead> {
  try {
    return { bytes: await tier.store.get(key) };
  } catch (error) {
    return { bytes: null, error };
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
