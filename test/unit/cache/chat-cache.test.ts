import { describe, expect, it } from "vitest";
import {
  chatKey,
  completeUncached,
  completeWithCache,
  type ChatKeyParts,
} from "../../../shared/cache/chat-cache.js";
import { TieredCache } from "../../../shared/cache/tiered.js";
import { fakeBackground, fakeBlobStore } from "../../fakes/blob-store.js";
import { recordingMetrics } from "../../fakes/metrics.js";

const parts = (
  body: Record<string, unknown>,
  scope: ChatKeyParts["scope"] = "principal:alice",
): ChatKeyParts => ({
  scope,
  model: "auto",
  priority: "cost",
  body,
});
const messages = [{ role: "user", content: "Hello" }];
const completion = (text: string) => ({
  object: "chat.completion",
  model: "gpt-4o-mini",
  choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
});

function setup() {
  const background = fakeBackground();
  const metrics = recordingMetrics();
  const tiers = new TieredCache({
    tiers: [
      { name: "memory", store: fakeBlobStore(), ttlSeconds: 60 },
      { name: "kv", store: fakeBlobStore(), ttlSeconds: 600 },
    ],
    background,
  });
  let calls = 0;
  const compute =
    (cacheable = true) =>
    async () => {
      calls++;
      return {
        entry: { body: completion(`answer ${calls}`), model: "gpt-4o-mini", reason: "explicit" },
        cost: { tokens: 7, usd: 0.001 },
        cacheable,
        extra: { calls },
      };
    };
  const clock = { now: 1_000 };
  const deps = { tiers, metrics, clock: () => clock.now };
  return { deps, compute, calls: () => calls, metrics, background, clock };
}

const both = { lookup: true, store: true };

describe("chatKey", () => {
  it("depends on every byte of the request, the model, the priority and the caller", async () => {
    const base = await chatKey(parts({ messages }));
    expect(await chatKey(parts({ messages }))).toBe(base);
    expect(await chatKey(parts({ messages: [{ role: "user", content: "hello" }] }))).not.toBe(base);
    expect(await chatKey(parts({ messages, temperature: 0.5 }))).not.toBe(base);
    expect(await chatKey({ ...parts({ messages }), model: "gpt-4o" })).not.toBe(base);
    expect(await chatKey({ ...parts({ messages }), priority: "quality" })).not.toBe(base);
    expect(await chatKey(parts({ messages }, "principal:bob"))).not.toBe(base);
  });
});

describe("completeWithCache", () => {
  it("computes on a miss, then serves the same completion from memory without computing", async () => {
    const { deps, compute, calls, metrics } = setup();
    const first = await completeWithCache(
      { parts: parts({ messages }), directives: both },
      compute(),
      deps,
    );
    expect(first).toMatchObject({ fromCache: false, status: "MISS", extra: { calls: 1 } });
    const second = await completeWithCache(
      { parts: parts({ messages }), directives: both },
      compute(),
      deps,
    );
    expect(second).toMatchObject({
      fromCache: true,
      status: "HIT-MEMORY",
      saved: { tokens: 7, usd: 0.001 },
    });
    expect(second.entry).toEqual(first.entry);
    expect(calls()).toBe(1);
    expect(
      metrics.total("ragway_cache_lookups_total", { cache: "chat", tier: "memory", result: "hit" }),
    ).toBe(1);
  });

  it("returns a miss without waiting on any tier's write; the fill lands in the background", async () => {
    const { deps, compute, background } = setup();
    // No tier finishes a write until released: the result must not wait for one.
    let release = (): void => {};
    const gate = new Promise<void>((r) => (release = r));
    const gated = () => {
      const store = fakeBlobStore();
      const put = store.put.bind(store);
      store.put = async (key, value, options) => {
        await gate;
        await put(key, value, options);
      };
      return store;
    };
    const memory = gated();
    const kv = gated();
    const tiers = new TieredCache({
      tiers: [
        { name: "memory", store: memory, ttlSeconds: 60 },
        { name: "kv", store: kv, ttlSeconds: 600 },
      ],
      background,
    });
    const first = await completeWithCache(
      { parts: parts({ messages }), directives: both },
      compute(),
      { ...deps, tiers },
    );
    expect(first.status).toBe("MISS");
    expect(memory.data.size).toBe(0);
    expect(background.pending).toBeGreaterThan(0);
    release();
    await background.settle();
    expect(memory.data.size).toBe(1);
    expect(kv.data.size).toBe(1);
  });

  it("never stores a degraded (uncacheable) completion", async () => {
    const { deps, compute, calls } = setup();
    await completeWithCache({ parts: parts({ messages }), directives: both }, compute(false), deps);
    await completeWithCache({ parts: parts({ messages }), directives: both }, compute(false), deps);
    expect(calls()).toBe(2);
  });

  it("skips the lookup on no-cache but refreshes the entry, and skips both on no-store", async () => {
    const { deps, compute, calls } = setup();
    const refresh = await completeWithCache(
      { parts: parts({ messages }), directives: { lookup: false, store: true } },
      compute(),
      deps,
    );
    expect(refresh.status).toBe("BYPASS");
    const hit = await completeWithCache(
      { parts: parts({ messages }), directives: both },
      compute(),
      deps,
    );
    expect(hit.fromCache).toBe(true);
    const noStore = { lookup: false, store: false };
    await completeWithCache(
      { parts: parts({ messages: [] }), directives: noStore },
      compute(),
      deps,
    );
    const after = await completeWithCache(
      { parts: parts({ messages: [] }), directives: both },
      compute(),
      deps,
    );
    expect(after.fromCache).toBe(false);
    expect(calls()).toBe(3);
  });

  it("lets a failing computation throw and stores nothing", async () => {
    const { deps } = setup();
    const failing = async (): Promise<never> => {
      throw new Error("no model could answer");
    };
    await expect(
      completeWithCache({ parts: parts({ messages }), directives: both }, failing, deps),
    ).rejects.toThrow(/no model/);
  });

  it("serves an entry no older than max-age, and recomputes and refreshes an older one", async () => {
    const { deps, compute, calls, background, clock } = setup();
    const within = { lookup: true, store: true, maxAgeSeconds: 60 };
    await completeWithCache({ parts: parts({ messages }), directives: both }, compute(), deps);
    await background.settle();
    clock.now += 60_000;
    const fresh = await completeWithCache(
      { parts: parts({ messages }), directives: within },
      compute(),
      deps,
    );
    expect(fresh).toMatchObject({ fromCache: true, status: "HIT-MEMORY" });
    clock.now += 1;
    const stale = await completeWithCache(
      { parts: parts({ messages }), directives: within },
      compute(),
      deps,
    );
    expect(stale).toMatchObject({ fromCache: false, status: "MISS", extra: { calls: 2 } });
    await background.settle();
    // The recomputed entry replaced the old one in every tier.
    const again = await completeWithCache(
      { parts: parts({ messages }), directives: within },
      compute(),
      deps,
    );
    expect(again).toMatchObject({ fromCache: true, status: "HIT-MEMORY" });
    expect(again.entry.body).toMatchObject({
      choices: [{ message: { content: "answer 2" } }],
    });
    expect(calls()).toBe(2);
  });
});

describe("completeUncached", () => {
  it("computes, touches no tier and counts a bypass", async () => {
    const { compute, calls, metrics } = setup();
    const result = await completeUncached(compute(), metrics);
    expect(result).toMatchObject({ fromCache: false, status: "BYPASS", extra: { calls: 1 } });
    expect(calls()).toBe(1);
    expect(
      metrics.total("ragway_cache_lookups_total", {
        cache: "chat",
        tier: "none",
        result: "bypass",
      }),
    ).toBe(1);
  });
});
