// GET /v1/stats (admin): the operator's summary of the global series as JSON (what the dashboard
// draws): totals, percentiles, hit rates per tier, spend and savings, limits, per-model health,
// recent history for charts, the raw counters, and the index's size (the one route that reads it:
// /health answers from the isolate).
import type { IRequest } from "itty-router";
import { cacheStats } from "../../shared/cache/cache-stats.js";
import { overheadByRoute } from "../../shared/metrics/overhead-stats.js";
import { historyFrom } from "../../shared/metrics/stats-history.js";
import { summarize } from "../../shared/metrics/stats-summary.js";
import type { AppContext } from "../context.js";
import { requireAdmin } from "../auth.js";
import { json } from "../http/respond.js";
import { flushMetricsNow, metricsStub } from "../metrics.js";
import { ensureSeeded } from "../seed.js";
import { indexStub } from "../services.js";

export async function getStats(request: IRequest, app: AppContext): Promise<Response> {
  await requireAdmin(request, app);
  await flushMetricsNow(app);
  // A development index is seeded on first use; an operator looking at its size is a use.
  await ensureSeeded(app);
  const [{ series, samples }, index] = await Promise.all([
    metricsStub(app.env).read(),
    indexStub(app.env).stats(),
  ]);
  const all = [
    ...series,
    { name: "ragway_index_documents", labels: {}, value: index.documents },
    { name: "ragway_index_chunks", labels: {}, value: index.chunks },
  ];
  const counters: Record<string, Array<{ labels: Record<string, string>; value: number }>> = {};
  for (const s of series) {
    (counters[s.name] ??= []).push({ labels: s.labels, value: s.value });
  }
  return json(
    {
      object: "stats",
      generated_at: new Date().toISOString(),
      metrics_enabled: app.config.METRICS_ENABLED,
      ...summarize(all),
      index: { documents: index.documents, chunks: index.chunks, version: index.version },
      cache: cacheStats(series),
      overhead: overheadByRoute(series),
      history: historyFrom(samples),
      counters,
    },
    { headers: { "cache-control": "no-store" } },
  );
}
