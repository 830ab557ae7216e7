// GET /v1/stats (admin): the operator's summary of the global series as JSON (what the dashboard
// draws): totals, percentiles, hit rates per tier, spend and savings, limits, per-model health,
// recent history for charts, the raw counters, and the index's size in total and per namespace
// (from the INDEX objects' reports, read here and by /metrics: /health answers from the isolate).
import type { RoutedRequest } from "../http/routed-request.js";
import { cacheStats } from "../../shared/cache/cache-stats.js";
import { overheadByRoute } from "../../shared/metrics/overhead-stats.js";
import { historyFrom } from "../../shared/metrics/stats-history.js";
import { summarize } from "../../shared/metrics/stats-summary.js";
import type { AppContext } from "../context.js";
import { requireAdmin } from "../auth.js";
import { json } from "../http/respond.js";
import { flushMetricsNow, metricsStub } from "../metrics.js";
import { ensureSeeded } from "../seed.js";
import { listRegistered } from "../tenancy/namespace-registry.js";
import { defaultVersion, indexGauges, namespaceSizes } from "../tenancy/namespace-stats.js";

export async function getStats(request: RoutedRequest, app: AppContext): Promise<Response> {
  await requireAdmin(request, app);
  await flushMetricsNow(app);
  // A development index is seeded on first use; an operator looking at its size is a use.
  await ensureSeeded(app);
  const [{ series, samples, index }, registered] = await Promise.all([
    metricsStub(app.env).read(),
    listRegistered(app.env.CACHE),
  ]);
  const { sizes, pending } = await namespaceSizes(app, registered, index);
  const all = [...series, ...indexGauges(sizes, app.config.METRICS_NAMESPACE_LABELS)];
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
      index: {
        documents: sizes.reduce((n, c) => n + c.documents, 0),
        chunks: sizes.reduce((n, c) => n + c.chunks, 0),
        version: defaultVersion(sizes),
      },
      cache: cacheStats(series),
      overhead: overheadByRoute(series),
      // Every namespace by name (not folded: this is JSON for the operator, not a label).
      namespaces: sizes.map((c) => ({
        name: c.namespace,
        documents: c.documents,
        chunks: c.chunks,
        version: c.version,
      })),
      // Namespaces whose size is not known yet (see docs/tenants.md#reporting).
      namespaces_pending: pending,
      history: historyFrom(samples),
      counters,
    },
    { headers: { "cache-control": "no-store" } },
  );
}
