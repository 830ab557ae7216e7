// `npm run bench:load`: drives `wrangler dev` (OpenAI mode against the mock upstream at 300 ms)
// with autocannon through fixed scenarios for a bounded time each, and writes a JSON result and
// a Markdown table (requests/s, p50/p95/p99, errors) under bench/results/. Prints; asserts nothing.
import { mkdir, writeFile } from "node:fs/promises";
import type { IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { startMockUpstream } from "../test/mock-upstream/server.js";
import { startWranglerDev } from "../test/support/wrangler-dev.js";
import { scenarios, type Scenario } from "./load/scenarios.js";
import { createApiKey } from "../test/support/api-key.js";

const ADMIN_TOKEN = "bench-admin-token-0123456789";
const UPSTREAM_LATENCY_MS = 300;

export interface ScenarioResult {
  name: string;
  description: string;
  durationS: number;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Responses by status code. */
  statuses: Record<string, number>;
  /** Non-2xx responses that are not the scenario's expected status, plus socket errors. */
  errors: number;
  timeouts: number;
  /** X-Cache header values seen. */
  cache: Record<string, number>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? Number.NaN;
}

function headerValue(headers: Record<string, unknown>, name: string): string | null {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? String(value[0]) : String(value);
  }
  return null;
}

/** Runs one scenario for `durationS` seconds with `connections` open connections. */
async function runScenario(
  url: string,
  scenario: Scenario,
  options: { durationS: number; connections: number },
): Promise<ScenarioResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const cache: Record<string, number> = {};
  const requests = scenario.requests.map((r) => ({
    ...r,
    onResponse: (status: number, _body: string, _ctx: object, headers?: IncomingHttpHeaders) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      const x = headerValue(headers ?? {}, "x-cache");
      if (x) cache[x] = (cache[x] ?? 0) + 1;
    },
  }));
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url, connections: options.connections, duration: options.durationS, requests },
      (err, res) =>
        err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res),
    );
    // The instance is also a promise (of the same result): only its events are used here.
    void instance.on("response", (_client, _status, _bytes, responseTime: number) => {
      latencies.push(responseTime);
    });
  });
  latencies.sort((a, b) => a - b);
  const unexpected = Object.entries(statuses)
    .filter(([s]) => !s.startsWith("2") && !scenario.expected.includes(Number(s)))
    .reduce((n, [, c]) => n + c, 0);
  const round = (x: number): number => Math.round(x * 10) / 10;
  return {
    name: scenario.name,
    description: scenario.description,
    durationS: options.durationS,
    connections: options.connections,
    requests: latencies.length,
    requestsPerSecond: round(latencies.length / options.durationS),
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? Number.NaN),
    },
    statuses,
    errors: unexpected + result.errors,
    timeouts: result.timeouts,
    cache,
  };
}

/** Creates a key with a low request limit through the admin API; null when keys do not exist. */
async function createLimitedKey(url: string): Promise<Record<string, string> | null> {
  try {
    const { key } = await createApiKey(url, ADMIN_TOKEN, { name: "bench-limited", rpm: 10 });
    return { authorization: `Bearer ${key}` };
  } catch {
    return null;
  }
}

function table(results: ScenarioResult[], notes: string[]): string {
  const fmt = (r: Record<string, number>): string =>
    Object.entries(r)
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ") || "-";
  const lines = [
    "| scenario | req/s | p50 ms | p95 ms | p99 ms | requests | errors | statuses | X-Cache |",
    "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.requestsPerSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p95} | ${r.latencyMs.p99} | ${r.requests} | ${r.errors + r.timeouts} | ${fmt(r.statuses)} | ${fmt(r.cache)} |`,
    ),
  ];
  return [...lines, "", ...results.map((r) => `- **${r.name}**: ${r.description}`), ...notes].join(
    "\n",
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "10" },
      connections: { type: "string", default: "10" },
      out: { type: "string", default: "bench/results" },
    },
  });
  const durationS = Number(values.duration);
  const connections = Number(values.connections);
  if (!(durationS > 0) || !(connections > 0)) throw new Error("--duration and --connections > 0");

  const upstream = await startMockUpstream({
    port: 0,
    faults: { latencyMs: UPSTREAM_LATENCY_MS },
  });
  const dev = await startWranglerDev({
    vars: {
      OPENAI_API_KEY: "sk-bench-load",
      OPENAI_BASE_URL: upstream.url,
      ADMIN_TOKEN,
      SEED_SAMPLE_CORPUS: "true",
      // The keyless scenarios share one anonymous principal: its limits must not be what is
      // measured (the limited-key scenario measures limits).
      ANONYMOUS_RPM: "100000",
      ANONYMOUS_TPM: "100000000",
    },
  });
  const notes: string[] = [];
  try {
    // Seed the corpus and warm the isolate before anything is timed.
    await (await fetch(`${dev.url}/health`)).text();
    const limitedAuth = await createLimitedKey(dev.url);
    if (!limitedAuth) {
      notes.push(
        "",
        "limited-key: not run, this build has no `POST /admin/keys` (keys and per-key limits).",
      );
    }
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios({ auth: {}, limitedAuth })) {
      if (scenario.name === "cache-hit") {
        const warm = scenario.requests[0];
        await fetch(`${dev.url}${warm?.path ?? "/"}`, {
          method: warm?.method ?? "GET",
          headers: warm?.headers as Record<string, string>,
          body: typeof warm?.body === "string" ? warm.body : null,
        });
      }
      process.stdout.write(`running ${scenario.name} for ${durationS}s... `);
      const r = await runScenario(dev.url, scenario, { durationS, connections });
      process.stdout.write(`${r.requestsPerSecond} req/s, p50 ${r.latencyMs.p50} ms\n`);
      results.push(r);
    }
    const hits = results.find((r) => r.name === "cache-hit");
    if (hits && !Object.keys(hits.cache).some((k) => k.startsWith("HIT"))) {
      notes.push(
        "",
        "cache-hit: no response was a cache hit (X-Cache), so this build has no result cache.",
      );
    }
    const at = new Date().toISOString().replace(/[:.]/g, "-");
    await mkdir(values.out, { recursive: true });
    const base = join(values.out, `load-${at}`);
    const meta = {
      at: new Date().toISOString(),
      target: "wrangler dev (local workerd), OpenAI mode against the mock upstream",
      upstreamLatencyMs: UPSTREAM_LATENCY_MS,
      durationS,
      connections,
      node: process.version,
    };
    await writeFile(`${base}.json`, `${JSON.stringify({ ...meta, results }, null, 2)}\n`);
    const md = [
      `# Load test ${meta.at}`,
      "",
      `${meta.target}; upstream latency ${UPSTREAM_LATENCY_MS} ms; ${durationS} s per scenario, ${connections} connections; Node ${meta.node}.`,
      "",
      table(results, notes),
      "",
    ].join("\n");
    await writeFile(`${base}.md`, md);
    console.log(`\n${md}\nwrote ${base}.json and ${base}.md`);
  } finally {
    await dev.stop();
    await upstream.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
