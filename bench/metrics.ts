// Benchmark: the cost of metrics on the hot path. Two `wrangler dev` processes, one with metrics
// (isolate batch + flush in waitUntil) and one with METRICS_ENABLED=false, are sent the same
// repeated /v1/query, interleaved so machine noise hits both alike. Prints p50/p95 side by side.
// Run alone: node --import tsx bench/metrics.ts
import { pathToFileURL } from "node:url";
import { ms, printTable, summarize } from "./lib/stats.js";
import { createMetricsFlusher } from "../shared/metrics/flusher.js";
import { startWranglerDev, type WranglerDev } from "../test/support/wrangler-dev.js";

const WARMUP = 30;
const SAMPLES = 300;
const BODY = JSON.stringify({ query: "How does ragway keep per-user rate limits exact?" });

async function timedQuery(dev: WranglerDev): Promise<{ ms: number; cache: string }> {
  const started = performance.now();
  const res = await fetch(`${dev.url}/v1/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: BODY,
  });
  await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`query failed with ${res.status}`);
  return { ms, cache: res.headers.get("x-cache") ?? "none" };
}

/** In-process: what one /v1/query records (the same series as the route), plus scheduling the
 * flush, on the real isolate batch. Free of the network and machine noise of the HTTP runs. */
function recordingCost(): number {
  const flusher = createMetricsFlusher({
    intervalMs: 1000,
    maxSeries: 500,
    sleep: () => new Promise<void>(() => {}), // never fires: only the request-side cost counts
    onError: () => {},
  });
  const bg = { waitUntil: () => {} };
  const sink = async (): Promise<void> => {};
  const m = flusher.metrics;
  const one = (i: number): void => {
    m.inc("ragway_embedding_calls_total", { provider: "local", result: "ok" });
    m.inc("ragway_embedding_inputs_total", { provider: "local" }, 1);
    m.inc("ragway_tokens_total", { model: "local-extractive", direction: "in" }, 700 + (i % 50));
    m.inc("ragway_tokens_total", { model: "local-extractive", direction: "out" }, 170);
    m.inc("ragway_cost_usd_total", { model: "local-extractive" }, 0.0001);
    m.inc("ragway_requests_total", { route: "/v1/query", status: "200" });
    m.observe("ragway_request_duration_seconds", { route: "/v1/query" }, 0.004 + (i % 7) / 100);
    flusher.schedule(bg, sink);
  };
  for (let i = 0; i < 20_000; i++) one(i);
  const n = 200_000;
  const started = performance.now();
  for (let i = 0; i < n; i++) one(i);
  return ((performance.now() - started) / n) * 1000; // microseconds
}

/** Prints /v1/query p50 and p95 with and without metrics. */
export async function runMetricsBench(): Promise<void> {
  console.log("\n## Metrics on the hot path: /v1/query, metrics on vs METRICS_ENABLED=false");
  console.log(
    `recording one query's metrics (7 series + a 13-bucket histogram) and scheduling the flush: ${recordingCost().toFixed(2)} µs per request (in-process)`,
  );
  const [on, off] = await Promise.all([
    startWranglerDev({ vars: { METRICS_ENABLED: "true" } }),
    startWranglerDev({ vars: { METRICS_ENABLED: "false" } }),
  ]);
  try {
    const runs = { on: [] as number[], off: [] as number[] };
    const caches = new Set<string>();
    for (let i = 0; i < WARMUP; i++) {
      await timedQuery(on);
      await timedQuery(off);
    }
    for (let i = 0; i < SAMPLES; i++) {
      // Alternate which goes first so neither always follows the other's flush.
      const order: Array<["on" | "off", WranglerDev]> =
        i % 2 === 0
          ? [
              ["on", on],
              ["off", off],
            ]
          : [
              ["off", off],
              ["on", on],
            ];
      for (const [name, dev] of order) {
        const r = await timedQuery(dev);
        runs[name].push(r.ms);
        caches.add(r.cache);
      }
    }
    const hit = [...caches].every((c) => c.startsWith("HIT"));
    const what = hit
      ? "answer-cache hit"
      : `repeated query, X-Cache ${[...caches].join("/")} (no answer cache: full RAG path)`;
    const enabled = summarize(runs.on);
    const disabled = summarize(runs.off);
    printTable(
      `POST /v1/query, ${SAMPLES} sequential requests to each after ${WARMUP} warm-up, interleaved; ${what}`,
      ["metrics", "p50", "p95", "p99", "mean"],
      [
        ["enabled", ms(enabled.p50), ms(enabled.p95), ms(enabled.p99), ms(enabled.mean)],
        [
          "METRICS_ENABLED=false",
          ms(disabled.p50),
          ms(disabled.p95),
          ms(disabled.p99),
          ms(disabled.mean),
        ],
      ],
    );
    const d = enabled.p50 - disabled.p50;
    console.log(`metrics cost at p50: ${d >= 0 ? "+" : ""}${d.toFixed(2)} ms`);
  } finally {
    await Promise.all([on.stop(), off.stop()]);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await runMetricsBench();
}
