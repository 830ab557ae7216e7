import { describe, expect, it } from "vitest";
import { answerKey } from "../../../shared/cache/answer-key.js";
import { encodeJsonEntry } from "../../../shared/cache/entry-codec.js";
import { TieredCache } from "../../../shared/cache/tiered.js";
import { DEFAULT_CATALOG, type ModelInfo } from "../../../shared/llm/catalog.js";
import { createCircuitBreaker } from "../../../shared/llm/circuit-breaker.js";
import type { QueryCaller, SpendAccount } from "../../../shared/rag/query-ports.js";
import { createQueryService, type QuerySpec } from "../../../shared/rag/query-service.js";
import type { RetrievedChunk } from "../../../shared/rag/types.js";
import { createTokenCounter } from "../../../shared/tokens/count.js";
import type { Spend } from "../../../shared/util/spend.js";
import { chatModel } from "../../fakes/chat-model.js";
import { FakeProvider } from "../../fakes/fake-provider.js";
import { fakeBackground, fakeBlobStore, fakeClock } from "../../fakes/blob-store.js";
import { FakeTimers } from "../../fakes/fake-timers.js";
import { recordingMetrics } from "../../fakes/metrics.js";

const counter = createTokenCounter();
const catalog: ModelInfo[] = [
  ...DEFAULT_CATALOG.filter((m) => m.provider === "local"),
  chatModel("paid", { inputUsdPerMTok: 1, outputUsdPerMTok: 1 }),
];
const chunk: RetrievedChunk = {
  chunkId: "doc#0",
  docId: "doc",
  title: "Doc",
  source: "doc.md",
  text: "Answers are cached in memory, at the edge and in KV.",
  tokens: 12,
  metadata: {},
  score: 1,
};

class Refusal extends Error {}

/** One request's account: what it reserved (target totals, in order), settled, and its limit. */
function account(limit: Spend = { tokens: Infinity, usd: Infinity }) {
  const raises: Spend[] = [];
  const settled: Spend[] = [];
  const a: SpendAccount = {
    async raise(amount) {
      if (amount.tokens > limit.tokens || amount.usd > limit.usd) throw new Refusal("refused");
      raises.push(amount);
    },
    async tryRaise(amount) {
      try {
        await a.raise(amount);
        return true;
      } catch {
        return false;
      }
    },
    async settle(actual) {
      settled.push(actual);
    },
  };
  return { account: a, raises, settled };
}

function world() {
  const memory = fakeBlobStore();
  const edge = fakeBlobStore();
  const kv = fakeBlobStore();
  const background = fakeBackground();
  const metrics = recordingMetrics();
  const clock = fakeClock();
  const timers = new FakeTimers();
  const upstream = new FakeProvider();
  const tiers = new TieredCache({
    tiers: [
      { name: "memory", store: memory, ttlSeconds: 60 },
      { name: "edge", store: edge, ttlSeconds: 600 },
      { name: "kv", store: kv, ttlSeconds: 6000 },
    ],
    background,
  });
  const state = { version: 1, searchVersion: 1, gate: null as Promise<void> | null };
  const calls = { search: 0, embed: 0 };
  const service = createQueryService<string>({
    catalog,
    available: new Set(["local", "openai"]),
    counter,
    embeddingModel: "local-hash-embed",
    clock,
    semantic: null,
    cacheState: async () => ({ version: state.version, epochs: { memory: 0, edge: 0, kv: 0 } }),
    tiers: () => tiers,
    search: async () => {
      calls.search++;
      if (state.gate) await state.gate;
      return { version: state.searchVersion, chunks: [chunk] };
    },
    embed: async () => {
      calls.embed++;
      return { ok: true, value: Float32Array.from([1, 0, 0]) };
    },
    embeddingCost: (text) => ({ tokens: counter.count(text), usd: 0 }),
    providerFor: () => upstream,
    resilience: () => ({
      policy: { maxAttempts: 1, baseMs: 1, capMs: 1, attemptTimeoutMs: 5_000 },
      timers,
      breaker: createCircuitBreaker({ failureThreshold: 5, cooldownMs: 1_000, now: clock }),
      metrics,
    }),
    deadlineAt: () => clock() + 60_000,
    waitUntil: (_request, work) => background.waitUntil(work),
    metrics: () => metrics,
  });
  const spec = (fields: Partial<QuerySpec> = {}): QuerySpec => ({
    query: "How are answers cached?",
    k: 5,
    model: "paid",
    priority: "cost",
    retrieval: "hybrid",
    maxTokens: 64,
    namespace: "default",
    scope: "shared",
    directives: { lookup: true, store: true },
    ...fields,
  });
  const ask = (fields: Partial<QuerySpec> = {}, limit?: Spend) => {
    const acct = account(limit);
    let admitted = 0;
    const caller: QueryCaller<string> = {
      request: "req",
      account: acct.account,
      admit: async () => {
        admitted++;
      },
    };
    return {
      acct,
      admitted: () => admitted,
      served: service.answer(spec(fields), caller),
    };
  };
  return { memory, edge, kv, background, metrics, state, calls, upstream, ask, clock };
}

describe("the query service", () => {
  it("computes on a miss and serves the same answer from memory the second time, billed nothing", async () => {
    const w = world();
    const first = w.ask();
    const miss = await first.served;
    expect(miss.cache).toMatchObject({ status: "MISS", fromCache: false, saved: null });
    expect(miss.generated).toBe(true);
    expect(miss.spent.tokens).toBeGreaterThan(miss.answer.usage.total_tokens);
    expect(first.acct.settled).toEqual([miss.spent]);

    const again = w.ask({ query: "  how ARE answers cached? " });
    const hit = await again.served;
    expect(hit.cache).toMatchObject({ status: "HIT-MEMORY", fromCache: true });
    expect(hit.cache.saved).toEqual(miss.spent);
    expect(hit.answer.answer).toBe(miss.answer.answer);
    expect(hit.answer.usage.total_tokens).toBe(0);
    expect(again.acct.raises).toEqual([]);
    expect(again.admitted()).toBe(1);
    expect(w.upstream.count("paid")).toBe(1);
  });

  it("reports each tier a hit came from, back-filling the tiers above it", async () => {
    const w = world();
    await w.ask().served;
    await w.background.settle();
    w.memory.data.clear();
    expect((await w.ask().served).cache.status).toBe("HIT-EDGE");
    await w.background.settle();
    w.memory.data.clear();
    w.edge.data.clear();
    expect((await w.ask().served).cache.status).toBe("HIT-KV");
    await w.background.settle();
    expect([w.memory.data.size, w.edge.data.size]).toEqual([1, 1]);
    expect(w.metrics.total("ragway_cache_lookups_total", { tier: "kv", result: "hit" })).toBe(1);
  });

  it("bypasses the lookup on no-cache but stores; no-store neither looks up nor stores", async () => {
    const w = world();
    await w.ask().served;
    const fresh = await w.ask({ directives: { lookup: false, store: true } }).served;
    expect(fresh.cache.status).toBe("BYPASS");
    expect(w.upstream.count("paid")).toBe(2);
    const none = world();
    expect(
      (await none.ask({ directives: { lookup: false, store: false } }).served).cache.status,
    ).toBe("BYPASS");
    await none.background.settle();
    expect([none.memory.data.size, none.edge.data.size, none.kv.data.size]).toEqual([0, 0, 0]);
  });

  it("serves an answer no older than max-age, and recomputes and refreshes an older one", async () => {
    const w = world();
    const within = { directives: { lookup: true, store: true, maxAgeSeconds: 30 } };
    await w.ask().served;
    await w.background.settle();
    w.clock.advance(30_000);
    expect((await w.ask(within).served).cache.status).toBe("HIT-MEMORY");
    w.clock.advance(1);
    const stale = await w.ask(within).served;
    expect(stale.cache.status).toBe("MISS");
    expect(w.upstream.count("paid")).toBe(2);
    await w.background.settle();
    // The fresh answer replaced the old one: a hit again, with no further call.
    expect((await w.ask(within).served).cache.status).toBe("HIT-MEMORY");
    expect(w.upstream.count("paid")).toBe(2);
  });

  it("files an answer under the version its search saw when a write lands mid-computation", async () => {
    const w = world();
    w.state.searchVersion = 2;
    await w.ask().served;
    await w.background.settle();
    const parts = {
      query: "How are answers cached?",
      k: 5,
      model: "paid",
      priority: "cost" as const,
      retrieval: "hybrid" as const,
      embeddingModel: "local-hash-embed",
      scope: "shared" as const,
      namespace: "default",
    };
    expect(w.kv.data.has(await answerKey({ ...parts, indexVersion: 1 }))).toBe(false);
    expect(w.kv.data.has(await answerKey({ ...parts, indexVersion: 2 }))).toBe(true);
    w.state.version = 2;
    expect((await w.ask().served).cache.status).toBe("HIT-MEMORY");
  });

  it("treats a corrupt entry as a miss and overwrites it", async () => {
    const w = world();
    const spec = {
      query: "How are answers cached?",
      k: 5,
      model: "paid",
      priority: "cost" as const,
      retrieval: "hybrid" as const,
      embeddingModel: "local-hash-embed",
      indexVersion: 1,
      scope: "shared" as const,
      namespace: "default",
    };
    w.kv.data.set(
      await answerKey(spec),
      encodeJsonEntry({ wrong: 1 }, { tokens: 1, usd: 0, createdAt: 0 }),
    );
    expect((await w.ask().served).cache.status).toBe("MISS");
    await w.background.settle();
    w.memory.data.clear();
    w.edge.data.clear();
    expect((await w.ask().served).cache.status).toBe("HIT-KV");
  });
});

describe("the query service's shared computation", () => {
  it("runs 20 concurrent identical misses once; only the leader reserves and pays", async () => {
    const w = world();
    let open = (): void => {};
    w.state.gate = new Promise((resolve) => (open = resolve));
    const asks = Array.from({ length: 20 }, () => w.ask());
    // Everyone reaches the computation (its leader waits on the search) before it goes on.
    while (w.calls.search === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    open();
    const served = await Promise.all(asks.map((a) => a.served));
    expect([w.calls.search, w.calls.embed, w.upstream.count("paid")]).toEqual([1, 1, 1]);
    const leaders = served.filter((s) => s.cache.status === "MISS");
    expect(leaders).toHaveLength(1);
    expect(served.filter((s) => s.cache.coalesced)).toHaveLength(19);
    // The question was embedded once and generated once, each paid by the request that did it;
    // a request served by the shared computation is billed as a cache hit: nothing reserved,
    // nothing spent, admitted all the same.
    const [leader] = leaders;
    const paid = asks.flatMap((a) => a.acct.settled).reduce((n, s) => n + s.tokens, 0);
    expect(paid).toBe(
      (leader?.answer.usage.total_tokens ?? NaN) + counter.count("How are answers cached?"),
    );
    const free = asks.filter((a) => a.acct.raises.length === 0);
    expect(free.length).toBeGreaterThanOrEqual(18);
    for (const j of free) expect(j.acct.settled).toEqual([{ tokens: 0, usd: 0 }]);
    expect(asks.every((a) => a.admitted() === 1)).toBe(true);
    expect(w.metrics.total("ragway_cache_lookups_total", { result: "coalesced" })).toBe(19);
  });

  it("reserves the question's embedding before making it: a refusal embeds nothing", async () => {
    const w = world();
    const refused = w.ask({}, { tokens: 1, usd: Infinity });
    await expect(refused.served).rejects.toBeInstanceOf(Refusal);
    expect([w.calls.embed, w.calls.search]).toEqual([0, 0]);
  });

  it("never hands a leader's refusal to a request waiting on it: the waiter leads and pays", async () => {
    const w = world();
    // The poor request's generation is refused, but only once the rich one waits on it.
    let refuse = (): void => {};
    const refusing = new Promise<void>((resolve) => (refuse = resolve));
    const poor = w.ask();
    const raise = poor.acct.account.raise.bind(poor.acct.account);
    poor.acct.account.raise = async (amount) => {
      if (amount.tokens <= counter.count("How are answers cached?")) return raise(amount);
      await refusing;
      throw new Refusal("refused");
    };
    await new Promise((resolve) => setTimeout(resolve, 10));
    const rich = w.ask();
    await new Promise((resolve) => setTimeout(resolve, 10));
    refuse();
    await expect(poor.served).rejects.toBeInstanceOf(Refusal);
    const answered = await rich.served;
    expect(answered.cache.status).toBe("MISS");
    expect(answered.generated).toBe(true);
    expect(w.upstream.count("paid")).toBe(1);
    // The poor request embedded the question and pays for that alone.
    expect(poor.acct.settled).toEqual([
      { tokens: counter.count("How are answers cached?"), usd: 0 },
    ]);
  });
});
