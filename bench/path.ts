// `npm run bench -- path`: what ragway's request path costs, side by side in one run. Durable
// Object calls per request (from ragway_durable_object_calls_total) for a /v1/query cache hit, a
// chat completion, a streamed chat and /health, with a high-rate key, and the LIMITER calls a
// request waited for before its response (its Server-Timing entry); chat latency and streamed
// time to first token at 1 connection against a bare Worker that only forwards the call to the
// same mock upstream; chat throughput at 16 connections against that forwarder; cache-hit
// throughput against a bare Worker answering a constant. The chat rows send no temperature: a
// sampled request, which the chat cache never touches. A second chat row sends temperature 0, a
// reproducible request the chat cache looks up (a miss: every question is new) and fills, to show
// what a cacheable miss costs. The latency and throughput rows run again against the same
// baselines writing one console line per request, as ragway writes one per response: wrangler
// parses every console line in its Node process, where Cloudflare handles logs outside the Worker,
// so those rows separate what ragway's code adds from what its log line costs locally. Every row
// measures ragway and its baseline together: latency requests interleaved one by one, throughput
// in alternating blocks, so a change in the machine's load during the run falls on both alike.
//
// The latency and throughput tables are printed twice, each time with the gateway and its
// baselines served the same way: first by `wrangler dev` as `npm run dev` serves it, which
// attaches the V8 inspector (every console call and subrequest is then also shipped to wrangler,
// a cost production does not have), then by the same wrangler with no inspector, as a deployed
// Worker runs. Prints numbers, asserts nothing.
import { startMockUpstream } from "../test/mock-upstream/server.js";
import { startWranglerDev, type WranglerDev } from "../test/support/wrangler-dev.js";
import { alternatingLoad, type SideLoad } from "./lib/alternating-load.js";
import { postJson } from "./lib/http-load.js";
import {
  ADMIN_TOKEN,
  chatBody,
  HIT_QUERY,
  highRateKeyHeaders,
  startPathGateway,
  timeToFirstByte as ttft,
} from "./lib/path-gateway.js";
import { treeCpuMs } from "./lib/process-cpu.js";
import { ms, printTable, summarize, type LatencySummary } from "./lib/stats.js";

const CALLS_N = Number(process.env.PATH_CALLS_N ?? 200);
const LATENCY_N = Number(process.env.PATH_LATENCY_N ?? 200);
const THROUGHPUT_N = Number(process.env.PATH_THROUGHPUT_N ?? 3000);
/** Each throughput pair runs in this many alternating blocks of THROUGHPUT_N / blocks requests. */
const THROUGHPUT_BLOCKS = 6;

/** A measurement and the CPU its serving processes used per request (null where unreadable). */
type Measured = LatencySummary & { cpuMs: number | null };

interface Target {
  url: string;
  headers: Record<string, string>;
}

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

/**
 * The calls a window's own reads of /metrics add to it: each read computes the index gauges with
 * INDEX calls, counted after its snapshot was taken, so they show in the next read. Measured over
 * a window with no requests in it, and taken off every window's count.
 */
async function readingCalls(dev: WranglerDev): Promise<Record<string, number>> {
  await sleep(2_500);
  const before = await doCalls(dev);
  await sleep(2_500);
  const after = await doCalls(dev);
  const out: Record<string, number> = {};
  for (const o of Object.keys(after)) out[o] = (after[o] ?? 0) - (before[o] ?? 0);
  return out;
}

/** The LIMITER calls a response says it waited for (its Server-Timing entry; 0 for a lease). */
function awaitedCalls(res: Response): number {
  const m = /limiter;desc="(\d+) calls"/.exec(res.headers.get("server-timing") ?? "");
  return m ? Number(m[1]) : 0;
}

/**
 * DO calls per request for `n` sequential requests, after leases and flushes have settled, and
 * the LIMITER calls a request waited for (`send` returns them).
 */
async function callsPer(
  dev: WranglerDev,
  send: (i: number) => Promise<number>,
  n: number,
  reading: Record<string, number>,
): Promise<{ limiter: number; index: number; total: number; awaited: number }> {
  for (let i = 0; i < 20; i++) await send(-1 - i); // warm: leases, caches, isolate
  await sleep(1_500);
  const before = await doCalls(dev);
  let awaited = 0;
  for (let i = 0; i < n; i++) awaited += await send(i);
  // Leases expire and are handed back within a second; settlement and flushes run after.
  await sleep(2_500);
  const after = await doCalls(dev);
  const delta = (o: string) => ((after[o] ?? 0) - (before[o] ?? 0) - (reading[o] ?? 0)) / n;
  return {
    limiter: delta("LIMITER"),
    index: delta("INDEX"),
    total: delta("LIMITER") + delta("INDEX"),
    awaited: awaited / n,
  };
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
    const query = HIT_QUERY;
    const hit = async () => {
      const res = await fetch(`${ragway.url}/v1/query`, postJson(query, ragway.headers));
      await res.arrayBuffer();
      return awaitedCalls(res);
    };
    await hit(); // the miss that fills the cache
    const chat = (stream: boolean) => async (i: number) => {
      const res = await fetch(
        `${ragway.url}/v1/chat/completions`,
        postJson(chatBody(i, stream), ragway.headers),
      );
      await res.arrayBuffer();
      return awaitedCalls(res);
    };
    const health = async () => {
      const res = await fetch(`${ragway.url}/health`);
      await res.arrayBuffer();
      return awaitedCalls(res);
    };

    if (countCalls) {
      const reading = await readingCalls(gateway);
      const calls = [
        ["/v1/query cache hit", await callsPer(gateway, hit, CALLS_N, reading)],
        ["chat completion", await callsPer(gateway, chat(false), CALLS_N, reading)],
        ["streamed chat", await callsPer(gateway, chat(true), CALLS_N, reading)],
        ["/health", await callsPer(gateway, health, CALLS_N, reading)],
      ] as const;
      printTable(
        `Durable Object calls per request (high-rate key, ${CALLS_N} sequential requests each; ` +
          `taken off each count: the benchmark's own /metrics reads, ` +
          `${Object.entries(reading)
            .map(([o, n]) => `${o} ${n}`)
            .join(", ")} per window)`,
        ["request", "LIMITER", "INDEX", "total", "awaited before the response"],
        calls.map(([name, c]) => [
          name,
          c.limiter.toFixed(3),
          c.index.toFixed(3),
          c.total.toFixed(3),
          c.awaited.toFixed(3),
        ]),
      );
    } else {
      for (let i = 0; i < 20; i++) await chat(false)(-1 - i); // warm: leases, isolate
    }

    const chatUrl = (t: string) => `${t}/v1/chat/completions`;
    const cpu = (r: { cpuMs: number | null }) => (r.cpuMs === null ? "n/a" : ms(r.cpuMs));
    /** CPU per request that ragway's and the baseline's serving processes used while `work` ran. */
    const cpuPer = async (
      work: () => Promise<void>,
      n: number,
    ): Promise<[number | null, number | null]> => {
      const gatewayBefore = treeCpuMs(gateway.pid);
      const baselineBefore = treeCpuMs(baseline.pid);
      await work();
      const per = (after: number | null, before: number | null) =>
        after === null || before === null ? null : (after - before) / n;
      return [
        per(treeCpuMs(gateway.pid), gatewayBefore),
        per(treeCpuMs(baseline.pid), baselineBefore),
      ];
    };
    /**
     * Latency of ragway and of its baseline, interleaved request by request (which one goes first
     * alternates), so drift in the machine's load falls on both alike.
     */
    const pairedLatency = async (
      runRagway: (i: number) => Promise<number>,
      runBase: (i: number) => Promise<number>,
    ): Promise<[Measured, Measured]> => {
      const r: number[] = [];
      const b: number[] = [];
      const [cpuR, cpuB] = await cpuPer(async () => {
        for (let i = 0; i < LATENCY_N; i++) {
          if (i % 2 === 0) {
            r.push(await runRagway(i));
            b.push(await runBase(i));
          } else {
            b.push(await runBase(i));
            r.push(await runRagway(i));
          }
        }
      }, LATENCY_N);
      return [
        { ...summarize(r), cpuMs: cpuR },
        { ...summarize(b), cpuMs: cpuB },
      ];
    };
    const [ragwayChat, baseChat] = await pairedLatency(
      (i) => timed(chatUrl(ragway.url), postJson(chatBody(i, false), ragway.headers)),
      (i) => timed(chatUrl(baseline.url), postJson(chatBody(i, false))),
    );
    // The same chat at temperature 0: looked up (a miss) and filed, what the cache costs a miss.
    const [ragwayChatCacheable, baseChatAgain] = await pairedLatency(
      (i) => timed(chatUrl(ragway.url), postJson(chatBody(i, false, true), ragway.headers)),
      (i) => timed(chatUrl(baseline.url), postJson(chatBody(i, false))),
    );
    const [ragwayTtft, baseTtft] = await pairedLatency(
      (i) => ttft(chatUrl(ragway.url), postJson(chatBody(i, true), ragway.headers)),
      (i) => ttft(chatUrl(baseline.url), postJson(chatBody(i, true))),
    );
    // Like for like: the forwarder writing one console line per request, as ragway does.
    const logLine = { "x-log-line": "1" };
    const [ragwayChatAgain, loggedChat] = await pairedLatency(
      (i) => timed(chatUrl(ragway.url), postJson(chatBody(i, false), ragway.headers)),
      (i) => timed(chatUrl(baseline.url), postJson(chatBody(i, false), logLine)),
    );
    const [ragwayTtftAgain, loggedTtft] = await pairedLatency(
      (i) => ttft(chatUrl(ragway.url), postJson(chatBody(i, true), ragway.headers)),
      (i) => ttft(chatUrl(baseline.url), postJson(chatBody(i, true), logLine)),
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
      `Latency at 1 connection (${LATENCY_N} requests each, ragway's and the forwarder's ` +
        `interleaved; overhead = ragway - forwarder; CPU = the serving processes' CPU per request)`,
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
        latencyRow("chat, cacheable miss (temperature 0)", ragwayChatCacheable, baseChatAgain),
        latencyRow("streamed TTFT", ragwayTtft, baseTtft),
        latencyRow("chat (sampled), forwarder + 1 console line", ragwayChatAgain, loggedChat),
        latencyRow("streamed TTFT, forwarder + 1 console line", ragwayTtftAgain, loggedTtft),
      ],
    );

    /** Throughput at 16 connections of ragway and of its baseline (bench/lib/alternating-load). */
    const pairedLoad = (
      path: string,
      makeRagway: (i: number) => RequestInit,
      makeBase: (i: number) => RequestInit,
    ): Promise<[SideLoad, SideLoad]> =>
      alternatingLoad(
        [
          {
            pid: gateway.pid,
            request: (i) => ({ url: `${ragway.url}${path}`, init: makeRagway(i) }),
          },
          {
            pid: baseline.pid,
            request: (i) => ({ url: `${baseline.url}${path}`, init: makeBase(i) }),
          },
        ],
        { total: THROUGHPUT_N, blocks: THROUGHPUT_BLOCKS, concurrency: 16 },
      );
    const chatPath = "/v1/chat/completions";
    const [chatRagway, chatBase] = await pairedLoad(
      chatPath,
      (i) => postJson(chatBody(i, false), ragway.headers),
      (i) => postJson(chatBody(i, false)),
    );
    const [chatRagwayCacheable, chatBaseAgain] = await pairedLoad(
      chatPath,
      (i) => postJson(chatBody(i, false, true), ragway.headers),
      (i) => postJson(chatBody(i, false)),
    );
    const [hitRagway, hitBase] = await pairedLoad(
      "/v1/query",
      () => postJson(query, ragway.headers),
      () => postJson(query),
    );
    // The same baselines writing one console line per request, as ragway does for every response.
    const [chatRagwayAgain, chatBaseLogged] = await pairedLoad(
      chatPath,
      (i) => postJson(chatBody(i, false), ragway.headers),
      (i) => postJson(chatBody(i, false), logLine),
    );
    const [hitRagwayAgain, hitBaseLogged] = await pairedLoad(
      "/v1/query",
      () => postJson(query, ragway.headers),
      () => postJson(query, logLine),
    );
    const rps = (r: { requestsPerSecond: number }) => r.requestsPerSecond.toFixed(0);
    const cpuRatio = (a: { cpuMs: number | null }, b: { cpuMs: number | null }) =>
      a.cpuMs && b.cpuMs ? (b.cpuMs / a.cpuMs).toFixed(2) : "n/a";
    /** The lowest and highest ratio of one block of ragway's to the baseline's next to it. */
    const blockRatios = (r: SideLoad, b: SideLoad) => {
      const ratios = r.blockRequestsPerSecond.map((v, i) => v / (b.blockRequestsPerSecond[i] ?? v));
      return `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`;
    };
    /** One row of the throughput table: ragway against its baseline. */
    const throughputRow = (name: string, r: SideLoad, b: SideLoad) => [
      name,
      rps(r),
      rps(b),
      (r.requestsPerSecond / b.requestsPerSecond).toFixed(2),
      blockRatios(r, b),
      cpu(r),
      cpu(b),
      cpuRatio(r, b),
      THROUGHPUT_N - (r.statuses[200] ?? 0),
    ];
    printTable(
      `Throughput at 16 connections (${THROUGHPUT_N} requests each, in ${THROUGHPUT_BLOCKS} alternating blocks; CPU = the serving processes' CPU per request, ` +
        `CPU ratio = baseline CPU / ragway CPU, the throughput ratio on cores nothing else uses)`,
      [
        "measure",
        "ragway req/s",
        "baseline req/s",
        "ratio",
        "ratio by block",
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
          chatBaseAgain,
        ),
        throughputRow("cache hit vs constant", hitRagway, hitBase),
        throughputRow(
          "chat (sampled) vs forwarder + 1 console line",
          chatRagwayAgain,
          chatBaseLogged,
        ),
        throughputRow("cache hit vs constant + 1 console line", hitRagwayAgain, hitBaseLogged),
      ],
    );
    /** One side's CPU per request in one runtime (`workerd#1`, `workerd#2`), or in every other
     * process of the side (`null`: wrangler's Node processes, and npx's and esbuild's). */
    const processCpu = (r: SideLoad, runtime: string | null) => {
      if (!r.cpuByProcess) return "n/a";
      let used = 0;
      for (const [name, perRequest] of r.cpuByProcess) {
        if (runtime === null ? !name.startsWith("workerd#") : name === runtime) used += perRequest;
      }
      return ms(used);
    };
    const processRow = (label: string, side: SideLoad) => [
      label,
      processCpu(side, null),
      processCpu(side, "workerd#1"),
      processCpu(side, "workerd#2"),
    ];
    const processRows = (name: string, r: SideLoad, b: SideLoad) => [
      processRow(`${name}: ragway`, r),
      processRow(`${name}: baseline`, b),
    ];
    printTable(
      "The same rows' CPU per request by process: where the difference is spent (wrangler's Node " +
        "process prints and files each console line; its proxy runtime copies each response and " +
        "walks its headers; the Worker's runtime runs the Worker)",
      ["measure", "wrangler (Node)", "wrangler's proxy runtime", "the Worker's runtime"],
      [
        ...processRows("chat (sampled)", chatRagway, chatBase),
        ...processRows("cache hit", hitRagway, hitBase),
        ...processRows(
          "chat (sampled), forwarder + 1 console line",
          chatRagwayAgain,
          chatBaseLogged,
        ),
      ],
    );
  } finally {
    await Promise.all([gateway.stop(), baseline.stop()]);
  }
}
