// POST /v1/query: validate, choose the model, run the RAG path, shape the documented response.
import type { IRequest } from "itty-router";
import { QueryRequestSchema, type QueryRequest } from "../../shared/api/schemas.js";
import { selectModel } from "../../shared/llm/select-model.js";
import { answerQuery, type QueryAnswer } from "../../shared/rag/answer-query.js";
import { float32ToBytes } from "../../shared/rag/vector.js";
import type { AppContext } from "../context.js";
import { embedderFor } from "../embedder.js";
import { HttpError } from "../errors.js";
import { readJson } from "../http/read-json.js";
import { json } from "../http/respond.js";
import { ensureSeeded } from "../seed.js";
import { getServices, indexStub } from "../services.js";

/** Completion cap for grounded answers. */
const ANSWER_MAX_TOKENS = 512;

export async function postQuery(request: IRequest, app: AppContext): Promise<Response> {
  const body = await readJson(request, QueryRequestSchema, app.config.MAX_BODY_BYTES);
  // Questions can carry personal data: their text reaches the log only when the operator opts in.
  if (app.config.LOG_QUERIES) app.logFields.query = body.query;
  const result = await runQuery(body, app);
  app.logFields.cache = "MISS";
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
  const choice = selectModel(requested, body.priority, app.config.catalog, services.available);
  if (!choice.ok) throw new HttpError("invalid_request", choice.message, { param: "model" });
  await ensureSeeded(app);
  const index = indexStub(app.env);
  const embed = embedderFor(app);
  const answer = await answerQuery(
    {
      query: body.query,
      k: body.k,
      ...(body.filter ? { filter: body.filter } : {}),
      model: choice.model,
      ...(body.max_context_tokens !== undefined
        ? { maxContextTokens: body.max_context_tokens }
        : {}),
      retrieval: body.retrieval,
      maxTokens: ANSWER_MAX_TOKENS,
    },
    {
      counter: services.counter,
      catalog: app.config.catalog,
      clock: () => Date.now(),
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
  app.logFields.model = answer.model;
  app.logFields.tokens = answer.usage.total_tokens;
  app.logFields.cost_usd = answer.usage.cost_usd;
  // For tracing one request: which models were tried and where the time went.
  app.logFields.degraded = answer.degraded;
  app.logFields.attempts = answer.attempts;
  app.logFields.retrieval_ms = answer.timings.retrieval_ms;
  app.logFields.generation_ms = answer.timings.generation_ms;
  app.metrics.inc(
    "ragway_tokens_total",
    { model: answer.model, direction: "in" },
    answer.usage.prompt_tokens,
  );
  app.metrics.inc(
    "ragway_tokens_total",
    { model: answer.model, direction: "out" },
    answer.usage.completion_tokens,
  );
  app.metrics.inc("ragway_cost_usd_total", { model: answer.model }, answer.usage.cost_usd);
  if (answer.degraded) app.metrics.inc("ragway_degraded_answers_total", { route: app.route });
  return { answer, reason: choice.reason };
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
