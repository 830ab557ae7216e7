// The one cached-compute orchestrator, for answers and chat completions alike: look a key up
// through the tiers, share an in-flight computation, store what was computed, and say where an
// answer came from (the X-Cache values) with the same lookup and saved-cost metrics for both.
// Each user brings its own key and entry parser; what a computation spends is its caller's
// business, never this file's (a shared computation does not spend).
import type { Metrics } from "../metrics/metrics.js";
import type { Clock } from "../ports.js";
import type { Spend } from "../util/spend.js";
import type { CacheDirectives } from "./directives.js";
import { decodeJsonEntry, encodeJsonEntry, type Decoded } from "./entry-codec.js";
import type { SingleFlight } from "./single-flight.js";
import type { TieredCache } from "./tiered.js";

/** The `X-Cache` values. */
export type CacheStatus = "HIT-MEMORY" | "HIT-EDGE" | "HIT-KV" | "HIT-SEMANTIC" | "MISS" | "BYPASS";

const TIER_STATUS: Record<string, CacheStatus> = {
  memory: "HIT-MEMORY",
  edge: "HIT-EDGE",
  kv: "HIT-KV",
};

/** A decoded entry that passed its checks. */
type Valid<V> = Extract<Decoded<V>, { ok: true }>;

/** An entry found in a tier: the value, where it was, and what computing it cost (now saved). */
export interface CacheHit<V> {
  value: V;
  status: CacheStatus;
  tier: string;
  saved: Spend;
  /** When the entry was computed (epoch ms): what a response's `Age` is counted from. */
  createdAt: number;
}

export interface CachedComputeDeps<V> {
  /** The `cache` label of the metrics: `answer` or `chat`. */
  cache: string;
  /** Tiers named `memory`, `edge`, `kv` (fastest first), already scoped to purge epochs. */
  tiers: TieredCache;
  /** Validates a decoded entry's JSON; null for anything unexpected (treated as corrupt). */
  parse: (value: unknown) => V | null;
  /**
   * Decodes an entry's bytes with `parse` (default: {@link decodeJsonEntry} every time); e.g. a
   * memoizedJsonDecoder kept per isolate, so a memory hit reuses what was validated before.
   */
  decode?: (bytes: ArrayBuffer) => Decoded<V>;
  metrics: Metrics;
  clock: Clock;
  /**
   * The oldest entry this request accepts, in seconds (`Cache-Control: max-age`): an entry
   * created longer ago is passed over in every tier like a miss, so it is computed again and the
   * fresh value replaces it. Absent: any entry the tiers still hold.
   */
  maxAgeSeconds?: number;
}

/**
 * The steps of a cached computation over one set of tiers. {@link cachedCompute} strings them
 * together; a computation with paid stages of its own (the answer service) calls them around
 * those stages.
 */
export class CachedCompute<V> {
  constructor(private readonly deps: CachedComputeDeps<V>) {}

  /** The entry under `key` in the first tier that holds a valid one (counted as a hit), or null. */
  async lookup(key: string): Promise<CacheHit<V> | null> {
    const hit = await this.find(key);
    if (hit) this.countHit(hit.status, hit.saved);
    return hit;
  }

  /**
   * The entry under `key`, not counted (the caller counts what it serves). `fastestOnly`: look in
   * the fastest tier alone, where a computation that just finished has filed its value.
   */
  async find(key: string, options: { fastestOnly?: boolean } = {}): Promise<CacheHit<V> | null> {
    const { tiers, parse, decode, maxAgeSeconds, clock } = this.deps;
    // Created at or after this instant (ms); entries carry their creation time in the header.
    const notBefore = maxAgeSeconds === undefined ? null : clock() - maxAgeSeconds * 1000;
    const found = await tiers.get(
      key,
      (bytes): Valid<V> | null => {
        const decoded = decode ? decode(bytes) : decodeJsonEntry(bytes, parse);
        return decoded.ok ? decoded : null;
      },
      {
        ...(options.fastestOnly ? { only: tiers.tierNames.slice(0, 1) } : {}),
        ...(notBefore === null ? {} : { accept: (d: Valid<V>) => d.meta.createdAt >= notBefore }),
      },
    );
    if (!found) return null;
    return {
      value: found.value.value,
      status: TIER_STATUS[found.tier] ?? "HIT-MEMORY",
      tier: found.tier,
      saved: { tokens: found.value.meta.tokens, usd: found.value.meta.usd },
      createdAt: found.value.meta.createdAt,
    };
  }

  /** True when `tier` is the fastest one (what a fresh computation fills before resolving). */
  isFastest(tier: string): boolean {
    return this.deps.tiers.tierNames[0] === tier;
  }

  /** Files a computed value under `key`: memory now, the other tiers in the background. */
  async store(key: string, value: V, cost: Spend): Promise<void> {
    await this.deps.tiers.fill(
      key,
      encodeJsonEntry(value, { ...cost, createdAt: this.deps.clock() }),
    );
  }

  /**
   * Files a computed value under `key` without holding up the caller: serialising it and every
   * tier's write run in the background (memory within the same turn, so this isolate's next
   * request hits; the Cache API and KV after the response).
   */
  storeLater(key: string, value: V, cost: Spend): void {
    const createdAt = this.deps.clock();
    this.deps.tiers.fillLater(key, () => encodeJsonEntry(value, { ...cost, createdAt }));
  }

  /** Counts a request that computed: a miss, or a bypass when its lookup was skipped. */
  countComputed(bypass: boolean): void {
    this.count("none", bypass ? "bypass" : "miss", null);
  }

  /** Counts a request served by an identical computation in flight (a memory hit). */
  countCoalesced(saved: Spend): void {
    this.count("memory", "coalesced", saved);
  }

  /** Counts a hit served with `status` (a tier's, or `HIT-SEMANTIC`). */
  countHit(status: CacheStatus, saved: Spend): void {
    this.count(
      status === "HIT-SEMANTIC" ? "semantic" : status.slice(4).toLowerCase(),
      "hit",
      saved,
    );
  }

  private count(tier: string, result: string, saved: Spend | null): void {
    countLookup(this.deps.metrics, this.deps.cache, tier, result, saved);
  }
}

/**
 * Counts one request's outcome in `ragway_cache_lookups_total` (and what a hit saved). The one
 * place the lookup metrics' labels are made; a request that never reaches the cache (a sampled
 * chat) is counted here too, as `tier="none", result="bypass"`.
 */
export function countLookup(
  metrics: Metrics,
  cache: string,
  tier: string,
  result: string,
  saved: Spend | null,
): void {
  metrics.inc("ragway_cache_lookups_total", { cache, tier, result });
  if (!saved) return;
  metrics.inc("ragway_cache_saved_tokens_total", { cache }, saved.tokens);
  metrics.inc("ragway_cache_saved_usd_total", { cache }, saved.usd);
}

/** A value computed on a miss, what it cost and whether it may be stored. */
export interface Fresh<V, X> {
  value: V;
  cost: Spend;
  /** False for degraded answers: a passing outage is never frozen into the cache. */
  cacheable: boolean;
  /** Whatever else the caller needs from the computation (attempts, degraded...). */
  extra: X;
}

/** How a request was answered by {@link cachedCompute}. */
export type CachedResult<V, X> =
  | {
      fromCache: true;
      status: CacheStatus;
      coalesced: boolean;
      value: V;
      saved: Spend;
      /** When the served entry was computed (epoch ms); absent for a shared computation's. */
      createdAt?: number;
    }
  | { fromCache: false; status: "MISS" | "BYPASS"; value: V; extra: X };

/**
 * Looks `key` up (unless the directives say not to), else computes and stores. With `flight`,
 * identical concurrent misses share one computation: the others are served as memory hits, and
 * `compute` must then be free of per-caller side effects (reserve before, settle after). A
 * failing computation throws straight through to everyone waiting on it: nothing is stored.
 *
 * @example
 * const r = await cachedCompute({ key, directives }, compute, { ...deps, flight });
 * r.status; // "HIT-MEMORY" | "HIT-EDGE" | "HIT-KV" | "MISS" | "BYPASS"
 */
export async function cachedCompute<V, X>(
  request: { key: string; directives: CacheDirectives },
  compute: () => Promise<Fresh<V, X>>,
  deps: CachedComputeDeps<V> & {
    flight?: SingleFlight<Fresh<V, X>>;
    onLead?: (shared: Promise<unknown>) => void;
  },
): Promise<CachedResult<V, X>> {
  const { key, directives } = request;
  const { maxAgeSeconds } = directives;
  const cache = new CachedCompute(maxAgeSeconds === undefined ? deps : { ...deps, maxAgeSeconds });
  if (directives.lookup) {
    const hit = await cache.lookup(key);
    if (hit) {
      return {
        fromCache: true,
        status: hit.status,
        coalesced: false,
        value: hit.value,
        saved: hit.saved,
        createdAt: hit.createdAt,
      };
    }
  }
  const computeAndStore = async (): Promise<Fresh<V, X>> => {
    const fresh = await compute();
    // The fill (serialisation included) runs after the response; nothing waits on it.
    if (directives.store && fresh.cacheable) cache.storeLater(key, fresh.value, fresh.cost);
    return fresh;
  };
  const { value: fresh, leader } =
    deps.flight && directives.lookup
      ? await deps.flight.run(key, computeAndStore, deps.onLead)
      : { value: await computeAndStore(), leader: true };
  if (!leader) {
    cache.countCoalesced(fresh.cost);
    return {
      fromCache: true,
      status: "HIT-MEMORY",
      coalesced: true,
      value: fresh.value,
      saved: fresh.cost,
    };
  }
  cache.countComputed(!directives.lookup);
  return {
    fromCache: false,
    status: directives.lookup ? "MISS" : "BYPASS",
    value: fresh.value,
    extra: fresh.extra,
  };
}
