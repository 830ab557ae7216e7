import { describe, expect, it } from "vitest";
import { createCacheStateHolder, type CacheState } from "../../../shared/cache/cache-state.js";
import { fakeClock } from "../../fakes/fake-clock.js";

const state = (version: number, memory = 0, edge = 0, kv = 0): CacheState => ({
  version,
  epochs: { memory, edge, kv },
});

/** A store whose state the test sets, counting reads. */
function store(initial: CacheState) {
  let current = initial;
  let reads = 0;
  return {
    load: async () => {
      reads++;
      return current;
    },
    set: (next: CacheState) => {
      current = next;
    },
    reads: () => reads,
  };
}

describe("cache state holder", () => {
  it("carries a namespace's liveness with its state; an older response cannot revive a deletion", async () => {
    const clock = fakeClock();
    const holder = createCacheStateHolder({ ttlMs: 1000, now: clock });
    const s = store({ ...state(3), live: true });
    expect((await holder.read("ns:alpha", "shared", s.load)).live).toBe(true);
    // The deletion moves the version and reports the namespace gone.
    holder.observe("ns:alpha", "shared", { ...state(4), live: false });
    expect((await holder.read("ns:alpha", "shared", s.load)).live).toBe(false);
    // A search that left the object before the deletion arrives late.
    holder.observe("ns:alpha", "principal:x", { ...state(3), live: true });
    expect((await holder.read("ns:alpha", "principal:x", s.load)).live).toBe(false);
    // Other stores are held apart.
    const other = store({ ...state(1), live: true });
    expect((await holder.read("ns:beta", "shared", other.load)).live).toBe(true);
    expect(s.reads()).toBe(1);
  });

  it("reads the store at most once per TTL", async () => {
    const clock = fakeClock();
    const holder = createCacheStateHolder({ ttlMs: 1000, now: clock });
    const s = store(state(3));
    expect(await holder.read("main", "shared", s.load)).toEqual(state(3));
    s.set(state(4));
    clock.advance(999);
    expect(await holder.read("main", "shared", s.load)).toEqual(state(3));
    expect(s.reads()).toBe(1);
    clock.advance(1);
    expect(await holder.read("main", "shared", s.load)).toEqual(state(4));
    expect(s.reads()).toBe(2);
  });

  it("with TTL 0 reads the store every time and holds nothing", async () => {
    const holder = createCacheStateHolder({ ttlMs: 0, now: fakeClock() });
    const s = store(state(1));
    await holder.read("main", "shared", s.load);
    holder.noteVersion("main", 9);
    holder.observe("main", "shared", state(8));
    s.set(state(2));
    expect(await holder.read("main", "shared", s.load)).toEqual(state(2));
    expect(s.reads()).toBe(2);
  });

  it("a state seen on the way (a miss's search) refreshes it without a read", async () => {
    const clock = fakeClock();
    const holder = createCacheStateHolder({ ttlMs: 1000, now: clock });
    const s = store(state(1));
    await holder.read("main", "shared", s.load);
    clock.advance(900);
    holder.observe("main", "shared", state(2, 1));
    clock.advance(900);
    expect(await holder.read("main", "shared", s.load)).toEqual(state(2, 1));
    expect(s.reads()).toBe(1);
  });

  it("a write's version is seen at once by every scope of that store only", async () => {
    const holder = createCacheStateHolder({ ttlMs: 1000, now: fakeClock() });
    await holder.read("main", "shared", store(state(1)).load);
    await holder.read("main", "principal:a", store(state(1)).load);
    await holder.read("other", "shared", store(state(1)).load);
    holder.noteVersion("main", 2);
    const none = async (): Promise<CacheState> => {
      throw new Error("must not read");
    };
    expect((await holder.read("main", "shared", none)).version).toBe(2);
    expect((await holder.read("main", "principal:a", none)).version).toBe(2);
    expect((await holder.read("other", "shared", none)).version).toBe(1);
  });

  it("never goes back: an older state seen after a write keeps the write's version and epochs", async () => {
    const holder = createCacheStateHolder({ ttlMs: 1000, now: fakeClock() });
    holder.observe("main", "shared", state(5, 2, 2, 2));
    holder.observe("main", "shared", state(4, 1, 3, 1));
    const s = store(state(0));
    expect(await holder.read("main", "shared", s.load)).toEqual(state(5, 2, 3, 2));
    expect(s.reads()).toBe(0);
  });

  it("expire makes the next read of every scope of the store load", async () => {
    const holder = createCacheStateHolder({ ttlMs: 1000, now: fakeClock() });
    const s = store(state(1));
    await holder.read("main", "shared", s.load);
    s.set(state(1, 1, 1, 1));
    holder.expire("main");
    expect(await holder.read("main", "shared", s.load)).toEqual(state(1, 1, 1, 1));
    expect(s.reads()).toBe(2);
  });
});
