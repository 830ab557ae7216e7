// POST /v1/query/batch: up to 50 `/v1/query` bodies answered concurrently (BATCH_CONCURRENCY at a
// time) through the query service, results in input order. One failing query is an inline error
// item, never a failed batch. Each item has its own spend account and log fields; the batch's log
// line is their explicit merge.
import type { RoutedRequest } from "../http/routed-request.js";
import { BatchEnvelopeSchema, BatchItemSchema } from "../../shared/api/schemas.js";
import { cacheDirectives } from "../../shared/cache/directives.js";
import { mergeBatchFields, type QueryLogFields } from "../../shared/metrics/log-fields.js";
import { mapConcurrent } from "../../shared/util/map-concurrent.js";
import type { AppContext } from "../context.js";
import { HttpError, renderErrorBody } from "../errors.js";
import { readJson, validate } from "../http/read-json.js";
import { json } from "../http/respond.js";
import { LimitRefusal } from "../limits/limiter-client.js";
import { ensureSeeded } from "../seed.js";
import { namespaceFor } from "../tenancy/permissions.js";
import { ensureGrants } from "../limits/admission.js";
import { runQuery } from "../query-service.js";
import { cacheFields } from "./query.js";

export async function postQueryBatch(request: RoutedRequest, app: AppContext): Promise<Response> {
  const body = await readJson(request, BatchEnvelopeSchema, app.config.MAX_BODY_BYTES);
  // One namespace for the whole batch: authorized once, before any item runs.
  await ensureGrants(app);
  const namespace = namespaceFor(app, body.namespace);
  await ensureSeeded(app);
  const refusals: LimitRefusal[] = [];
  // Each item logs into its own fields; the batch's line gets their merge, below.
  const itemFields: QueryLogFields[] = body.queries.map(() => ({}));
  const results = await mapConcurrent(
    body.queries,
    app.config.BATCH_CONCURRENCY,
    async (raw, index) => {
      try {
        const query = validate(BatchItemSchema, raw);
        if (query.stream) {
          throw new HttpError("invalid_request", "stream: not supported inside a batch", {
            param: "stream",
          });
        }
        // Each item goes through the answer cache as a /v1/query would, with the batch's
        // Cache-Control applying to all of them.
        const directives = cacheDirectives(
          query.use_cache,
          request.headers.get("cache-control"),
          request.headers.get("pragma"),
        );
        const fields = itemFields[index] ?? {};
        const { answer, cache } = await runQuery(query, app, { directives, namespace }, fields);
        return { index, status: 200, response: { ...answer, ...cacheFields(cache) } };
      } catch (err) {
        if (err instanceof LimitRefusal) refusals.push(err);
        if (!(err instanceof HttpError)) {
          app.logger.error("batch_item_failed", {
            index,
            error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
          });
        }
        const { status, error } = renderErrorBody(err);
        return { index, status, error };
      }
    },
  );
  const failed = results.filter((r) => r.status !== 200).length;
  // Every item refused by the caller's limits: the batch itself is refused, with Retry-After.
  const [refusal] = refusals;
  if (refusal && refusals.length === results.length) throw refusal;
  Object.assign(app.logFields, mergeBatchFields(itemFields), {
    batch_size: results.length,
    batch_failed: failed,
  });
  return json({
    object: "batch",
    results,
    succeeded: results.length - failed,
    failed,
    timings: { total_ms: Date.now() - app.started },
    request_id: app.requestId,
  });
}
