// `npm run bench`: every benchmark in turn; each prints its own numbers. None asserts on time.
// `npm run bench -- retrieval query` runs only the named ones.
import { runBundleBench } from "./bundle.js";
import { runCacheBench } from "./cache.js";
import { runIngestBench } from "./ingest.js";
import { runLimitsBench } from "./limits.js";
import { runMetricsBench } from "./metrics.js";
import { runPathBench } from "./path.js";
import { runPlanningBench } from "./planning.js";
import { runQueryBench } from "./query.js";
import { runResilienceBench } from "./resilience.js";
import { runRetrievalBench } from "./retrieval.js";
import { runShardsBench } from "./shards.js";
import { runTokenBench } from "./tokens.js";
import { runVectorsBench } from "./vectors.js";

const BENCHES: Record<string, () => Promise<unknown>> = {
  tokens: runTokenBench,
  retrieval: runRetrievalBench,
  query: runQueryBench,
  resilience: runResilienceBench,
  bundle: runBundleBench,
  cache: runCacheBench,
  limits: runLimitsBench,
  metrics: runMetricsBench,
  path: runPathBench,
  planning: runPlanningBench,
  vectors: runVectorsBench,
  shards: runShardsBench,
  ingest: runIngestBench,
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!(name in BENCHES)) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(", ")}`);
    process.exit(2);
  }
}
for (const [name, run] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  await run();
}
