// POST /v1/embeddings: OpenAI's shape, `input` as a string or an array of strings, through the
// deployment's embedding function (and so through the embedding cache, retries and metrics).
import type { RoutedRequest } from "../http/routed-request.js";
import { EmbeddingsRequestSchema } from "../../shared/api/openai.js";
import { costUsd } from "../../shared/llm/catalog.js";
import { encodeEmbedding, shortenVector } from "../../shared/llm/embedding-output.js";
import { usableModel } from "../../shared/llm/usable-model.js";
import { countBounded } from "../../shared/tokens/count-bounded.js";
import type { AppContext } from "../context.js";
import { embedderFor } from "../embedder.js";
import { HttpError } from "../errors.js";
import { readJson } from "../http/read-json.js";
import { json } from "../http/respond.js";
import { releasedOnFailure, reserve } from "../limits/spend.js";
import { recordUsage } from "../record-usage.js";
import { getServices } from "../services.js";
import { upstreamFailureError } from "../upstream-error.js";

export async function postEmbeddings(request: RoutedRequest, app: AppContext): Promise<Response> {
  const body = await readJson(request, EmbeddingsRequestSchema, app.config.MAX_BODY_BYTES);
  const services = getServices(app.config);
  const checked = usableModel(body.model, "embedding", app.config.catalog, services.available);
  if (!checked.ok) throw new HttpError("invalid_request", checked.message, { param: "model" });
  const { model } = checked;
  const dims = model.dimensions ?? 0;
  if (body.dimensions !== undefined && body.dimensions > dims) {
    throw new HttpError(
      "invalid_request",
      `dimensions: ${model.id} has ${dims} dimensions; ask for ${dims} or fewer`,
      { param: "dimensions" },
    );
  }
  const texts = typeof body.input === "string" ? [body.input] : body.input;
  // Bounded: an input is client text, and BPE over one long unbroken run is quadratic.
  const tokens = texts.map((t) => countBounded(t, services.counter));
  tokens.forEach((n, i) => {
    if (n > model.contextWindow) {
      throw new HttpError(
        "context_length_exceeded",
        `input${texts.length > 1 ? `[${i}]` : ""} has ${n} tokens; ${model.id} takes at most ${model.contextWindow}`,
        { param: "input" },
      );
    }
  });

  const promptTokens = tokens.reduce((a, b) => a + b, 0);
  const usdOf = (n: number) => costUsd(model, { prompt_tokens: n, completion_tokens: 0 });
  // Reserved before the call; settled with what the provider billed (cached inputs cost nothing).
  const reservation = await reserve(app, { tokens: promptTokens, usd: usdOf(promptTokens) });
  const result = await releasedOnFailure(reservation, () =>
    embedderFor(app, "request", model.id)(texts),
  );
  if (!result.ok) throw upstreamFailureError(app, result.failure, "embedding");
  const billed = result.value.promptTokens ?? promptTokens;
  await reservation.settle({ tokens: billed, usd: usdOf(billed) });
  const format = body.encoding_format ?? "float";
  const data = result.value.vectors.map((v, index) => ({
    object: "embedding",
    index,
    embedding: encodeEmbedding(
      body.dimensions !== undefined ? shortenVector(v, body.dimensions) : v,
      format,
    ),
  }));
  const usage = { prompt_tokens: billed, completion_tokens: 0, total_tokens: billed };
  recordUsage(app, model.id, usage, usdOf(billed));
  return json({
    object: "list",
    data,
    model: model.id,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}
