// Integration tests: the Worker in workerd via the Workers pool, real KV/DO simulation, and a real
// mock upstream HTTP server from globalSetup. Three projects: the offline default (local provider),
// the upstream mode (OPENAI_API_KEY set, OPENAI_BASE_URL pointing at the mock), and the offline
// mode with semantic cache hits turned on.
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const ADMIN_TOKEN = "test-admin-token-0123456789";
const METRICS_TOKEN = "test-metrics-token-0123456789";

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
        wrangler: { configPath: "./wrangler.toml" },
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
            ...(upstreamMode ? { OPENAI_API_KEY: "sk-test-upstream" } : {}),
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
      // Upstream files share one mock server (its counters and faults): run them one at a time.
      fileParallelism: !upstreamMode,
      silent: "passed-only" as const,
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      project("local", ["test/integration/*.test.ts"], false),
      project("upstream", ["test/integration/upstream/**/*.test.ts"], true),
      // Semantic hits are off by default; this project turns them on over the local provider.
      project("semantic", ["test/integration/semantic/**/*.test.ts"], false, {
        SEMANTIC_CACHE: "true",
        SEMANTIC_CACHE_THRESHOLD: "0.95",
      }),
    ],
  },
});
