// Cache benchmark against `wrangler dev` and the mock upstream (300 ms per call):
//  1. latency of a memory hit, an edge hit, a KV hit and a miss, side by side;
//  2. a replay of 2,000 queries drawn Zipf-like from 300 questions (some reworded), with
//     semantic hits off and on: hit rate per tier, upstream calls, tokens and USD saved.
// Prints numbers only; nothing here asserts on time.
import { pathToFileURL } from "node:url";
import { postJson } from "./lib/http-load.js";
import { ms, printTable, summarize } from "./lib/stats.js";
import { distinctQuestions, zipfWorkload } from "./lib/workload.js";
import { startMockUpstream, type MockUpstream } from "../test/mock-upstream/server.js";
import { startWranglerDev, type WranglerDev } from "../test/support/wrangler-dev.js";

const ADMIN_TOKEN = "bench-admin-token-0123456789";
const UPSTREAM_LATENCY_MS = 300;
const MODEL = "gpt-4o-mini";
const HIT_SAMPLES = 60;
const MISS_SAMPLES = 20;
const REPLAY = { length: 2000, s: 1.0, paraphraseShare: 0.15, seed: 42, concurrency: 16 };
/** The replay empties the isolate's memory this often (isolates are recycled in production)... */
const RECYCLE_EVERY = 250;
/** ...and moves to another colo (empty Cache API) this often. */
const COLO_EVERY = 1000;

interface QueryResponse {
  cache: string;
  coalesced: boolean;
  usage: { total_tokens: number; cost_usd: number };
}

interface Saved {
  tokens: number;
  usd: number;
}

/** wrangler dev with the mock as its OpenAI-compatible upstream (chat at 300 ms per call). */
function devFor(upstream: MockUpstream, semantic: boolean): Promise<WranglerDev> {
  return startWranglerDev({
    vars: {
      OPENAI_API_KEY: "sk-bench",
      OPENAI_BASE_URL: upstream.url,
      ADMIN_TOKEN,
      SEED_SAMPLE_CORPUS: "true",
      // The mock's vectors are random per text (they carry no meaning), so the offline hashing
      // embedder stands in for a real one: rewordings then land near each other as they would.
      EMBEDDING_MODEL: "local-hash-embed",
      SEMANTIC_CACHE: String(semantic),
      SEMANTIC_CACHE_THRESHOLD: "0.95",
    },
    timeoutMs: 120_000,
  });
}

async function ask(dev: WranglerDev, query: string): Promise<QueryResponse> {
  const res = await fetch(`${dev.url}/v1/query`, postJson({ query, model: MODEL }));
  if (res.status !== 200) throw new Error(`query failed: ${res.status} ${await res.text()}`);
  return res.json<QueryResponse>();
}

async function purge(dev: WranglerDev, body: Record<string, unknown>): Promise<void> {
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const res = await fetch(`${dev.url}/admin/cache/purge`, postJson(body, headers));
  if (res.status !== 200) throw new Error(`purge failed: ${res.status} ${await res.text()}`);
}

async function saved(dev: WranglerDev): Promise<Saved> {
  // Metrics flush after each response (waitUntil): give the last ones a moment to land.
  await new Promise((r) => setTimeout(r, 500));
  const res = await fetch(`${dev.url}/v1/stats`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return (await res.json<{ cache: { saved: Saved } }>()).cache.saved;
}

/** Times queries one at a time, running `prepare` (untimed) before each. */
async function timeTier(
  samples: number,
  expected: string,
  send: (i: number) => Promise<QueryResponse | Response>,
  prepare: (i: number) => Promise<void> = async () => {},
): Promise<number[]> {
  const latencies: number[] = [];
  const other: Record<string, number> = {};
  for (let i = 0; i < samples; i++) {
    await prepare(i);
    const t0 = performance.now();
    const body = await send(i);
    latencies.push(performance.now() - t0);
    if (body instanceof Response) await body.arrayBuffer();
    else if (body.cache !== expected) other[body.cache] = (other[body.cache] ?? 0) + 1;
  }
  if (Object.keys(other).length > 0) {
    console.log(
      `  note: of ${samples} ${expected} samples, served otherwise: ${JSON.stringify(other)}`,
    );
  }
  return latencies;
}

async function latencyByTier(dev: WranglerDev): Promise<void> {
  const warm = Array.from({ length: 20 }, (_, i) => `Which cache tier answers question ${i}?`);
  for (const q of warm) await ask(dev, q);
  const pick = (i: number): string => warm[i % warm.length] ?? "";
  const rows: Array<[string, number[]]> = [
    [
      "wrangler dev itself (a 404)",
      await timeTier(HIT_SAMPLES, "", () => fetch(`${dev.url}/nope`)),
    ],
    [
      "memory hit (HIT-MEMORY)",
      await timeTier(HIT_SAMPLES, "HIT-MEMORY", (i) => ask(dev, pick(i))),
    ],
    [
      "edge hit (HIT-EDGE)",
      await timeTier(
        HIT_SAMPLES,
        "HIT-EDGE",
        (i) => ask(dev, pick(i)),
        () => purge(dev, { caches: ["answer"], tiers: ["memory"] }),
      ),
    ],
    [
      "KV hit (HIT-KV)",
      await timeTier(
        HIT_SAMPLES,
        "HIT-KV",
        (i) => ask(dev, pick(i)),
        () => purge(dev, { caches: ["answer"], tiers: ["memory", "edge"] }),
      ),
    ],
    [
      "miss (MISS)",
      await timeTier(MISS_SAMPLES, "MISS", (i) =>
        ask(dev, `A question never asked before, number ${i}?`),
      ),
    ],
  ];
  printTable(
    `POST /v1/query latency by cache tier (wrangler dev; mock ${MODEL} at ${UPSTREAM_LATENCY_MS} ms per call)`,
    ["served by", "n", "p50", "p99", "mean"],
    rows.map(([name, l]) => {
      const s = summarize(l);
      return [name, s.n, ms(s.p50), ms(s.p99), ms(s.mean)];
    }),
  );
  console.log(
    "Every lookup includes one INDEX object read (version + purge epochs). Locally the Cache API and KV\n" +
      "are Miniflare's on-disk simulations; in production a KV read adds network time.",
  );
}

interface ReplayResult {
  label: string;
  tiers: Record<string, number>;
  coalesced: number;
  chatCalls: number;
  spent: Saved;
  saved: Saved;
  elapsedMs: number;
}

async function replay(
  dev: WranglerDev,
  upstream: MockUpstream,
  label: string,
): Promise<ReplayResult> {
  const workload = zipfWorkload(await distinctQuestions(300), REPLAY);
  const before = await saved(dev);
  upstream.reset();
  upstream.configure({ latencyMs: UPSTREAM_LATENCY_MS });
  const result: ReplayResult = {
    label,
    tiers: {},
    coalesced: 0,
    chatCalls: 0,
    spent: { tokens: 0, usd: 0 },
    saved: { tokens: 0, usd: 0 },
    elapsedMs: 0,
  };
  const started = performance.now();
  for (let from = 0; from < workload.length; from += RECYCLE_EVERY) {
    if (from > 0) {
      const tiers = from % COLO_EVERY === 0 ? ["memory", "edge"] : ["memory"];
      await purge(dev, {
        caches: ["answer", "embedding"],
        tiers,
      });
    }
    const slice = workload.slice(from, from + RECYCLE_EVERY);
    let next = 0;
    const client = async (): Promise<void> => {
      while (next < slice.length) {
        const item = slice[next++];
        if (!item) continue;
        const body = await ask(dev, item.query);
        result.tiers[body.cache] = (result.tiers[body.cache] ?? 0) + 1;
        if (body.coalesced) result.coalesced++;
        result.spent.tokens += body.usage.total_tokens;
        result.spent.usd += body.usage.cost_usd;
      }
    };
    await Promise.all(Array.from({ length: REPLAY.concurrency }, () => client()));
  }
  result.elapsedMs = performance.now() - started;
  const after = await saved(dev);
  result.saved = { tokens: after.tokens - before.tokens, usd: after.usd - before.usd };
  result.chatCalls = upstream.counts().chat;
  return result;
}

function printReplay(results: readonly ReplayResult[]): void {
  const n = REPLAY.length;
  const pct = (x: number, of: number): string =>
    of > 0 ? `${((100 * x) / of).toFixed(1)}%` : "n/a";
  const rows = results.map((r) => {
    const hits = (s: string): number => r.tiers[s] ?? 0;
    const noCache = { tokens: r.spent.tokens + r.saved.tokens, usd: r.spent.usd + r.saved.usd };
    return [
      r.label,
      pct(hits("HIT-MEMORY") - r.coalesced, n),
      pct(r.coalesced, n),
      pct(hits("HIT-EDGE"), n),
      pct(hits("HIT-KV"), n),
      pct(hits("HIT-SEMANTIC"), n),
      pct(hits("MISS"), n),
      `${r.chatCalls} (no cache: ${n})`,
      `${Math.round(r.saved.tokens).toLocaleString("en-US")} (${pct(r.saved.tokens, noCache.tokens)})`,
      `$${r.saved.usd.toFixed(4)} of $${noCache.usd.toFixed(4)} (${pct(r.saved.usd, noCache.usd)})`,
      `${(r.elapsedMs / 1000).toFixed(1)} s`,
    ];
  });
  printTable(
    `Replay: ${n} queries, Zipf(s=${REPLAY.s}) over 300 questions, ${REPLAY.paraphraseShare * 100}% reworded, ` +
      `${REPLAY.concurrency} clients; memory emptied every ${RECYCLE_EVERY} queries, the edge every ${COLO_EVERY}; ` +
      `${MODEL} at ${UPSTREAM_LATENCY_MS} ms. The two runs share the machine (wall time is not a latency figure)`,
    [
      "run",
      "memory",
      "coalesced",
      "edge",
      "KV",
      "semantic",
      "miss",
      "generation calls",
      "tokens saved",
      "USD saved",
      "wall",
    ],
    rows,
  );
  console.log(
    "Hit rates are shares of all queries. Saved = what each hit's original computation cost (generation +\n" +
      "question embedding, plus embedding-cache hits); the no-cache cost is spent + saved.",
  );
}

/** Runs both parts and prints their tables. */
export async function runCacheBench(): Promise<void> {
  // One mock upstream per replay, so each run's upstream calls are counted on their own.
  const mocks = await Promise.all([0, 1].map(() => startMockUpstream({ port: 0 })));
  const [mockOff, mockOn] = mocks;
  const devs: WranglerDev[] = [];
  try {
    if (!mockOff || !mockOn) throw new Error("mock upstream did not start");
    mockOff.configure({ latencyMs: UPSTREAM_LATENCY_MS });
    const [off, on] = await Promise.all([devFor(mockOff, false), devFor(mockOn, true)]);
    devs.push(off, on);
    await latencyByTier(off);
    // The two replays are independent (own Worker, own upstream): run them side by side.
    const results = await Promise.all([
      replay(off, mockOff, "semantic off"),
      replay(on, mockOn, "semantic on (>= 0.95)"),
    ]);
    printReplay(results);
  } finally {
    await Promise.all(devs.map((d) => d.stop()));
    await Promise.all(mocks.map((m) => m.close()));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await runCacheBench();
}
