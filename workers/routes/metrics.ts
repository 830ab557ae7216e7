// GET /metrics: the global aggregate in the Prometheus text format, for scrapers. Takes the admin
// token or METRICS_TOKEN (a scraper's credential that opens nothing else).
import type { RoutedRequest } from "../http/routed-request.js";
import type { MetricEntry } from "../../shared/metrics/batch.js";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "../../shared/metrics/prometheus.js";
import { bearerToken, constantTimeEqual, requireAdmin } from "../auth.js";
import type { AppContext } from "../context.js";
import { HttpError } from "../errors.js";
import { flushMetricsNow, metricsStub } from "../metrics.js";
import { listRegistered } from "../tenancy/namespace-registry.js";
import { indexGauges, namespaceSizes } from "../tenancy/namespace-stats.js";

export async function getMetrics(request: RoutedRequest, app: AppContext): Promise<Response> {
  await requireMetricsReader(request, app);
  const series = await readGlobalSeries(app);
  return new Response(renderPrometheus(series), {
    headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" },
  });
}

/** The global series plus gauges computed at read time (index size, per namespace, from the
 * INDEX objects' reports). This isolate's pending batch is flushed first so a reader always sees
 * its own isolate's increments. */
export async function readGlobalSeries(app: AppContext): Promise<MetricEntry[]> {
  await flushMetricsNow(app);
  const [{ series, index }, registered] = await Promise.all([
    metricsStub(app.env).snapshot(),
    listRegistered(app.env.CACHE),
  ]);
  const { sizes } = await namespaceSizes(app, registered, index);
  return [...series, ...indexGauges(sizes, app.config.METRICS_NAMESPACE_LABELS)];
}

/** The admin token, or METRICS_TOKEN when one is configured. */
async function requireMetricsReader(request: Request, app: AppContext): Promise<void> {
  const scraperToken = app.config.METRICS_TOKEN;
  const token = bearerToken(request);
  if (scraperToken && token && (await constantTimeEqual(token, scraperToken))) {
    app.principal = { id: "metrics", kind: "admin" };
    return;
  }
  if (!token) throw new HttpError("unauthorized", "admin or metrics token required");
  await requireAdmin(request, app);
}
