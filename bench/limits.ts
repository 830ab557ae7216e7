// The limiter's cost, measured against `wrangler dev` (local workerd, a real LIMITER object on
// SQLite). One process serves two kinds of caller side by side: a key (authenticated and limited
// through its LIMITER object, which admits a request itself or leases admits to the isolate) and
// anonymous callers with RATE_LIMITS_ENABLED=false (no limiter at all), so the difference between
// them is what the limiter adds. Requests alternate between the two so machine noise falls on
// both alike. The key's `Server-Timing` says how each request was admitted (a LIMITER call, a
// lease held by the isolate) and how long its calls took. Prints numbers; asserts nothing about
// time.
import { pathToFileURL } from "node:url";
import { postJson, runLoad } from "./lib/http-load.js";
import { ms, printTable, summarize } from "./lib/stats.js";
import { createApiKey } from "../test/support/api-key.js";
import { startWranglerDev } from "../test/support/wrangler-dev.js";

const ADMIN_TOKEN = "bench-admin-token-0123456789";
const DECISIONS = 400;
const CONCURRENT = { total: 2_000, concurrency: 32 };
const QUERIES = 150;
const QUESTION = "How does ragway keep per-user rate limits exact?";

/** Starts wrangler dev and prints limiter decision latency, throughput and its share of a query. */
export async function runLimitsBench(): Promise<void> {
  const dev = await startWranglerDev({
    vars: { ADMIN_TOKEN, RATE_LIMITS_ENABLED: "false", SEED_SAMPLE_CORPUS: "true" },
  });
  try {
    const key = await createKey(dev.url);
    const keyed = { authorization: `Bearer ${key}` };
    // An empty body is refused by validation right after admission: the request does nothing
    // else, so its latency is HTTP + Worker + (for the key) the LIMITER decision.
    const decision = (headers: Record<string, string>) => postJson({}, headers);
    const query = (headers: Record<string, string>) =>
      postJson({ query: QUESTION, use_cache: false }, headers);

    await runLoad(() => ({ url: `${dev.url}/v1/query`, init: query({}) }), {
      total: 20,
      concurrency: 2,
    });
    await runLoad(() => ({ url: `${dev.url}/v1/query`, init: decision(keyed) }), {
      total: 50,
      concurrency: 2,
    });

    // 1. Decision latency, sequential.
    const seq = { key: [] as number[], anon: [] as number[], rpc: [] as number[] };
    const admittedBy = new Map<string, number>();
    for (let i = 0; i < DECISIONS; i++) {
      for (const who of i % 2 === 0 ? (["key", "anon"] as const) : (["anon", "key"] as const)) {
        const t0 = performance.now();
        const res = await fetch(`${dev.url}/v1/query`, decision(who === "key" ? keyed : {}));
        await res.arrayBuffer();
        seq[who].push(performance.now() - t0);
        if (who === "key") {
          const timing = res.headers.get("server-timing") ?? "";
          const how = /limiter;desc="([^"]*)"/.exec(timing)?.[1] ?? "none";
          admittedBy.set(how, (admittedBy.get(how) ?? 0) + 1);
          const dur = /limiter;desc="\d+ calls?";dur=([\d.]+)/.exec(timing)?.[1];
          if (res.status !== 400) throw new Error(`expected 400 from the key, got ${res.status}`);
          if (dur) seq.rpc.push(Number(dur));
        }
      }
    }
    const key1 = summarize(seq.key);
    const anon1 = summarize(seq.anon);
    const rpc = summarize(seq.rpc);
    printTable(
      `Limiter decision latency, ${DECISIONS} sequential requests each (POST /v1/query {} -> 400 after admission)`,
      ["caller", "p50", "p95", "p99"],
      [
        [
          "key (auth + admission: its LIMITER object or a lease)",
          ms(key1.p50),
          ms(key1.p95),
          ms(key1.p99),
        ],
        ["anonymous, limiter off", ms(anon1.p50), ms(anon1.p95), ms(anon1.p99)],
        [
          "difference (what the limiter adds)",
          ms(key1.p50 - anon1.p50),
          "",
          ms(key1.p99 - anon1.p99),
        ],
        [
          `LIMITER calls as the Worker timed them (Server-Timing; ${seq.rpc.length} requests)`,
          seq.rpc.length > 0 ? ms(rpc.p50) : "none",
          seq.rpc.length > 0 ? ms(rpc.p95) : "",
          seq.rpc.length > 0 ? ms(rpc.p99) : "",
        ],
      ],
    );
    console.log(
      `how the key's ${DECISIONS} requests were admitted (Server-Timing): ` +
        [...admittedBy].map(([how, n]) => `${how} ${n}`).join(", "),
    );

    // 2. Concurrent decisions through one object (one key).
    const viaKey = await runLoad(
      () => ({ url: `${dev.url}/v1/query`, init: decision(keyed) }),
      CONCURRENT,
    );
    const viaAnon = await runLoad(
      () => ({ url: `${dev.url}/v1/query`, init: decision({}) }),
      CONCURRENT,
    );
    printTable(
      `Decisions/s for one key: ${CONCURRENT.total} requests, ${CONCURRENT.concurrency} in flight`,
      ["caller", "requests/s", "p50", "p99", "statuses"],
      [
        [
          "one key (its LIMITER object, leasing admits to the isolate)",
          viaKey.requestsPerSecond.toFixed(0),
          ms(summarize(viaKey.latencies).p50),
          ms(summarize(viaKey.latencies).p99),
          JSON.stringify(viaKey.statuses),
        ],
        [
          "anonymous, limiter off",
          viaAnon.requestsPerSecond.toFixed(0),
          ms(summarize(viaAnon.latencies).p50),
          ms(summarize(viaAnon.latencies).p99),
          JSON.stringify(viaAnon.statuses),
        ],
      ],
    );

    // 3. End to end /v1/query with and without the limiter (admission, reservation, settlement).
    const e2e = { key: [] as number[], anon: [] as number[] };
    for (let i = 0; i < QUERIES; i++) {
      for (const who of i % 2 === 0 ? (["key", "anon"] as const) : (["anon", "key"] as const)) {
        const t0 = performance.now();
        const res = await fetch(`${dev.url}/v1/query`, query(who === "key" ? keyed : {}));
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`query as ${who} answered ${res.status}`);
        e2e[who].push(performance.now() - t0);
      }
    }
    const withLimiter = summarize(e2e.key);
    const without = summarize(e2e.anon);
    printTable(
      `POST /v1/query end to end, ${QUERIES} sequential each (local provider, sample corpus, use_cache: false)`,
      ["", "p50", "p95", "p99"],
      [
        ["with the limiter (key)", ms(withLimiter.p50), ms(withLimiter.p95), ms(withLimiter.p99)],
        ["without (anonymous, limiter off)", ms(without.p50), ms(without.p95), ms(without.p99)],
        ["difference", ms(withLimiter.p50 - without.p50), "", ""],
      ],
    );
  } finally {
    await dev.stop();
  }
}

/** A key whose limits never bind during the run. */
async function createKey(url: string): Promise<string> {
  const issued = await createApiKey(url, ADMIN_TOKEN, {
    name: "bench",
    rpm: 100_000,
    tpm: 100_000_000,
    daily_budget_usd: 1_000_000,
    monthly_budget_usd: 1_000_000,
  });
  return issued.key;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await runLimitsBench();
}
