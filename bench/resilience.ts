// Resilience and routing numbers against `wrangler dev` with the mock upstream as its OpenAI API:
// batch versus one-by-one queries at 300 ms upstream latency, the gateway's own overhead on
// /v1/chat/completions (non-stream latency and stream time to first token, versus calling the
// mock directly), and latency percentiles with 0/20/40% injected upstream failures. Prints only.
import { pathToFileURL } from "node:url";
import { postJson, runLoad } from "./lib/http-load.js";
import { ms, printTable, summarize } from "./lib/stats.js";
import { startMockUpstream, type MockUpstream } from "../test/mock-upstream/server.js";
import { startWranglerDev, type WranglerDev } from "../test/support/wrangler-dev.js";

const QUESTIONS = [
  "How does ragway keep per-user rate limits exact?",
  "What happens when the upstream model returns 429?",
  "How are answers cached?",
  "Which models can model auto pick?",
  "What does the circuit breaker do?",
  "How is the context packed into the prompt?",
  "What is the fallback chain?",
  "How are API keys stored?",
  "What does GET /metrics return?",
  "How is cost in USD computed?",
];
const MESSAGES = [{ role: "user", content: "Say hello to the benchmark." }];
/** Bypasses the caches (answers and chat completions) so every request does the real work. */
const NO_STORE = { "cache-control": "no-store" };

/** Starts the mock upstream and wrangler dev pointed at it, and prints every section. */
export async function runResilienceBench(): Promise<void> {
  const mock = await startMockUpstream({ port: 0 });
  let dev: WranglerDev | undefined;
  try {
    dev = await startWranglerDev({
      vars: { OPENAI_API_KEY: "sk-bench", OPENAI_BASE_URL: mock.url, SEED_SAMPLE_CORPUS: "true" },
    });
    console.log(
      "retry defaults: 3 attempts, full-jitter backoff base 250 ms cap 4 s; breaker opens after 5 failed calls",
    );
    await warmUp(dev, mock);
    await batchVersusSequential(dev, mock);
    await chatOverhead(dev, mock);
    await latencyUnderFailures(dev, mock);
  } finally {
    await dev?.stop();
    await mock.close();
  }
}

async function warmUp(dev: WranglerDev, mock: MockUpstream): Promise<void> {
  mock.configure({});
  await runLoad(
    (i) => ({
      url: `${dev.url}/v1/query`,
      init: postJson({ query: QUESTIONS[i % QUESTIONS.length], use_cache: false }),
    }),
    { total: 20, concurrency: 4 },
  );
  await runLoad(
    () => ({
      url: `${dev.url}/v1/chat/completions`,
      init: postJson({ model: "gpt-4o-mini", messages: MESSAGES }),
    }),
    { total: 20, concurrency: 2 },
  );
}

/** 20 queries at 300 ms upstream latency: one after another, then as one batch. */
async function batchVersusSequential(dev: WranglerDev, mock: MockUpstream): Promise<void> {
  mock.configure({ latencyMs: 300 });
  // Distinct texts for each mode, so neither finds the other's embeddings in the cache.
  const queries = (mode: string) =>
    Array.from({ length: 20 }, (_, i) => ({
      query: `${QUESTIONS[i % QUESTIONS.length] ?? ""} (${mode} ${i})`,
      use_cache: false,
    }));
  const t0 = performance.now();
  let sequentialOk = 0;
  for (const q of queries("one-by-one")) {
    const res = await fetch(`${dev.url}/v1/query`, postJson(q));
    await res.arrayBuffer();
    if (res.status === 200) sequentialOk++;
  }
  const sequentialMs = performance.now() - t0;

  const t1 = performance.now();
  const res = await fetch(`${dev.url}/v1/query/batch`, postJson({ queries: queries("batch") }));
  const body = await res.json<{ succeeded?: number }>();
  const batchMs = performance.now() - t1;
  printTable(
    "20 x POST /v1/query, upstream latency 300 ms (embedding + chat call per query)",
    ["mode", "wall time", "answered", "speed-up"],
    [
      ["one after another", ms(sequentialMs), `${sequentialOk}/20`, "1.00x"],
      [
        "one /v1/query/batch",
        ms(batchMs),
        `${body.succeeded ?? 0}/20`,
        `${(sequentialMs / batchMs).toFixed(2)}x`,
      ],
    ],
  );
}

/** Milliseconds until the first `data:` bytes of a stream arrive, then drains it. */
async function timeToFirstToken(url: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(
    url,
    postJson({ model: "gpt-4o-mini", messages: MESSAGES, stream: true }),
  );
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let first = Number.NaN;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (Number.isNaN(first) && value.byteLength > 0) first = performance.now() - t0;
  }
  return first;
}

/** The gateway's overhead: the same chat call through ragway and straight to the mock. */
async function chatOverhead(dev: WranglerDev, mock: MockUpstream): Promise<void> {
  mock.configure({});
  const N = 300;
  const targets: Array<[string, string]> = [
    ["mock upstream directly", `${mock.url}/chat/completions`],
    ["through ragway", `${dev.url}/v1/chat/completions`],
  ];
  const rows: Array<Array<string | number>> = [];
  for (const [name, url] of targets) {
    // no-store: every call must reach the upstream, not the chat cache.
    const plain = await runLoad(
      () => ({ url, init: postJson({ model: "gpt-4o-mini", messages: MESSAGES }, NO_STORE) }),
      { total: N, concurrency: 1 },
    );
    const ttft: number[] = [];
    for (let i = 0; i < 100; i++) ttft.push(await timeToFirstToken(url));
    const s = summarize(plain.latencies);
    const t = summarize(ttft);
    rows.push([name, ms(s.p50), ms(s.p99), ms(t.p50), ms(t.p99)]);
  }
  printTable(
    `POST /v1/chat/completions, upstream latency 0 (non-stream: ${N} sequential calls; stream: 100)`,
    ["target", "p50", "p99", "TTFT p50", "TTFT p99"],
    rows,
  );
}

/** Latency of /v1/chat/completions and /v1/query with 0, 20 and 40% of upstream calls failing. */
async function latencyUnderFailures(dev: WranglerDev, mock: MockUpstream): Promise<void> {
  const rows: Array<Array<string | number>> = [];
  for (const rate of [0, 0.2, 0.4]) {
    for (const route of ["/v1/chat/completions", "/v1/query"] as const) {
      mock.configure({ errorRate: rate, errorStatus: [500, 429], seed: 11 });
      const before = mock.counts();
      const result = await runLoad(
        (i) => ({
          url: `${dev.url}${route}`,
          init: postJson(
            route === "/v1/query"
              ? { query: QUESTIONS[i % QUESTIONS.length], use_cache: false, model: "gpt-4o-mini" }
              : { model: "gpt-4o-mini", messages: [{ role: "user", content: `ping ${i}` }] },
            NO_STORE,
          ),
        }),
        { total: 100, concurrency: 4 },
      );
      const after = mock.counts();
      const s = summarize(result.latencies);
      const calls = after.total - before.total;
      const failures = after.errors - before.errors;
      rows.push([
        `${Math.round(rate * 100)}%`,
        route,
        ms(s.p50),
        ms(s.p95),
        ms(s.p99),
        `${result.statuses[200] ?? 0}/100`,
        result.errors,
        `${calls} (${failures} failed)`,
      ]);
    }
  }
  printTable(
    "Latency with injected upstream failures (500/429, seeded), 100 requests each, concurrency 4",
    ["failures", "route", "p50", "p95", "p99", "200s", "5xx", "upstream calls"],
    rows,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await runResilienceBench();
}
