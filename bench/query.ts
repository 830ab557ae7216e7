// /v1/query latency and throughput against `wrangler dev` with the local provider: percentiles
// per request and requests/s at a fixed concurrency, the answer cache bypassed so every request
// runs the whole path (embed, hybrid search, pack, extractive answer).
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { postJson, runLoad } from "./lib/http-load.js";
import { ms, printTable, summarize } from "./lib/stats.js";
import { startWranglerDev } from "../test/support/wrangler-dev.js";

const WARMUP = 50;
const RUNS: Array<{ concurrency: number; total: number }> = [
  { concurrency: 1, total: 300 },
  { concurrency: 8, total: 800 },
];

/** Starts wrangler dev and prints /v1/query latency percentiles and requests/s. */
export async function runQueryBench(): Promise<void> {
  const questions = (
    JSON.parse(await readFile(new URL("./eval/questions.json", import.meta.url), "utf8")) as Array<{
      q: string;
    }>
  ).map((x) => x.q);
  const dev = await startWranglerDev({ vars: { SEED_SAMPLE_CORPUS: "true" } });
  try {
    const make = (i: number) => ({
      url: `${dev.url}/v1/query`,
      init: postJson({ query: questions[i % questions.length], use_cache: false }),
    });
    await runLoad(make, { total: WARMUP, concurrency: 4 });
    const rows: Array<Array<string | number>> = [];
    for (const run of RUNS) {
      const result = await runLoad(make, run);
      const s = summarize(result.latencies);
      const ok = result.statuses[200] ?? 0;
      rows.push([
        run.concurrency,
        run.total,
        ms(s.p50),
        ms(s.p95),
        ms(s.p99),
        result.requestsPerSecond.toFixed(1),
        `${ok}/${run.total}`,
      ]);
    }
    printTable(
      "POST /v1/query against wrangler dev (local provider, sample corpus, use_cache: false)",
      ["concurrency", "requests", "p50", "p95", "p99", "req/s", "200s"],
      rows,
    );
  } finally {
    await dev.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await runQueryBench();
}
