// An in-memory BlobStore for unit tests: records every operation and the TTL of every put, and can
// be told to fail, so tier fill, back-fill and fault handling can be asserted directly.
import type { BlobStore } from "../../shared/ports.js";

export interface FakeBlobStore extends BlobStore {
  /** Stored values by key. */
  readonly data: Map<string, ArrayBuffer>;
  /** TTL given with the latest put of each key. */
  readonly ttls: Map<string, number | undefined>;
  /** Every call, in order: "get k", "put k", "delete k". */
  readonly ops: string[];
  /** When set, every operation rejects with this error. */
  failWith: Error | null;
}

/** A fresh, empty fake store. */
export function fakeBlobStore(): FakeBlobStore {
  const store: FakeBlobStore = {
    data: new Map(),
    ttls: new Map(),
    ops: [],
    failWith: null,
    async get(key) {
      store.ops.push(`get ${key}`);
      if (store.failWith) throw store.failWith;
      return store.data.get(key) ?? null;
    },
    async put(key, value, options) {
      store.ops.push(`put ${key}`);
      if (store.failWith) throw store.failWith;
      store.data.set(key, value);
      store.ttls.set(key, options?.ttlSeconds);
    },
    async delete(key) {
      store.ops.push(`delete ${key}`);
      if (store.failWith) throw store.failWith;
      store.data.delete(key);
    },
  };
  return store;
}

/** A Background that collects waitUntil promises so a test can settle them. */
export function fakeBackground() {
  const pending: Array<Promise<unknown>> = [];
  return {
    waitUntil(promise: Promise<unknown>): void {
      pending.push(promise);
    },
    /** Waits for everything scheduled so far (and anything those schedule). */
    async settle(): Promise<void> {
      while (pending.length > 0) await Promise.allSettled(pending.splice(0));
    },
    get pending(): number {
      return pending.length;
    },
  };
}

/** A clock the test moves by hand. */
export function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  const clock = (): number => now;
  clock.advance = (ms: number): void => {
    now += ms;
  };
  return clock;
}
