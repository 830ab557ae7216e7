// Integration tests: the Worker in workerd via the Workers pool, real KV/DO simulation, and a real
// mock upstream HTTP server from globalSetup. Projects: the offline default (local provider), the
// upstream mode (OPENAI_API_KEY set, OPENAI_BASE_URL pointing at the mock), the offline mode with
// semantic cache hits turned on, and two settings of CACHE_STATE_TTL_MS (0, and held for long).
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { DEFAULT_CATALOG, type ModelInfo } from "./shared/llm/catalog.js";

const ADMIN_TOKEN = "test-admin-token-0123456789";
const METRICS_TOKEN = "test-metrics-token-0123456789";

// Test-only models the upstream suites own alone (so one test opening a breaker or overflowing a
// window cannot disturb another): weak, slow and dear, so `auto` never picks them.
const testModel = (id: string, contextWindow: number): ModelInfo => ({
  id,
  provider: "openai",
  kind: "chat",
  contextWindow,
  maxOutputTokens: 1_024,
  inputUsdPerMTok: 50,
  outputUsdPerMTok: 50,
  speedTier: 1,
  qualityTier: 1,
});
const UPSTREAM_CATALOG = [
  ...DEFAULT_CATALOG,
  testModel("flaky-model", 128_000),
  testModel("narrow-model", 2_000),
];

// Upstream mode: retries with millisecond backoff so failure tests stay fast, and a 4 s deadline
// so a long Retry-After is provably "past the deadline".
const UPSTREAM_VARS = {
  OPENAI_API_KEY: "sk-test-upstream",
  MODEL_CATALOG: JSON.stringify(UPSTREAM_CATALOG),
  RETRY_BASE_MS: "2",
  RETRY_CAP_MS: "20",
  UPSTREAM_DEADLINE_MS: "4000",
};

function project(
  name: string,
  include: string[],
  upstreamMode: boolean,
  extraBindings: Record<string, string> = {},
) {
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        main: "./workers/index.ts",
        // The development environment (anonymous access on), as `npm run dev` runs it.
        wrangler: { configPath: "./wrangler.toml", environment: "dev" },
        remoteBindings: false,
        miniflare: {
          bindings: {
            ENVIRONMENT: "test",
            ADMIN_TOKEN,
            METRICS_TOKEN,
            // Flush right after each response: tests that wait for waitUntil stay fast.
            METRICS_FLUSH_MS: "0",
            SEED_SAMPLE_CORPUS: "false",
            OPENAI_BASE_URL: inject("upstreamUrl"),
            UPSTREAM_CONTROL_URL: inject("upstreamControl"),
            OPENAI_TIMEOUT_MS: "5000",
            // Keyless test traffic is one anonymous principal per file: keep it out of the way.
            // Tests of limits create keys with their own limits.
            ANONYMOUS_RPM: "100000",
            ANONYMOUS_TPM: "100000000",
            ANONYMOUS_DAILY_BUDGET_USD: "1000000",
            ANONYMOUS_MONTHLY_BUDGET_USD: "1000000",
            ...(upstreamMode ? UPSTREAM_VARS : {}),
            ...extraBindings,
          },
        },
      })),
    ],
    test: {
      name,
      include,
      globalSetup: ["./test/support/global-setup.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      // Upstream files share one mock server (its counters and faults): run them one at a time.
      fileParallelism: !upstreamMode,
      silent: "passed-only" as const,
      // Every file starts its own runtime, which loads the Worker's modules one by one over the
      // pool's socket: the dependencies pre-bundled into one module each (zod alone is 95) save
      // about a second per file.
      deps: {
        optimizer: { ssr: { enabled: true, include: ["zod", "gpt-tokenizer", "js-tiktoken"] } },
      },
    },
  };
}

export default defineConfig({
  test: {
    // Two files at once where a project allows it (upstream files run one at a time): on two
    // cores the default is one, which leaves a core idle while each file starts its runtime.
    maxWorkers: 2,
    projects: [
      project("local", ["test/integration/*.test.ts"], false),
      project("upstream", ["test/integration/upstream/**/*.test.ts"], true),
      // Semantic hits are off by default; this project turns them on over the local provider.
      project("semantic", ["test/integration/semantic/**/*.test.ts"], false, {
        SEMANTIC_CACHE: "true",
        SEMANTIC_CACHE_THRESHOLD: "0.95",
      }),
      // The cache state read on every lookup (CACHE_STATE_TTL_MS=0): the "never stale" tests of
      // the answer cache run again under it, with writes and purges made behind the isolate's back.
      project(
        "strict",
        ["test/integration/cache-state/strict.test.ts", "test/integration/cache.test.ts"],
        false,
        { CACHE_STATE_TTL_MS: "0" },
      ),
      // The cache state held longer than any test runs: only writes, purges and searches move it.
      project("held", ["test/integration/cache-state/held.test.ts"], false, {
        CACHE_STATE_TTL_MS: "600000",
      }),
    ],
  },
});
