// `npm run bench -- path`: what ragway's request path costs, side by side in one run. Durable
// Object calls per request (from ragway_durable_object_calls_total) for a /v1/query cache hit, a
// chat completion, a streamed chat and /health, with a high-rate key; chat latency and streamed
// time to first token at 1 connection against a bare Worker that only forwards the call to the
// same mock upstream; chat throughput at 16 connections against that forwarder; cache-hit
// throughput against a bare Worker answering a constant. The chat rows send no temperature: a
// sampled request, which the chat cache never touches. A second chat row sends temperature 0, a
// reproducible request the chat cache looks up (a miss: every question is new) and fills, to show
// what a cacheable miss costs. Both throughput baselines run again writing one console line per
// request, as ragway writes one per response.
//
// The latency and throughput tables are printed twice, each time with the gateway and its
// baselines served the same way: first by `wrangler dev` as `npm run dev` serves it, which
// attaches the V8 inspector (every console call and subrequest is then also shipped to wrangler,
// a cost production does not have), then by the same wrangler with no inspector, as a deployed
// Worker runs. Prints numbers, asserts nothing.
import { startMockUpstream } from "../test/mock-upstream/server.js";
import { startWranglerDev, type WranglerDev } from "../test/support/wrangler-dev.js";
import { postJson, runLoad, type LoadResult } from "./lib/http-load.js";
import { ADMIN_TOKEN, highRateKeyHeaders, startPathGateway } from "./lib/path-gateway.js";
import { treeCpuMs } from "./lib/process-cpu.js";
import { ms, printTable, summarize, type LatencySummary } from "./lib/stats.js";

const MODEL = "gpt-4o-mini";
const CALLS_N = Number(process.env.PATH_CALLS_N ?? 200);
const LATENCY_N = Number(process.env.PATH_LATENCY_N ?? 200);
const THROUGHPUT_N = Number(process.env.PATH_THROUGHPUT_N ?? 1000);

/** A measurement and the CPU its serving processes used per request (null where unreadable). */
type Measured<T = LatencySummary> = T & { cpuMs: number | null };

interface Target {
  url: string;
  headers: Record<string, string>;
}

/** A chat body; `cacheable` sends temperature 0, which the chat cache looks up and fills. */
const chatBody = (i: number, stream: boolean, cacheable = false) => ({
  model: MODEL,
  // A new question each time: a cacheable request misses, never hits.
  messages: [{ role: "user", content: `path benchmark question ${i} ${Date.now()}` }],
  max_tokens: 16,
  ...(cacheable ? { temperature: 0 } : {}),
  ...(stream ? { stream: true } : {}),
});

/** Sum of ragway_durable_object_calls_total by object, from /metrics. */
async function doCalls(dev: WranglerDev): Promise<Record<string, number>> {
  const res = await fetch(`${dev.url}/metrics`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  const text = await res.text();
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^ragway_durable_object_calls_total\{([^}]*)\}\s+([\d.e+]+)/.exec(line);
    if (!m) continue;
    const object = /object="([^"]+)"/.exec(m[1] ?? "")?.[1] ?? "?";
    out[object] = (out[object] ?? 0) + Number(m[2]);
  }
  return out;
}

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

/** DO calls per request for `n` sequential requests, after leases and flushes have settled. */
async function callsPer(
  dev: WranglerDev,
  send: (i: number) => Promise<void>,
  n: number,
): Promise<{ limiter: number; index: number; total: number }> {
  for (let i = 0; i < 20; i++) await send(-1 - i); // warm: leases, caches, isolate
  await sleep(1_500);
  const before = await doCalls(dev);
  for (let i = 0; i < n; i++) await send(i);
  // Leases expire and are handed back within a second; settlement and flushes run after.
  await sleep(2_500);
  const after = await doCalls(dev);
  const delta = (o: string) => ((after[o] ?? 0) - (before[o] ?? 0)) / n;
  return {
    limiter: delta("LIMITER"),
    index: delta("INDEX"),
    total: delta("LIMITER") + delta("INDEX"),
  };
}

/** Milliseconds until the first body bytes of a streamed response. */
async function ttft(url: string, init: RequestInit): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const reader = res.body?.getReader();
  if (!reader) throw new Error("no body");
  await reader.read();
  const first = performance.now() - t0;
  while (!(await reader.read()).done) {
    // drain
  }
  return first;
}

async function sequential(n: number, run: (i: number) => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await run(i));
  return out;
}

async function timed(url: string, init: RequestInit): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return performance.now() - t0;
}

/** How the gateway and its baselines are served for one pass of the latency and throughput tables. */
interface Mode {
  inspector: boolean;
  label: string;
}

const MODES: Mode[] = [
  { inspector: true, label: "wrangler dev, V8 inspector attached (as `npm run dev`)" },
  { inspector: false, label: "the same wrangler, no inspector (as deployed: nothing attached)" },
];

export async function runPathBench(): Promise<void> {
  const upstream = await startMockUpstream({ port: 0 });
  try {
    for (const [i, mode] of MODES.entries()) await runMode(upstream.url, mode, i === 0);
  } finally {
    await upstream.close();
  }
}

/** One pass: the gateway and both baselines served as `mode` says; Durable Object calls only
 * when `countCalls` (they do not depend on how the Worker is served). */
async function runMode(upstreamUrl: string, mode: Mode, countCalls: boolean): Promise<void> {
  console.log(`\n--- ${mode.label} ---`);
  const gateway = await startPathGateway(upstreamUrl, mode.inspector);
  const baseline = await startWranglerDev({
    inspector: mode.inspector,
    config: "bench/baseline/wrangler.toml",
    vars: { UPSTREAM_URL: upstreamUrl },
  });
  try {
    const ragway: Target = {
      url: gateway.url,
      headers: await highRateKeyHeaders(gateway.url, "bench-path"),
    };
    const query = { query: "How are rate limits enforced?", model: "local-extractive" };
    const hit = async () => {
      const res = await fetch(`${ragway.url}/v1/query`, postJson(query, ragway.headers));
      await res.arrayBuffer();
    };
    await hit(); // the miss that fills the cache
    const chat = (stream: boolean) => async (i: number) => {
      const res = await fetch(
        `${ragway.url}/v1/chat/completions`,
        postJson(chatBody(i, stream), ragway.headers),
      );
      await res.arrayBuffer();
    };
    const health = async () => {
      await (await fetch(`${ragway.url}/health`)).arrayBuffer();
    };

    if (countCalls) {
      const calls = [
        ["/v1/query cache hit", await callsPer(gateway, hit, CALLS_N)],
        ["chat completion", await callsPer(gateway, chat(false), CALLS_N)],
        ["streamed chat", await callsPer(gateway, chat(true), CALLS_N)],
        ["/health", await callsPer(gateway, health, CALLS_N)],
      ] as const;
      printTable(
        `Durable Object calls per request (high-rate key, ${CALLS_N} sequential requests each)`,
        ["request", "LIMITER", "INDEX", "total"],
        calls.map(([name, c]) => [
          name,
          c.limiter.toFixed(3),
          c.index.toFixed(3),
          c.total.toFixed(3),
        ]),
      );
    } else {
      for (let i = 0; i < 20; i++) await chat(false)(-1 - i); // warm: leases, isolate
    }

    const chatUrl = (t: string) => `${t}/v1/chat/completions`;
    const cpu = (r: { cpuMs: number | null }) => (r.cpuMs === null ? "n/a" : ms(r.cpuMs));
    /** A sequential run's latency summary and the CPU its serving processes used per request. */
    const measured = async (dev: WranglerDev, run: (i: number) => Promise<number>) => {
      const before = treeCpuMs(dev.pid);
      const stats = summarize(await sequential(LATENCY_N, run));
      const after = treeCpuMs(dev.pid);
      return {
        ...stats,
        cpuMs: before === null || after === null ? null : (after - before) / LATENCY_N,
      };
    };
    const ragwayChat = await measured(gateway, (i) =>
      timed(chatUrl(ragway.url), postJson(chatBody(i, false), ragway.headers)),
    );
    // The same chat at temperature 0: looked up (a miss) and filed, what the cache costs a miss.
    const ragwayChatCacheable = await measured(gateway, (i) =>
      timed(chatUrl(ragway.url), postJson(chatBody(i, false, true), ragway.headers)),
    );
    const baseChat = await measured(baseline, (i) =>
      timed(chatUrl(baseline.url), postJson(chatBody(i, false))),
    );
    const ragwayTtft = await measured(gateway, (i) =>
      ttft(chatUrl(ragway.url), postJson(chatBody(i, true), ragway.headers)),
    );
    const baseTtft = await measured(baseline, (i) =>
      ttft(chatUrl(baseline.url), postJson(chatBody(i, true))),
    );
    /** One row of the latency table: ragway against its baseline. */
    const latencyRow = (name: string, r: Measured, b: Measured) => [
      name,
      ms(r.p50),
      ms(b.p50),
      ms(r.mean),
      ms(b.mean),
      ms(r.mean - b.mean),
      cpu(r),
      cpu(b),
    ];
    printTable(
      `Latency at 1 connection (${LATENCY_N} requests each; overhead = ragway - forwarder; ` +
        `CPU = the serving processes' CPU per request)`,
      [
        "measure",
        "ragway p50",
        "forwarder p50",
        "ragway mean",
        "forwarder mean",
        "overhead (mean)",
        "ragway CPU",
        "forwarder CPU",
      ],
      [
        latencyRow("chat completion (sampled)", ragwayChat, baseChat),
        latencyRow("chat, cacheable miss (temperature 0)", ragwayChatCacheable, baseChat),
        latencyRow("streamed TTFT", ragwayTtft, baseTtft),
      ],
    );

    // Each load also reports the CPU its serving processes (wrangler and workerd, every process under
    // it) used per request: unlike req/s, other load on a shared machine does not move it much.
    const load16 = async (
      target: Target,
      make: (i: number) => RequestInit,
      path: string,
    ): Promise<Measured<LoadResult>> => {
      const dev = target.url === gateway.url ? gateway : baseline;
      const before = treeCpuMs(dev.pid);
      const result = await runLoad((i) => ({ url: `${target.url}${path}`, init: make(i) }), {
        total: THROUGHPUT_N,
        concurrency: 16,
      });
      const after = treeCpuMs(dev.pid);
      const cpuMs = before === null || after === null ? null : (after - before) / THROUGHPUT_N;
      return { ...result, cpuMs };
    };
    const chatRagway = await load16(
      ragway,
      (i) => postJson(chatBody(i, false), ragway.headers),
      "/v1/chat/completions",
    );
    const chatRagwayCacheable = await load16(
      ragway,
      (i) => postJson(chatBody(i, false, true), ragway.headers),
      "/v1/chat/completions",
    );
    const chatBase = await load16(
      { url: baseline.url, headers: {} },
      (i) => postJson(chatBody(i, false)),
      "/v1/chat/completions",
    );
    const hitRagway = await load16(ragway, () => postJson(query, ragway.headers), "/v1/query");
    const hitBase = await load16(
      { url: baseline.url, headers: {} },
      () => postJson(query),
      "/v1/query",
    );
    // The same baselines writing one console line per request, as ragway does for every response.
    const logLine = { "x-log-line": "1" };
    const chatBaseLogged = await load16(
      { url: baseline.url, headers: {} },
      (i) => postJson(chatBody(i, false), logLine),
      "/v1/chat/completions",
    );
    const hitBaseLogged = await load16(
      { url: baseline.url, headers: {} },
      () => postJson(query, logLine),
      "/v1/query",
    );
    const rps = (r: { requestsPerSecond: number }) => r.requestsPerSecond.toFixed(0);
    const cpuRatio = (a: { cpuMs: number | null }, b: { cpuMs: number | null }) =>
      a.cpuMs && b.cpuMs ? (b.cpuMs / a.cpuMs).toFixed(2) : "n/a";
    /** One row of the throughput table: ragway against its baseline. */
    const throughputRow = (name: string, r: Measured<LoadResult>, b: Measured<LoadResult>) => [
      name,
      rps(r),
      rps(b),
      (r.requestsPerSecond / b.requestsPerSecond).toFixed(2),
      cpu(r),
      cpu(b),
      cpuRatio(r, b),
      THROUGHPUT_N - (r.statuses[200] ?? 0),
    ];
    printTable(
      `Throughput at 16 connections (${THROUGHPUT_N} requests each; CPU = the serving processes' CPU per request, ` +
        `CPU ratio = baseline CPU / ragway CPU, the throughput ratio on cores nothing else uses)`,
      [
        "measure",
        "ragway req/s",
        "baseline req/s",
        "ratio",
        "ragway CPU",
        "baseline CPU",
        "CPU ratio",
        "ragway non-200",
      ],
      [
        throughputRow("chat (sampled) vs forwarder", chatRagway, chatBase),
        throughputRow(
          "chat, cacheable miss (temperature 0), vs forwarder",
          chatRagwayCacheable,
          chatBase,
        ),
        throughputRow("cache hit vs constant", hitRagway, hitBase),
        throughputRow("chat (sampled) vs forwarder + 1 console line", chatRagway, chatBaseLogged),
        throughputRow("cache hit vs constant + 1 console line", hitRagway, hitBaseLogged),
      ],
    );
  } finally {
    await Promise.all([gateway.stop(), baseline.stop()]);
  }
}
