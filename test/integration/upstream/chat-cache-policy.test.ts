// Which chat completions the cache serves, against the real mock upstream whose counter proves
// each model call: a sampled request (no temperature, or one above 0, without a seed) reaches the
// model every time; temperature 0 or a seed is cached; `Cache-Control: max-age=<n>` opts a sampled
// request in and bounds the age of what any request accepts; `no-store` still bypasses.
import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { chatKey } from "../../../shared/cache/chat-cache.js";
import { decodeJsonEntry, encodeJsonEntry } from "../../../shared/cache/entry-codec.js";
import { readChatEpochs } from "../../../workers/cache/chat-epochs.js";
import { edgeBlobStore } from "../../../workers/cache/edge-store.js";
import { callSettled } from "../helpers.js";
import { bearer, createKey } from "../limits-helpers.js";
import { upstream } from "./upstream-control.js";

interface Completion {
  choices: Array<{ message: { content: string } }>;
  from_cache: boolean;
}

let caller: { id: string; key: string };

beforeAll(async () => {
  const created = await createKey({
    name: "chat-cache-policy",
    rpm: 10_000,
    daily_budget_usd: 1_000,
    monthly_budget_usd: 10_000,
  });
  caller = { id: created.id, key: created.key };
});

beforeEach(async () => {
  await upstream(env).reset();
});

/** A non-streamed completion of `content` with `params`, fills and all settled. */
async function ask(
  content: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const res = await callSettled<Completion>("POST", "/v1/chat/completions", {
    body: { model: "gpt-4o-mini", messages: [{ role: "user", content }], ...params },
    headers: { ...bearer(caller.key), ...headers },
  });
  expect(res.status).toBe(200);
  return { cache: res.headers.get("x-cache"), age: res.headers.get("age"), body: res.body };
}

const modelCalls = async (): Promise<number> => (await upstream(env).counts()).chat;

/** The key of the caller's temperature-0 completion of `content`, and its name in each tier. */
async function tierKeys(content: string): Promise<{ key: string; edge: string; kv: string }> {
  const params = { messages: [{ role: "user", content }], temperature: 0 };
  const scope = `principal:${caller.id}` as const;
  const key = await chatKey({ scope, model: "gpt-4o-mini", priority: "cost", body: params });
  const { epochs } = await readChatEpochs(env.CACHE, scope);
  return { key, edge: `${key}:e${epochs.edge}`, kv: `${key}:e${epochs.kv}` };
}

/** This colo's Cache API, as the tests' requests address it (their origin). */
const edgeTier = () => edgeBlobStore(caches.default, "http://ragway.test");

describe("the chat cache serves only reproducible requests by default", () => {
  it("sends a sampled request to the model every time, saying BYPASS, and stores nothing", async () => {
    expect((await ask("sample me")).cache).toBe("BYPASS");
    const again = await ask("sample me");
    expect(again.cache).toBe("BYPASS");
    expect(again.body.from_cache).toBe(false);
    expect((await ask("sample me", { temperature: 0.7 })).cache).toBe("BYPASS");
    expect((await ask("sample me", { temperature: 0.7 })).cache).toBe("BYPASS");
    expect(await modelCalls()).toBe(4);
    // Nothing was filed: a client that opts in now finds no entry.
    expect((await ask("sample me", {}, { "cache-control": "max-age=60" })).cache).toBe("MISS");
    expect(await modelCalls()).toBe(5);
  });

  it("answers temperature 0 from the cache the second time", async () => {
    expect((await ask("reproduce me", { temperature: 0 })).cache).toBe("MISS");
    const hit = await ask("reproduce me", { temperature: 0 });
    expect(hit.cache).toBe("HIT-MEMORY");
    expect(hit.body.from_cache).toBe(true);
    expect(await modelCalls()).toBe(1);
  });

  it("caches a request with a seed, whatever its temperature", async () => {
    expect((await ask("seeded", { seed: 11, temperature: 1 })).cache).toBe("MISS");
    expect((await ask("seeded", { seed: 11, temperature: 1 })).cache).toBe("HIT-MEMORY");
    // Another seed is another completion.
    expect((await ask("seeded", { seed: 12, temperature: 1 })).cache).toBe("MISS");
    expect(await modelCalls()).toBe(2);
  });

  it("caches a sampled request that opts in with Cache-Control: max-age", async () => {
    const optIn = { "cache-control": "max-age=60" };
    expect((await ask("opt me in", { temperature: 1 }, optIn)).cache).toBe("MISS");
    const hit = await ask("opt me in", { temperature: 1 }, optIn);
    expect(hit.cache).toBe("HIT-MEMORY");
    expect(hit.body.from_cache).toBe(true);
    // Without the opt-in the same request is sampled afresh, and leaves the entry alone.
    expect((await ask("opt me in", { temperature: 1 })).cache).toBe("BYPASS");
    expect((await ask("opt me in", { temperature: 1 }, optIn)).cache).toBe("HIT-MEMORY");
    expect(await modelCalls()).toBe(2);
  });

  it("still bypasses a reproducible request on no-store, storing nothing", async () => {
    const noStore = { "cache-control": "no-store" };
    expect((await ask("keep me out", { temperature: 0 }, noStore)).cache).toBe("BYPASS");
    expect((await ask("keep me out", { temperature: 0 }, noStore)).cache).toBe("BYPASS");
    expect((await ask("keep me out", { temperature: 0 })).cache).toBe("MISS");
    expect(await modelCalls()).toBe(3);
  });
});

describe("the chat cache's tiers", () => {
  it("files a completion in memory and the Cache API, never in KV", async () => {
    const content = "where is this completion kept?";
    const filed = await tierKeys(content);
    expect((await ask(content, { temperature: 0 })).cache).toBe("MISS");
    expect(await edgeTier().get(filed.edge)).not.toBeNull();
    const listed = await env.CACHE.list({ prefix: filed.key });
    expect(listed.keys).toEqual([]);
    expect(await env.CACHE.get(filed.kv)).toBeNull();
  });
});

describe("the chat cache is the caller's own", () => {
  it("looks a key's first request up in its own scope, never in another key's", async () => {
    // Keys this isolate has not seen yet: their grants come back with their admission, after
    // the cache lookup, but who they are is known from authentication.
    const limits = { rpm: 1_000, daily_budget_usd: 10, monthly_budget_usd: 100 };
    const first = await createKey({ name: "chat-cache-first", ...limits });
    const second = await createKey({ name: "chat-cache-second", ...limits });
    const askAs = (key: string) =>
      callSettled<Completion>("POST", "/v1/chat/completions", {
        body: {
          model: "gpt-4o-mini",
          messages: [{ role: "user", content: "the same question from two keys" }],
          temperature: 0,
        },
        headers: bearer(key),
      });
    expect((await askAs(first.key)).headers.get("x-cache")).toBe("MISS");
    const other = await askAs(second.key);
    expect(other.headers.get("x-cache")).toBe("MISS");
    expect(other.body.from_cache).toBe(false);
    expect(await modelCalls()).toBe(2);
    // Each key's own entry is there for its next request.
    expect((await askAs(second.key)).headers.get("x-cache")).toBe("HIT-MEMORY");
  });
});

describe("max-age bounds the age of a cached completion", () => {
  it("recomputes an entry older than max-age and refreshes it in every tier", async () => {
    const content = "how old is this answer?";
    const filed = await tierKeys(content);
    const edge = edgeTier();
    const planted = {
      body: {
        object: "chat.completion",
        model: "gpt-4o-mini",
        choices: [{ index: 0, message: { role: "assistant", content: "planted long ago" } }],
      },
      model: "gpt-4o-mini",
      reason: "explicit",
    };
    const twoMinutesAgo = Date.now() - 120_000;
    // An entry filed two minutes ago, as another isolate of this colo would have left it.
    await edge.put(
      filed.edge,
      encodeJsonEntry(planted, { tokens: 10, usd: 0.001, createdAt: twoMinutesAgo }),
      { ttlSeconds: 600 },
    );

    // Without a bound it is served (and back-filled into memory).
    const old = await ask(content, { temperature: 0 });
    expect(old.cache).toBe("HIT-EDGE");
    expect(old.body.choices[0]?.message.content).toBe("planted long ago");
    // Its Age counts from when it was computed, not from when this isolate found it.
    expect(Number(old.age)).toBeGreaterThanOrEqual(120);
    expect(Number(old.age)).toBeLessThan(180);

    // Two minutes is older than max-age=60 in every tier: computed afresh.
    const bounded = { "cache-control": "max-age=60" };
    const fresh = await ask(content, { temperature: 0 }, bounded);
    expect(fresh.cache).toBe("MISS");
    expect(fresh.age).toBeNull();
    expect(fresh.body.choices[0]?.message.content).not.toBe("planted long ago");
    expect(await modelCalls()).toBe(1);

    // The fresh completion replaced the old one: within the bound now, in memory and the edge.
    const again = await ask(content, { temperature: 0 }, bounded);
    expect(again.cache).toBe("HIT-MEMORY");
    expect(Number(again.age)).toBeLessThan(60);
    expect(again.body.choices).toEqual(fresh.body.choices);
    expect(await modelCalls()).toBe(1);
    const stored = await edge.get(filed.edge);
    const decoded = stored ? decodeJsonEntry(stored, (v) => v) : null;
    expect(decoded?.ok && decoded.meta.createdAt).toBeGreaterThan(twoMinutesAgo);
  });
});
