// GET /v1/stats (admin): the global counters from the METRICS object as JSON, plus the cache
// section (hits per tier, hit rates, tokens and USD saved) derived from them.
import type { IRequest } from "itty-router";
import { cacheStats } from "../../shared/cache/cache-stats.js";
import type { AppContext } from "../context.js";
import { requireAdmin } from "../auth.js";
import { json } from "../http/respond.js";
import { metricsStub } from "../metrics.js";

export async function getStats(request: IRequest, app: AppContext): Promise<Response> {
  await requireAdmin(request, app);
  const series = await metricsStub(app.env).snapshot();
  const counters: Record<string, Array<{ labels: Record<string, string>; value: number }>> = {};
  for (const s of series) {
    (counters[s.name] ??= []).push({ labels: s.labels, value: s.value });
  }
  return json({ object: "stats", cache: cacheStats(series), counters });
}
