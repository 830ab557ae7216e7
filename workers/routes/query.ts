// POST /v1/query: validate, choose the model, run the RAG path, shape the documented response.
import type { IRequest } from "itty-router";
import { QueryRequestSchema, type QueryRequest } from "../../shared/api/schemas.js";
import { resolveExplicit } from "../../shared/llm/select-model.js";
import { answerQuery, type QueryAnswer } from "../../shared/rag/answer-query.js";
import { float32ToBytes } from "../../shared/rag/vector.js";
import type { AppContext } from "../context.js";
import { embedderFor } from "../embedder.js";
import { HttpError } from "../errors.js";
import { readJson } from "../http/read-json.js";
import { json } from "../http/respond.js";
import { recordUsage } from "../record-usage.js";
import { deadlineFor, resilienceFor } from "../resilience.js";
import { ensureSeeded } from "../seed.js";
import { getServices, indexStub } from "../services.js";

/** Completion cap for grounded answers. */
const ANSWER_MAX_TOKENS = 512;

export async function postQuery(request: IRequest, app: AppContext): Promise<Response> {
  const body = await readJson(request, QueryRequestSchema, app.config.MAX_BODY_BYTES);
  const result = await runQuery(body, app);
  const payload = {
    ...result.answer,
    from_cache: false,
    cache: "MISS",
    timings: { total_ms: Date.now() - app.started, ...result.answer.timings },
    request_id: app.requestId,
  };
  const headers = { "x-cache": "MISS", "x-model-reason": result.reason };
  if (body.stream) return sseAnswer(payload, headers);
  return json(payload, { headers });
}

/** Runs one validated query; shared by /v1/query and the batch route. */
export async function runQuery(
  body: QueryRequest,
  app: AppContext,
): Promise<{ answer: QueryAnswer; reason: string }> {
  const services = getServices(app.config);
  const requested = body.model === "auto" ? app.config.DEFAULT_MODEL : body.model;
  if (requested !== "auto") {
    const explicit = resolveExplicit(requested, app.config.catalog, services.available);
    if (!explicit.ok) throw new HttpError("invalid_request", explicit.message, { param: "model" });
  }
  await ensureSeeded(app);
  const index = indexStub(app.env);
  const embed = embedderFor(app);
  const { answer, reason } = await answerQuery(
    {
      query: body.query,
      k: body.k,
      ...(body.filter ? { filter: body.filter } : {}),
      model: requested,
      priority: body.priority,
      ...(body.max_context_tokens !== undefined
        ? { maxContextTokens: body.max_context_tokens }
        : {}),
      retrieval: body.retrieval,
      maxTokens: ANSWER_MAX_TOKENS,
      deadlineAt: deadlineFor(app),
    },
    {
      counter: services.counter,
      catalog: app.config.catalog,
      available: services.available,
      ...(app.config.fallbackModels ? { fallbackModels: app.config.fallbackModels } : {}),
      clock: () => Date.now(),
      resilience: resilienceFor(app),
      embedQuery: async (text) => {
        const r = await embed([text]);
        if (!r.ok) return r;
        const vector = r.value.vectors[0];
        return vector
          ? { ok: true, value: vector }
          : {
              ok: false,
              failure: { reason: "bad_response", message: "no vector", retryable: false },
            };
      },
      search: (p) =>
        index.search({
          text: p.text,
          vector: p.vector ? float32ToBytes(p.vector) : null,
          embeddingModel: app.config.embeddingModel,
          k: p.k,
          ...(p.filter ? { filter: p.filter } : {}),
          mode: p.mode,
        }),
      providerFor: (model) => services.providerFor(model),
    },
  );
  recordUsage(app, answer.model, answer.usage, answer.usage.cost_usd);
  app.logFields.degraded = answer.degraded;
  if (answer.degraded) app.metrics.inc("ragway_degraded_answers_total", { route: app.route });
  return { answer, reason };
}

/** The answer as Server-Sent Events: a `sources` event, the answer in pieces, then `done`. */
function sseAnswer(
  payload: QueryAnswer & Record<string, unknown>,
  headers: Record<string, string>,
): Response {
  const { answer, ...rest } = payload;
  const events: string[] = [];
  events.push(
    `event: sources\ndata: ${JSON.stringify({ sources: rest.sources, model: rest.model })}\n\n`,
  );
  for (const piece of answer.match(/\S+\s*/g) ?? []) {
    events.push(`event: delta\ndata: ${JSON.stringify({ text: piece })}\n\n`);
  }
  events.push(`event: done\ndata: ${JSON.stringify(rest)}\n\n`);
  return new Response(events.join(""), {
    headers: {
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
    },
  });
}
