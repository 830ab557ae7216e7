// GET /admin/requests (admin): the request log, newest first, filtered by status, route and key.
// Reading only: the records arrived with metrics flushes, so this isolate's pending batch is
// flushed first and the page includes the requests it served a moment ago.
import type { RoutedRequest } from "../http/routed-request.js";
import {
  REQUEST_LOG_PAGE_DEFAULT,
  RequestLogQuerySchema,
  type RequestLogEntry,
} from "../../shared/api/request-log-api.js";
import {
  REQUEST_LOG_MAX,
  REQUEST_LOG_MAX_AGE_MS,
  parseCursor,
  type RequestLogFilter,
  type RequestRecord,
} from "../../shared/metrics/request-log.js";
import { requireAdmin } from "../auth.js";
import type { AppContext } from "../context.js";
import { HttpError } from "../errors.js";
import { validate } from "../http/read-json.js";
import { json } from "../http/respond.js";
import { flushMetricsNow, metricsStub } from "../metrics.js";
import { listKeyViews } from "./keys.js";

export async function getRequests(request: RoutedRequest, app: AppContext): Promise<Response> {
  await requireAdmin(request, app);
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const q = validate(RequestLogQuerySchema, params);
  const keys = await listKeyViews(app);
  const names = new Map(keys.map((k) => [k.id, k.name]));
  const filter: RequestLogFilter = { limit: q.limit ?? REQUEST_LOG_PAGE_DEFAULT };
  if (q.status !== undefined) filter.status = q.status;
  if (q.route !== undefined) filter.route = q.route;
  if (q.key !== undefined) {
    // A key's name works too; a name nobody has matches nothing.
    filter.principal = keys.find((k) => k.name === q.key && k.id !== q.key)?.id ?? q.key;
  }
  if (q.before !== undefined) {
    const before = parseCursor(q.before);
    if (!before) {
      throw new HttpError(
        "invalid_request",
        "before: expected a next_before cursor or an ISO 8601 time",
        { param: "before" },
      );
    }
    filter.before = before;
  }
  await flushMetricsNow(app);
  const page = await metricsStub(app.env).requests(filter);
  return json(
    {
      object: "list",
      data: page.data.map((r) => entryOf(r, names)),
      next_before: page.next_before,
      routes: page.facets.routes,
      keys: page.facets.principals.map((id) => ({ id, name: names.get(id) ?? null })),
      log_queries: app.config.LOG_QUERIES,
      retention: { max_records: REQUEST_LOG_MAX, max_age_seconds: REQUEST_LOG_MAX_AGE_MS / 1000 },
    },
    { headers: { "cache-control": "no-store" } },
  );
}

function entryOf(r: RequestRecord, names: ReadonlyMap<string, string>): RequestLogEntry {
  const { t, principal_id, ...rest } = r;
  return {
    object: "request",
    ...rest,
    time: new Date(t).toISOString(),
    principal_id,
    key_name: principal_id === null ? null : (names.get(principal_id) ?? null),
  };
}
