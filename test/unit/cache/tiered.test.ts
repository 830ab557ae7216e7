import { describe, expect, it } from "vitest";
import { TieredCache, withKeySuffix } from "../../../shared/cache/tiered.js";
import { fakeBackground, fakeBlobStore } from "../../fakes/blob-store.js";

const bytesOf = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer;
const textOf = (b: ArrayBuffer): string => new TextDecoder().decode(b);
/** Accepts values that start with "ok:"; anything else is "corrupt". */
const decode = (b: ArrayBuffer): string | null => {
  const t = textOf(b);
  return t.startsWith("ok:") ? t : null;
};

function setup(options: { concurrentLookups?: boolean } = {}) {
  const memory = fakeBlobStore();
  const edge = fakeBlobStore();
  const kv = fakeBlobStore();
  const background = fakeBackground();
  const errors: string[] = [];
  const corrupt: string[] = [];
  const cache = new TieredCache({
    tiers: [
      { name: "memory", store: memory, ttlSeconds: 10 },
      { name: "edge", store: edge, ttlSeconds: 100 },
      { name: "kv", store: kv, ttlSeconds: 1000 },
    ],
    background,
    onError: (tier, op) => errors.push(`${tier}:${op}`),
    onCorrupt: (tier) => corrupt.push(tier),
    ...options,
  });
  return { memory, edge, kv, background, cache, errors, corrupt };
}

describe("TieredCache", () => {
  it("answers from the fastest tier that holds the key and reads no further", async () => {
    const { memory, edge, kv, cache } = setup();
    memory.data.set("k", bytesOf("ok:mem"));
    kv.data.set("k", bytesOf("ok:kv"));
    const hit = await cache.get("k", decode);
    expect(hit).toMatchObject({ value: "ok:mem", tier: "memory" });
    expect(edge.ops).toEqual([]);
    expect(kv.ops).toEqual([]);
  });

  it("back-fills every tier above a KV hit, each with its own TTL", async () => {
    const { memory, edge, kv, cache, background } = setup();
    kv.data.set("k", bytesOf("ok:kv"));
    const hit = await cache.get("k", decode);
    expect(hit).toMatchObject({ value: "ok:kv", tier: "kv" });
    await background.settle();
    expect(textOf(memory.data.get("k") ?? bytesOf(""))).toBe("ok:kv");
    expect(textOf(edge.data.get("k") ?? bytesOf(""))).toBe("ok:kv");
    expect(memory.ttls.get("k")).toBe(10);
    expect(edge.ttls.get("k")).toBe(100);
    // The next read stops at memory.
    expect((await cache.get("k", decode))?.tier).toBe("memory");
  });

  it("back-fills only the tiers above an edge hit, never the one below", async () => {
    const { memory, edge, kv, cache, background } = setup();
    edge.data.set("k", bytesOf("ok:edge"));
    expect((await cache.get("k", decode))?.tier).toBe("edge");
    await background.settle();
    expect(memory.data.has("k")).toBe(true);
    expect(kv.ops).toEqual([]); // not even read
  });

  it("treats an undecodable value as a miss in that tier and overwrites it from below", async () => {
    const { memory, kv, cache, background, corrupt } = setup();
    memory.data.set("k", bytesOf("garbage"));
    kv.data.set("k", bytesOf("ok:kv"));
    const hit = await cache.get("k", decode);
    expect(hit).toMatchObject({ value: "ok:kv", tier: "kv" });
    expect(corrupt).toEqual(["memory"]);
    await background.settle();
    expect(textOf(memory.data.get("k") ?? bytesOf(""))).toBe("ok:kv");
  });

  it("treats a decoder that throws like an undecodable value", async () => {
    const { memory, cache } = setup();
    memory.data.set("k", bytesOf("ok:x"));
    const hit = await cache.get("k", () => {
      throw new Error("boom");
    });
    expect(hit).toBeNull();
  });

  it("degrades a failing tier to a miss and reports it", async () => {
    const { edge, kv, cache, errors } = setup();
    edge.failWith = new Error("cache api down");
    kv.data.set("k", bytesOf("ok:kv"));
    expect((await cache.get("k", decode))?.tier).toBe("kv");
    expect(errors).toContain("edge:get");
  });

  it("misses cleanly when every tier fails", async () => {
    const { memory, edge, kv, cache, errors } = setup();
    for (const s of [memory, edge, kv]) s.failWith = new Error("down");
    expect(await cache.get("k", decode)).toBeNull();
    expect(errors).toEqual(["memory:get", "edge:get", "kv:get"]);
    await expect(cache.set("k", bytesOf("ok:v"))).resolves.toBeUndefined();
    expect(errors).toContain("kv:put");
  });

  it("fill writes the fastest tier before resolving and the others in the background", async () => {
    const { memory, edge, kv, cache, background } = setup();
    // The slow tiers do not answer until released: fill must not wait for them.
    let release = (): void => {};
    const gate = new Promise<void>((r) => (release = r));
    for (const slow of [edge, kv]) {
      const put = slow.put.bind(slow);
      slow.put = async (key, value, options) => {
        await gate;
        await put(key, value, options);
      };
    }
    await cache.fill("k", bytesOf("ok:new"));
    expect(memory.data.has("k")).toBe(true);
    expect(edge.data.has("k")).toBe(false);
    expect(background.pending).toBe(1);
    release();
    await background.settle();
    expect(edge.ttls.get("k")).toBe(100);
    expect(kv.ttls.get("k")).toBe(1000);
  });

  it("fillLater encodes and writes every tier in the background, not before returning", async () => {
    const { memory, edge, kv, cache, background } = setup();
    let encoded = 0;
    cache.fillLater("k", () => {
      encoded++;
      return bytesOf("ok:later");
    });
    expect(encoded).toBe(0);
    expect(memory.ops).toEqual([]);
    expect(background.pending).toBe(1);
    await background.settle();
    expect(encoded).toBe(1);
    for (const tier of [memory, edge, kv])
      expect(textOf(tier.data.get("k") ?? bytesOf(""))).toBe("ok:later");
    expect(kv.ttls.get("k")).toBe(1000);
  });

  it("fillLater reports an encoder that throws and writes nothing", async () => {
    const { memory, cache, background, errors } = setup();
    cache.fillLater("k", () => {
      throw new Error("cannot serialise");
    });
    await background.settle();
    expect(memory.data.size).toBe(0);
    expect(errors).toEqual(["memory:put"]);
  });

  it("withKeySuffix files every key of a store under a suffix", async () => {
    const inner = fakeBlobStore();
    const view = withKeySuffix(inner, ":e3");
    await view.put("k", bytesOf("ok:1"));
    expect([...inner.data.keys()]).toEqual(["k:e3"]);
    expect(await withKeySuffix(inner, ":e4").get("k")).toBeNull();
    await view.delete("k");
    expect(inner.data.size).toBe(0);
  });
});

describe("TieredCache with concurrent lookups", () => {
  const concurrent = { concurrentLookups: true };

  it("reads no slower tier when the fastest one hits", async () => {
    const { memory, edge, kv, cache } = setup(concurrent);
    memory.data.set("k", bytesOf("ok:mem"));
    expect((await cache.get("k", decode))?.tier).toBe("memory");
    expect(edge.ops).toEqual([]);
    expect(kv.ops).toEqual([]);
  });

  it("asks every slower tier before any of them has answered", async () => {
    const { edge, kv, cache } = setup(concurrent);
    // The edge does not answer until released: KV must already have been asked by then.
    let release = (): void => {};
    const gate = new Promise<void>((r) => (release = r));
    const get = edge.get.bind(edge);
    edge.get = async (key) => {
      await gate;
      return get(key);
    };
    kv.data.set("k", bytesOf("ok:kv"));
    const pending = cache.get("k", decode);
    await Promise.resolve();
    await Promise.resolve();
    expect(kv.ops).toEqual(["get k"]);
    release();
    expect((await pending)?.tier).toBe("kv");
  });

  it("serves the first hit in tier order even when a lower tier answers first", async () => {
    const { memory, edge, kv, cache, background } = setup(concurrent);
    let release = (): void => {};
    const gate = new Promise<void>((r) => (release = r));
    const get = edge.get.bind(edge);
    edge.get = async (key) => {
      await gate;
      return get(key);
    };
    edge.data.set("k", bytesOf("ok:edge"));
    kv.data.set("k", bytesOf("ok:kv"));
    const pending = cache.get("k", decode);
    setTimeout(release, 0);
    expect(await pending).toMatchObject({ value: "ok:edge", tier: "edge" });
    await background.settle();
    expect(textOf(memory.data.get("k") ?? bytesOf(""))).toBe("ok:edge");
    expect(kv.ops).toEqual(["get k"]); // read, never written
  });

  it("back-fills every tier above a KV hit, corrupt ones included", async () => {
    const { memory, edge, kv, cache, background, corrupt } = setup(concurrent);
    edge.data.set("k", bytesOf("garbage"));
    kv.data.set("k", bytesOf("ok:kv"));
    expect((await cache.get("k", decode))?.tier).toBe("kv");
    expect(corrupt).toEqual(["edge"]);
    await background.settle();
    expect(textOf(memory.data.get("k") ?? bytesOf(""))).toBe("ok:kv");
    expect(textOf(edge.data.get("k") ?? bytesOf(""))).toBe("ok:kv");
  });

  it("degrades failing tiers to misses and reports each", async () => {
    const { edge, kv, cache, errors } = setup(concurrent);
    edge.failWith = new Error("cache api down");
    kv.failWith = new Error("kv down");
    expect(await cache.get("k", decode)).toBeNull();
    expect(errors).toEqual(["edge:get", "kv:get"]);
  });
});

describe("TieredCache with an accept predicate", () => {
  it("passes over a valid entry it rejects like a miss, not as corrupt, and back-fills above", async () => {
    const { memory, edge, kv, cache, corrupt, background } = setup();
    memory.data.set("k", bytesOf("ok:old"));
    edge.data.set("k", bytesOf("ok:old"));
    kv.data.set("k", bytesOf("ok:new"));
    const hit = await cache.get("k", decode, { accept: (v) => v !== "ok:old" });
    expect(hit).toMatchObject({ value: "ok:new", tier: "kv" });
    expect(corrupt).toEqual([]);
    await background.settle();
    expect(textOf(memory.data.get("k") ?? bytesOf(""))).toBe("ok:new");
    expect(textOf(edge.data.get("k") ?? bytesOf(""))).toBe("ok:new");
  });

  it("is a miss when no tier holds an accepted entry", async () => {
    const { memory, cache, corrupt } = setup();
    memory.data.set("k", bytesOf("ok:old"));
    expect(await cache.get("k", decode, { accept: () => false })).toBeNull();
    expect(corrupt).toEqual([]);
  });
});
