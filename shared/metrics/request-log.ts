// The request log: one small record per request, built from the request's log line and shipped
// with the isolate's metrics batch (never a round trip of its own). Only bounded, non-secret
// fields; the question text only when LOG_QUERIES=true put it on the log line.
import { OBSERVABILITY_ROUTES } from "./stats-summary.js";

/** One request as the console's log shows it. */
export interface RequestRecord {
  /** The request id (X-Request-Id). */
  id: string;
  /** When the request finished, in milliseconds since the epoch. */
  t: number;
  method: string;
  route: string;
  status: number;
  /** The principal: a key id (`key_...`), an anonymous id, or null. */
  principal_id: string | null;
  model: string | null;
  /** The cache status the route reported (e.g. HIT-MEMORY, MISS, BYPASS). */
  cache: string | null;
  tokens: number | null;
  cost_usd: number | null;
  latency_ms: number;
  /** Time spent in the gateway itself, when the request measured it. */
  overhead_ms: number | null;
  /** Details that only some routes report: degraded, attempts, limited, timings... */
  detail: Record<string, string | number | boolean>;
  /** The question, only when the deployment logs queries. */
  query?: string;
}

/** Records an isolate holds between flushes at most (the oldest go first). */
export const MAX_PENDING_RECORDS = 1000;
/** Records the METRICS object keeps, and for how long. A read parses all of them (about 4 MB at
 * 10,000 typical records, 15-25 ms), which the console's live view does every five seconds. */
export const REQUEST_LOG_MAX = 10_000;
export const REQUEST_LOG_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Longest question text kept in a record (LOG_QUERIES=true only). */
const MAX_QUERY_CHARS = 500;

/** Routes left out of the log: the console's own polling and uptime probes would crowd out the
 * traffic worth reading in a bounded log. */
export const UNLOGGED_ROUTES: ReadonlySet<string> = new Set([
  ...OBSERVABILITY_ROUTES,
  "/health",
  "/admin/requests",
]);

/** Log-line fields copied into `detail` when present with a scalar value. */
const DETAIL_FIELDS = [
  "degraded",
  "attempts",
  "retrieval_ms",
  "generation_ms",
  "limited",
  "model_reason",
  "documents",
  "batch_size",
  "batch_failed",
  "key_id",
  "error",
  "stream",
  "billed",
] as const;

/** Longest text kept in any other field: a method or an upstream's message can be long. */
const MAX_FIELD_CHARS = 200;

const str = (v: unknown): string | null =>
  typeof v === "string" && v.length > 0 ? v.slice(0, MAX_FIELD_CHARS) : null;
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * The record of one finished request, from its log-line fields (`method`, `route`, `status`,
 * `principal_id`, `latency_ms` and whatever the route added). Null for unlogged routes.
 * `logQueries` must be the deployment's LOG_QUERIES: without it a `query` field is dropped.
 */
export function requestRecordOf(
  requestId: string,
  t: number,
  fields: Record<string, unknown>,
  logQueries: boolean,
): RequestRecord | null {
  const route = str(fields.route) ?? "unmatched";
  if (UNLOGGED_ROUTES.has(route)) return null;
  const detail: RequestRecord["detail"] = {};
  for (const name of DETAIL_FIELDS) {
    const v = fields[name];
    if (typeof v === "string") detail[name] = v.slice(0, MAX_FIELD_CHARS);
    else if (typeof v === "boolean" || num(v) !== null) detail[name] = v as boolean | number;
  }
  const record: RequestRecord = {
    id: requestId,
    t,
    method: str(fields.method) ?? "GET",
    route,
    status: num(fields.status) ?? 0,
    principal_id: str(fields.principal_id),
    model: str(fields.model),
    cache: str(fields.cache),
    tokens: num(fields.tokens),
    cost_usd: num(fields.cost_usd),
    latency_ms: num(fields.latency_ms) ?? 0,
    overhead_ms: num(fields.overhead_ms),
    detail,
  };
  const query = fields.query;
  if (logQueries && typeof query === "string" && query.length > 0) {
    record.query = query.slice(0, MAX_QUERY_CHARS);
  }
  return record;
}

/** Filters of the log's listing. */
export interface RequestLogFilter {
  /** An exact status (`429`) or a class (`4xx`). */
  status?: string;
  route?: string;
  /** A principal id. */
  principal?: string;
  /** Records strictly older than this cursor (see {@link cursorOf}). */
  before?: { t: number; seq: number };
  limit: number;
}

/** The page cursor of a record: its time and its insertion sequence, so equal times page well. */
export function cursorOf(t: number, seq: number): string {
  return `${t}_${seq}`;
}

/** Parses a cursor, or an ISO 8601 time (everything before it); null when it is neither. */
export function parseCursor(value: string): { t: number; seq: number } | null {
  const m = /^(\d{1,15})_(\d{1,15})$/.exec(value);
  if (m) return { t: Number(m[1]), seq: Number(m[2]) };
  const t = Date.parse(value);
  return Number.isFinite(t) && /^\d{4}-\d\d-\d\dT/.test(value) ? { t, seq: 0 } : null;
}

/** A logged record and its place among every record the log was ever given (1 for the first). */
export interface LoggedRecord {
  record: RequestRecord;
  seq: number;
}

/** The statuses a filter's `status` admits: an exact status (`429`) or a class (`4xx`). */
function statusRange(status: string | undefined): { low: number; high: number } | null {
  if (status === undefined) return null;
  const cls = /^([1-5])xx$/.exec(status);
  if (!cls) return { low: Number(status), high: Number(status) + 1 };
  const low = Number(cls[1]) * 100;
  return { low, high: low + 100 };
}

/** A test of the filter's status, route and principal (not its cursor), its status read once. */
function matcherOf(filter: RequestLogFilter): (record: RequestRecord) => boolean {
  const statuses = statusRange(filter.status);
  return (record) =>
    (filter.route === undefined || record.route === filter.route) &&
    (filter.principal === undefined || record.principal_id === filter.principal) &&
    (statuses === null || (record.status >= statuses.low && record.status < statuses.high));
}

/** Newest first: by time, then by the order the log was given them. */
const newestFirst = (a: LoggedRecord, b: LoggedRecord): number =>
  b.record.t - a.record.t || b.seq - a.seq;

/** The page of `logged` that `filter` asks for, newest first, with the cursor of the next. */
export function requestLogPage(
  logged: readonly LoggedRecord[],
  filter: RequestLogFilter,
): { data: RequestRecord[]; next_before: string | null } {
  const { before } = filter;
  const matches = matcherOf(filter);
  const hits = logged
    .filter(
      (e) =>
        matches(e.record) &&
        (before === undefined ||
          e.record.t < before.t ||
          (e.record.t === before.t && e.seq < before.seq)),
    )
    .sort(newestFirst);
  const page = hits.slice(0, filter.limit);
  const last = page[page.length - 1];
  return {
    data: page.map((e) => e.record),
    next_before: hits.length > filter.limit && last ? cursorOf(last.record.t, last.seq) : null,
  };
}

/** The distinct routes and principals of `logged`, sorted (the console's filters). */
export function requestLogFacets(logged: readonly LoggedRecord[]): {
  routes: string[];
  principals: string[];
} {
  const routes = new Set<string>();
  const principals = new Set<string>();
  for (const { record } of logged) {
    routes.add(record.route);
    if (record.principal_id !== null) principals.add(record.principal_id);
  }
  const sorted = (s: Set<string>): string[] => [...s].sort();
  return { routes: sorted(routes), principals: sorted(principals) };
}
