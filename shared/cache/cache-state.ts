// What answer-cache keys depend on (a data version and per-tier purge epochs), held per isolate
// for at most `ttlMs` so a cache hit needs no round trip. Three things refresh it: a read past the
// TTL, any state seen on the way (a miss's own search carries it), and this isolate's own writes.
// Merges keep the highest version and epochs seen, because a response that left its store before
// a write must not take the write back. ttlMs 0 holds nothing: every read loads.

/** Answer-cache tiers whose entries a purge can make unreachable everywhere at once. */
export type CacheTierName = "memory" | "edge" | "kv";

/**
 * The scope name that stands for every scope in a purge: a scope's epoch per tier is its own plus
 * this one's, so "purge everything" is one row (or one KV key), whatever the number of scopes.
 */
export const ALL_SCOPES = "*";

/** What an answer-cache lookup keys on: the data version and the tiers' purge epochs. */
export interface CacheState {
  version: number;
  epochs: Record<CacheTierName, number>;
  /** Whether the store's namespace is live, when the store says (INDEX objects do). */
  live?: boolean;
}

/** One isolate's view of the cache state of many stores (by name) and scopes. */
export interface CacheStateHolder {
  /** The state of `scope` in store `name`: the held one while fresh, else `load()`'s. */
  read(name: string, scope: string, load: () => Promise<CacheState>): Promise<CacheState>;
  /** Records a state seen for `scope` (a search result, a purge's answer): fresh from now. */
  observe(name: string, scope: string, state: CacheState): void;
  /** Records a write's version for every scope of store `name`. */
  noteVersion(name: string, version: number): void;
  /** Makes every held scope of store `name` stale: the next read loads (a purge of all scopes). */
  expire(name: string): void;
}

export interface CacheStateOptions {
  /** How long a read or observed state is used without asking the store. 0: never. */
  ttlMs: number;
  now: () => number;
}

interface Held {
  state: CacheState;
  at: number;
}

interface Store {
  /** The highest version this isolate has seen or written. */
  version: number;
  /** The latest liveness the store reported (a deletion moves the version, so it is fresh). */
  live?: boolean;
  scopes: Map<string, Held>;
}

/**
 * Creates a holder.
 * @example
 * const holder = createCacheStateHolder({ ttlMs: 1000, now: Date.now });
 * const state = await holder.read("main", "shared", () => stub.cacheState("shared"));
 */
export function createCacheStateHolder(options: CacheStateOptions): CacheStateHolder {
  const { ttlMs, now } = options;
  const stores = new Map<string, Store>();
  const storeOf = (name: string): Store => {
    let store = stores.get(name);
    if (!store) {
      store = { version: 0, scopes: new Map() };
      stores.set(name, store);
    }
    return store;
  };
  const merged = (store: Store, state: CacheState): CacheState => ({
    version: Math.max(store.version, state.version),
    epochs: state.epochs,
    ...(store.live === undefined ? {} : { live: store.live }),
  });

  const observe = (name: string, scope: string, state: CacheState): void => {
    if (ttlMs <= 0) return;
    const store = storeOf(name);
    // Liveness follows the newest version seen: an older response cannot revive a deletion.
    if (state.live !== undefined && state.version >= store.version) store.live = state.live;
    store.version = Math.max(store.version, state.version);
    const prior = store.scopes.get(scope)?.state.epochs;
    const epochs = prior
      ? {
          memory: Math.max(prior.memory, state.epochs.memory),
          edge: Math.max(prior.edge, state.epochs.edge),
          kv: Math.max(prior.kv, state.epochs.kv),
        }
      : { ...state.epochs };
    store.scopes.set(scope, { state: { version: store.version, epochs }, at: now() });
  };

  return {
    async read(name, scope, load) {
      if (ttlMs <= 0) return load();
      const store = storeOf(name);
      const held = store.scopes.get(scope);
      if (held && now() - held.at < ttlMs) return merged(store, held.state);
      const loaded = await load();
      observe(name, scope, loaded);
      return merged(store, store.scopes.get(scope)?.state ?? loaded);
    },
    observe,
    noteVersion(name, version) {
      if (ttlMs <= 0) return;
      const store = storeOf(name);
      store.version = Math.max(store.version, version);
    },
    expire(name) {
      for (const held of stores.get(name)?.scopes.values() ?? []) held.at = -Infinity;
    },
  };
}
